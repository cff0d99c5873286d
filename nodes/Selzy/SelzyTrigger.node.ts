import { createHash, timingSafeEqual } from 'crypto';
import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { reportOptionFields, reportOutputProperty } from './actions/common.descriptions';
import { claimDelivery, finishDelivery } from './callback/claims';
import { deliverFromCallback, respond, verifyTask } from './callback/handling';
import { deliveryKey, parseCallback, rememberDelivery, wasDelivered, type TriggerState } from './callback/parse';
import type { ReportOutput } from './delivery/settings';
import { downloadLinkProblem } from './transport/downloadGuard';
import { isTaskCompleted } from './transport/tasks';

export class SelzyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Selzy Trigger',
		name: 'selzyTrigger',
		icon: { light: 'file:selzy.svg', dark: 'file:selzy.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "On report ready: " + $parameter["output"] }}',
		description: 'Starts the workflow when Selzy calls back with a finished report task',
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
		properties: [
			{
				displayName:
					'Selzy has no webhook settings: it calls the Notify URL sent with each report request. Copy this node’s Production URL into the Selzy node’s Notify URL (or any API call’s notify_url), and activate this workflow.',
				name: 'notice',
				type: 'notice',
				default: '',
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
					'Optional. When set, a callback must carry it as the token query parameter (…/selzy?token=…) or gets 401. Add it to the Notify URL.',
			},
			{
				displayName: 'Task Types',
				name: 'taskTypes',
				type: 'multiOptions',
				options: [
					{ name: 'Any Task Type', value: '*' },
					{ name: 'Campaign Delivery Report', value: 'getCampaignDeliveryStats' },
					{ name: 'Contact Export', value: 'exportContacts' },
				],
				default: ['getCampaignDeliveryStats'],
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
			reportOutputProperty(
				undefined,
				[
					{
						name: 'Task Only',
						value: 'task',
						description:
							'The verified task without downloading; use with Selzy → Task → Get Result (recommended in queue mode)',
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
				options: reportOptionFields,
			},
		],
	};

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

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const answer = (status: number, body: IDataObject) => respond(this, status, body);

		const token = String(this.getNodeParameter('token', '') ?? '');
		if (token && !sameSecret(String((this.getQueryData() as IDataObject).token ?? ''), token)) {
			return answer(401, { error: 'Missing or wrong token' });
		}

		const request = this.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };
		const parsed = parseCallback(this.getBodyData(), request.rawBody);
		if ('problem' in parsed) return answer(400, { error: `Not a Selzy callback: ${parsed.problem}` });

		let task = parsed.task;
		const verify = this.getNodeParameter('verify', true) as boolean;
		if (verify) {
			const verified = await verifyTask(this, task);
			if ('rejection' in verified) return answer(verified.rejection.status, { error: verified.rejection.error });
			task = verified.task;
		}

		const taskTypes = this.getNodeParameter('taskTypes', ['getCampaignDeliveryStats']) as string[];
		if (!taskTypes.includes('*') && task.task_type && !taskTypes.includes(task.task_type)) {
			return answer(200, { received: true, ignored: `task type ${task.task_type}` });
		}
		const completed = isTaskCompleted(task);
		if (!completed && !(this.getNodeParameter('includeUnfinished', false) as boolean)) {
			return answer(200, { received: true, ignored: `status ${task.status}` });
		}
		const output = this.getNodeParameter('output', 'file') as ReportOutput | 'task';
		const downloads = output !== 'task' && completed && Boolean(task.file_to_download);
		if (!verify && downloads) {
			const problem = await downloadLinkProblem(this, task.file_to_download);
			if (problem) return answer(400, { error: problem });
		}

		// Saved because the node answers itself (noWebhookResponse); see the README on duplicates.
		// The static data is saved only when webhook() returns, so a twin callback arriving during
		// the download is caught by the claim this process holds meanwhile.
		const state = this.getWorkflowStaticData('node') as TriggerState;
		const key = deliveryKey(task);
		const claim = `${this.getWorkflow().id ?? ''}:${this.getNode().id}:${key}`;
		if (wasDelivered(state, key) || !claimDelivery(claim)) {
			return answer(200, { received: true, duplicate: true });
		}
		rememberDelivery(state, key);

		// Answer before the download so a large report never keeps Selzy's request open.
		answer(200, { received: true, task_uuid: task.task_uuid });

		let delivered = false;
		try {
			const result: IWebhookResponseData = downloads
				? await deliverFromCallback(this, task, output as ReportOutput)
				: { noWebhookResponse: true, workflowData: [[{ json: task }]] };
			delivered = true;
			return result;
		} finally {
			// Test webhooks never save static data, so they keep no memory here either.
			finishDelivery(claim, delivered && this.getMode() !== 'manual');
		}
	}
}

/** Compares secrets in constant time, whatever their lengths. */
function sameSecret(given: string, expected: string): boolean {
	const digest = (text: string) => createHash('sha256').update(text).digest();
	return timingSafeEqual(digest(given), digest(expected));
}
