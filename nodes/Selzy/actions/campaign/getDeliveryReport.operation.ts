import { DateTime } from 'luxon';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { reportOptionFields, reportOutputProperty } from '../common.descriptions';
import { deliverCompletedTask } from '../../delivery/deliver';
import { completedToolAnswer, runsAsTool, taskToolAnswer } from '../../delivery/toolAnswer';
import { finishWaiting, pollSettingsFrom } from '../polling';
import { selzyApiRequest } from '../../transport/request';
import type { ReportOutput } from '../../delivery/settings';
import type { SelzyTask } from '../../transport/tasks';
import { formatSelzyUtc, toSelzyUtc, type IncrementalState } from './changedSince';
import { callbackTarget, parkUntilCallback } from '../../callback/resume';
import { resolveCampaignId } from './campaignId';

/**
 * Callback mode polls in-process first: a callback that came while the execution still ran would
 * be refused by n8n. The option "Check Before Waiting" sets how long.
 */
const DEFAULT_CALLBACK_GRACE_SECONDS = 45;

const properties: INodeProperties[] = [
	{
		displayName: 'Campaign',
		name: 'campaignId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description:
			'The campaign whose delivery report to build. As an AI agent’s tool, By ID also takes a campaign subject, looked up in the campaign list.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchCampaigns', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '123456',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'A campaign ID is a number' },
					},
				],
			},
		],
	},
	{
		displayName: 'Wait',
		name: 'waitMode',
		type: 'options',
		options: [
			{
				name: 'Poll Until Ready',
				value: 'poll',
				description: 'Ask Selzy every few seconds until the report is ready, then return it',
			},
			{
				name: 'Until Selzy Notifies (No Worker Held)',
				value: 'callback',
				description:
					'Checks for up to 45 seconds, then parks the execution until Selzy calls back. Needs an n8n URL Selzy can reach (WEBHOOK_URL) and one input item per execution.',
			},
			{
				name: "Don't Wait",
				value: 'none',
				description: 'Return the task ID at once; fetch the report later with Task → Get Result or a Selzy Trigger',
			},
		],
		default: 'poll',
	},
	{
		displayName:
			'The execution waits without holding a worker and resumes when Selzy calls back. n8n must be reachable from the internet (set WEBHOOK_URL). If the Timeout passes first, the workflow continues with the input items plus a selzyReport field naming the task: fetch it later with Task → Get Result.',
		name: 'callbackNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { waitMode: ['callback'] } },
	},
	{
		displayName: 'Notify URL',
		name: 'notifyUrl',
		type: 'string',
		default: '',
		placeholder: 'https://n8n.example.com/webhook/…/selzy',
		displayOptions: { hide: { waitMode: ['callback'] } },
		description:
			'Optional. Selzy POSTs the finished task here. Paste the Production URL of an active Selzy Trigger (add ?token=… if the trigger has a shared secret) to start a workflow when the report is ready.',
	},
	reportOutputProperty({ show: { waitMode: ['poll', 'callback'] } }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Additional Field Names or IDs',
				name: 'additionalFields',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getFields' },
				default: [],
				description:
					'Contact fields to add to each row. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Changed Since',
				name: 'changedSince',
				type: 'dateTime',
				default: '',
				description:
					'Only recipients whose status changed at or after this moment, e.g. 2026-05-01T09:00:00Z from an expression or an AI agent. A value without a time zone is read in the workflow’s time zone; Selzy receives it in UTC.',
			},
			{
				displayName: 'Check Before Waiting (Seconds)',
				name: 'callbackGrace',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_CALLBACK_GRACE_SECONDS,
				displayOptions: { show: { '/waitMode': ['callback'] } },
				description:
					'Until Selzy Notifies: how long the node checks the task itself before the execution waits for the callback. n8n refuses a callback that arrives while the execution still runs, so quick reports are fetched here instead.',
			},
			{
				displayName: 'Only Changes Since Last Run',
				name: 'sinceLastRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to ask only for statuses changed since the last report this node delivered for the campaign (remembered per workflow; only active workflows save it). The first run uses Changed Since, or the whole report.',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 5,
				description: 'First wait between status checks; it grows by half each time up to one minute',
			},
			{
				displayName: 'Timeout (Minutes)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description:
					'Give up waiting after this long. The error names the task ID so the report can be fetched later with Task → Get Result.',
			},
			...reportOptionFields,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['campaign'], operation: ['getDeliveryReport'] } },
	properties,
);

