import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { listPicker } from './actions/pickers';
import { returnNewEvents } from './callback/eventExecution';
import { createEventHook, deleteEventHook, eventHookExists } from './callback/eventHook';
import { handleEventDelivery } from './callback/events';
import { searchLists } from './methods/listSearch';
import { STATUS_GROUP_OPTIONS } from './report/statuses';

export class SelzyEventsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Selzy Events Trigger',
		name: 'selzyEventsTrigger',
		icon: { light: 'file:selzy.svg', dark: 'file:selzy.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "On " + ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow on Selzy events as they happen: email statuses, subscribes, unsubscribes, campaign statuses. For finished reports and exports, use Selzy Trigger.',
		defaults: { name: 'Selzy Events Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'selzyApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// n8n answers with the webhookResponse webhook() returns ('' avoids a literal body);
				// refusals and deliveries that start nothing are answered by the node itself.
				responseMode: 'onReceived',
				responseData: '',
				path: 'selzy-events',
			},
			{
				// A check that the URL is alive.
				name: 'setup',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				responseData: '',
				path: 'selzy-events',
			},
		],
		properties: [
			{
				displayName:
					'Publishing this workflow registers a Selzy webhook for the chosen events; unpublishing removes it. Finished delivery reports and contact exports (a Notify URL) start the Selzy Trigger instead.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{ name: 'Campaign Status', value: 'campaign_status', description: 'A campaign was scheduled, started sending, finished, was paused or canceled' },
					{ name: 'Email Status', value: 'email_status', description: 'An email was sent, delivered, opened, clicked, bounced, or marked as spam' },
					{ name: 'Subscribe', value: 'subscribe', description: 'A contact subscribed to a list' },
					{ name: 'Unsubscribe', value: 'unsubscribe', description: 'A contact unsubscribed from a list' },
					{ name: 'User Info', value: 'user_info', description: 'A contact’s data changed' },
				],
				default: ['email_status'],
				description: 'Which Selzy events start the workflow, one item per event',
			},
			{
				displayName: 'Email Status Groups',
				name: 'statusGroups',
				type: 'multiOptions',
				options: STATUS_GROUP_OPTIONS,
				default: [],
				displayOptions: { show: { events: ['email_status'] } },
				description: 'Only email statuses in these groups, for example Hard Bounce and Unsubscribed. Empty keeps all.',
			},
			{
				displayName: 'Email Statuses',
				name: 'sendResults',
				type: 'string',
				default: '',
				placeholder: 'err_user_unknown, ok_unsubscribed',
				displayOptions: { show: { events: ['email_status'] } },
				description: 'Only these Selzy statuses (comma-separated). With Email Status Groups, a status matching either is kept.',
			},
			{
				...listPicker('Only subscribes and unsubscribes of this list. Empty: every list.', true),
				displayOptions: { show: { events: ['subscribe', 'unsubscribe'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'One Event per Request',
						name: 'singleEvent',
						type: 'boolean',
						default: false,
						description: 'Whether Selzy sends each event in a request of its own instead of in batches. Batches cost n8n less under load.',
					},
					{
						displayName: 'Other Event Names',
						name: 'otherEvents',
						type: 'string',
						default: '',
						placeholder: 'event_name, other_event',
						description: 'Further Selzy event names to receive (comma-separated), as Selzy’s documentation names them. Their events are output as Selzy sends them.',
					},
					{
						displayName: 'Verify Selzy Signature',
						name: 'verifySignature',
						type: 'boolean',
						default: false,
						description:
							'Whether to also check the auth field Selzy adds (an MD5 over the body made with the API key). The secret in the URL already stops strangers; turn this on for a second check.',
					},
				],
			},
		],
	};

	methods = { listSearch: { searchLists } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await eventHookExists(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await createEventHook(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await deleteEventHook(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleEventDelivery(this);
	}

	/** Runs first in the execution n8n starts with a delivery's events: outputs those no earlier execution did. */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await returnNewEvents(this);
	}
}
