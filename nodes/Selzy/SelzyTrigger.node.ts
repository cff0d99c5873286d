import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { handleTriggerCallback } from './callback/trigger';
import { returnTriggeredTasks } from './callback/triggeredTasks';
import { fileOptionFields, outputProperty } from './results/descriptions';
import { SELZY_TASK_KINDS, type TaskKinds } from './tasks/kinds';

export class SelzyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Selzy Trigger',
		name: 'selzyTrigger',
		icon: { light: 'file:selzy.svg', dark: 'file:selzy.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "On report ready: " + $parameter["output"] }}',
		description:
			'Starts the workflow when Selzy calls back with a finished delivery report or contact export. For email statuses, subscribes and other events as they happen, use Selzy Events Trigger.',
		defaults: { name: 'Selzy Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'selzyApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// The node answers the caller itself (see webhook()); '' avoids a literal body.
				responseMode: 'onReceived',
				responseData: '',
				path: 'selzy',
			},
		],
		properties: triggerProperties(SELZY_TASK_KINDS),
	};

	webhook: (this: IWebhookFunctions) => Promise<IWebhookResponseData>;

	/** Runs first in the execution n8n starts with the verified task: reads the file there. */
	execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

	/** n8n builds the node without arguments; `kinds` replaces the task kinds it knows. */
	constructor(kinds: TaskKinds = SELZY_TASK_KINDS) {
		if (kinds !== SELZY_TASK_KINDS) this.description = { ...this.description, properties: triggerProperties(kinds) };
		this.webhook = async function (this: IWebhookFunctions) {
			return await handleTriggerCallback(this, kinds);
		};
		this.execute = async function (this: IExecuteFunctions) {
			return await returnTriggeredTasks(this, kinds);
		};
	}

	// Selzy cannot register webhooks: the URL travels with each report request. Nothing exists
	// to check, create or delete, so each method succeeds without calling Selzy.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};
}

function triggerProperties(kinds: TaskKinds): INodeProperties[] {
	return [
		{
			displayName:
				'Selzy has no webhook settings: it calls the Notify URL sent with each report request. Copy this node’s Production URL into the Selzy node’s Notify URL (or any API call’s notify_url), and publish this workflow (n8n 1.x: activate it).',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			// Notices are HTML: a placeholder in angle brackets would not show.
			displayName:
				'Set a Shared Secret below and add it to that Notify URL as its token (…/selzy?token=…). Without it, anyone who learns the URL can make this trigger call Selzy with your API key (up to 20 unknown tasks a minute, then callbacks get 429) and, with verification off, start this workflow.',
			name: 'secretNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { token: [''] } },
		},
		{
			displayName: 'Verify With Selzy',
			name: 'verify',
			type: 'boolean',
			default: true,
			description:
				'Whether to confirm each callback with Selzy’s API (async/getTaskResult) and download from the link the API returns. Keeps forged calls from starting the workflow or steering downloads.',
		},
		{
			displayName: 'Shared Secret',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Recommended. When set, a callback must carry it as the token query parameter (…/selzy?token=…) or gets 401 before any call to Selzy, so strangers who learn the URL cannot spend your API quota or start this workflow. Add it to the Notify URL.',
		},
		{
			displayName: 'Task Types',
			name: 'taskTypes',
			type: 'multiOptions',
			options: [
				{ name: 'Any Task Type', value: '*' },
				...kinds.known.map((kind) => ({ name: kind.label, value: kind.taskType })),
			],
			default: [kinds.known[0].taskType],
			description: 'Which kinds of Selzy tasks start the workflow; callbacks of other kinds are acknowledged and ignored',
		},
		{
			displayName: 'Include Unfinished Tasks',
			name: 'includeUnfinished',
			type: 'boolean',
			default: false,
			description:
				'Whether callbacks for tasks that are not completed start the workflow (with their status, without a download) instead of being ignored',
		},
		outputProperty(
			undefined,
			[
				{
					name: 'Task Only',
					value: 'task',
					description:
						'The verified task without downloading; follow with Selzy → Task → Get Result',
				},
			],
			'file',
		),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: fileOptionFields,
		},
	];
}