/** When the node runs as an AI agent's tool it must not hold the agent for half an hour. */
const TOOL_WAIT_MS = 60_000;

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const request = await readReportRequest(this, itemIndex);
	const { options, waitMode } = request;
	const asTool = runsAsTool(this);
	const callbackMode = waitMode === 'callback' && !asTool;
	if (callbackMode) checkCallbackMode(this, options, itemIndex);
	const callback = callbackMode ? await callbackTarget(this, itemIndex) : undefined;

	const requestedAt = formatSelzyUtc(DateTime.utc());
	const taskJson = await startReport(this, request, callback?.notifyUrl, itemIndex);
	const taskUuid = String(taskJson.task_uuid);
	if (waitMode === 'none') {
		return asTool ? taskToolAnswer(taskJson as SelzyTask, itemIndex) : [{ json: taskJson, pairedItem: { item: itemIndex } }];
	}

	const graceMs = Math.max(1, Number(options.callbackGrace ?? DEFAULT_CALLBACK_GRACE_SECONDS)) * 1000;
	const poll = pollSettingsFrom(options, itemIndex, asTool ? TOOL_WAIT_MS : callbackMode ? graceMs : undefined);
	const outcome = await finishWaiting.call(this, taskUuid, poll, asTool || callbackMode);
	if (!outcome.task.file_to_download && callback) {
		const fullTimeout = pollSettingsFrom(options, itemIndex).timeoutMs;
		await parkUntilCallback(this, itemIndex, taskJson, callback.secretDigest, Math.max(60_000, fullTimeout - poll.timeoutMs));
		return this.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }));
	}
	if (!outcome.task.file_to_download) {
		const pending = { ...taskJson, ...outcome.task };
		return asTool ? taskToolAnswer(pending, itemIndex) : [{ json: { ...pending, ready: false }, pairedItem: { item: itemIndex } }];
	}

	const output = this.getNodeParameter('output', itemIndex, 'summary') as ReportOutput;
	const task = { ...outcome.task, campaign_id: taskJson.campaign_id };
	const items = asTool
		? await completedToolAnswer(this, task, output, options, itemIndex)
		: await deliverCompletedTask(this, task, output, options, itemIndex);
	if (options.sinceLastRun) rememberReport(this, request.campaignId, requestedAt);
	return items;
}

interface ReportRequest {
	campaignId: string;
	waitMode: string;
	notifyUrl: string;
	options: IDataObject;
}

/** The item's parameters, checked before a report is requested. */
async function readReportRequest(context: IExecuteFunctions, itemIndex: number): Promise<ReportRequest> {
	const written = String(context.getNodeParameter('campaignId', itemIndex, '', { extractValue: true }) ?? '');
	const waitMode = context.getNodeParameter('waitMode', itemIndex, 'poll') as string;
	const notifyUrl = String(context.getNodeParameter('notifyUrl', itemIndex, '')).trim();
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	if (notifyUrl && !/^https?:\/\/[^\s]+$/i.test(notifyUrl)) {
		throw new NodeOperationError(context.getNode(), 'Notify URL must be an http(s) address', { itemIndex });
	}
	const campaignId = await resolveCampaignId(context, written, itemIndex, runsAsTool(context));
	return { campaignId, waitMode, notifyUrl, options };
}

/** Asks Selzy to build the report (once: never resent when it may have arrived); returns the task as an item. */
async function startReport(
	context: IExecuteFunctions,
	request: ReportRequest,
	callbackUrl: string | undefined,
	itemIndex: number,
): Promise<IDataObject> {
	const { campaignId, options } = request;
	const params: IDataObject = { campaign_id: campaignId };
	const notifyUrl = callbackUrl ?? request.notifyUrl;
	if (notifyUrl) params.notify_url = notifyUrl;
	const fieldIds = ((options.additionalFields as Array<string | number>) ?? []).map(String).filter(Boolean);
	if (fieldIds.length) params.field_ids = fieldIds;
	const changedSince = resolveChangedSince(context, campaignId, options, itemIndex);
	if (changedSince) params.changed_since = changedSince;

	const started = (await selzyApiRequest.call(context, 'async/getCampaignDeliveryStats', params, {
		startsWork: true,
		itemIndex,
	})) as IDataObject;
	const task: SelzyTask = { task_uuid: String(started?.task_uuid ?? ''), status: String(started?.status ?? 'new') };
	if (!task.task_uuid) {
		throw new NodeOperationError(context.getNode(), 'Selzy accepted the report request but returned no task ID', {
			itemIndex,
		});
	}
	context.logger.info(`Selzy campaign ${campaignId}: report task ${task.task_uuid} started`);
	const taskJson: IDataObject = { ...task, campaign_id: Number(campaignId) };
	if (changedSince) taskJson.changed_since = changedSince;
	return taskJson;
}

/** One execution can wait for one callback, so the mode takes one report per execution. */
function checkCallbackMode(context: IExecuteFunctions, options: IDataObject, itemIndex: number): void {
	const itemCount = context.getInputData().length;
	if (itemCount > 1) {
		throw new NodeOperationError(
			context.getNode(),
			`“Until Selzy Notifies” handles one report per execution, but this node received ${itemCount} items`,
			{
				itemIndex,
				description:
					'Put the node inside a Loop Over Items node with batch size 1 (each loop waits for its own callback), or use “Poll Until Ready”.',
			},
		);
	}
	if (options.sinceLastRun) {
		throw new NodeOperationError(context.getNode(), '“Only Changes Since Last Run” needs “Poll Until Ready”', {
			itemIndex,
			description:
				'A resumed execution cannot save the node’s memory of the last run. Use Poll Until Ready, or set Changed Since with an expression.',
		});
	}
}

function resolveChangedSince(
	context: IExecuteFunctions,
	campaignId: string,
	options: IDataObject,
	itemIndex: number,
): string | undefined {
	if (options.sinceLastRun) {
		const remembered = incrementalState(context).reportRequestedAt?.[campaignId];
		if (remembered) return remembered;
	}
	const moment = toSelzyUtc(options.changedSince, context.getTimezone());
	if (!moment) return undefined;
	if (!moment.isValid) {
		throw new NodeOperationError(context.getNode(), `Changed Since: "${String(options.changedSince)}" is not a date and time`, {
			itemIndex,
		});
	}
	if (moment.toMillis() > Date.now() + 60_000) {
		throw new NodeOperationError(context.getNode(), 'Changed Since is in the future, so the report would be empty', {
			itemIndex,
			description: `It resolves to ${formatSelzyUtc(moment)} UTC. Check the date and the workflow’s time zone.`,
		});
	}
	return formatSelzyUtc(moment);
}

function incrementalState(context: IExecuteFunctions): IncrementalState {
	return context.getWorkflowStaticData('node') as IncrementalState;
}

/** Advanced only after the report was delivered, so a failed run asks for the same changes again. */
function rememberReport(context: IExecuteFunctions, campaignId: string, requestedAt: string): void {
	const state = incrementalState(context);
	state.reportRequestedAt = { ...(state.reportRequestedAt ?? {}), [campaignId]: requestedAt };
}
