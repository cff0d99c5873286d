import { DateTime } from 'luxon';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { reportOptionFields, reportOutputProperty, waitingOptionFields } from '../common.descriptions';
import { deliverCompletedTask } from '../../delivery/deliver';
import { completedToolAnswer, runsAsTool, taskToolAnswer } from '../../delivery/toolAnswer';
import { callsPerMinuteFrom, pollSettingsFrom, TOOL_WAIT_MS } from '../polling';
import { newTaskTiming, type TaskJob } from '../taskRun';
import { selzyApiRequest, type SelzyCallOptions } from '../../transport/request';
import type { ReportOutput } from '../../delivery/settings';
import type { SelzyTask } from '../../transport/tasks';
import { formatSelzyUtc, toSelzyUtc, type IncrementalState } from './changedSince';
import { callbackTarget } from '../../callback/resume';
import { callbackGraceOption, callbackNoticeProperty, deliverOrWaitForCallback, notifyUrlProperty } from '../callbackWait';
import { resolveCampaignId } from './campaignId';

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
	callbackNoticeProperty,
	notifyUrlProperty(
		'Optional. Selzy POSTs the finished task here. Paste the Production URL of an active Selzy Trigger (add ?token=… if the trigger has a shared secret) to start a workflow when the report is ready.',
	),
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
			callbackGraceOption(
				'. n8n refuses a callback that arrives while the execution still runs, so quick reports are fetched here instead.',
			),
			{
				displayName: 'Only Changes Since Last Run',
				name: 'sinceLastRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to ask only for statuses changed since the last report this node delivered for the campaign (remembered per workflow; only active workflows save it). The first run uses Changed Since, or the whole report.',
			},
			...waitingOptionFields,
			...reportOptionFields,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['campaign'], operation: ['getDeliveryReport'] } },
	properties,
);

/**
 * Poll Until Ready and Don't Wait (and any tool call): the item's report as a task job, so the
 * router can start and wait for the reports of all items together. Until Selzy Notifies returns
 * nothing: that mode parks the execution and runs through `execute`.
 */
export async function prepareJob(this: IExecuteFunctions, itemIndex: number): Promise<TaskJob | undefined> {
	const request = await readReportRequest(this, itemIndex);
	const { options, waitMode } = request;
	const asTool = runsAsTool(this);
	if (waitMode === 'callback' && !asTool) return undefined;

	const poll = pollSettingsFrom(options, itemIndex, asTool ? TOOL_WAIT_MS : undefined);
	const output = this.getNodeParameter('output', itemIndex, 'summary') as ReportOutput;
	const callsPerMinute = callsPerMinuteFrom(options);
	let taskJson: IDataObject = {};
	let requestedAt = '';
	return {
		itemIndex,
		...newTaskTiming(waitMode, poll),
		start: async (signal) => {
			requestedAt = formatSelzyUtc(DateTime.utc());
			taskJson = await startReport(this, request, undefined, itemIndex, { signal, callsPerMinute });
			return { task_uuid: String(taskJson.task_uuid), status: String(taskJson.status) };
		},
		// A tool returns the pending task for the agent to ask again later.
		stillPending: asTool ? (task) => taskToolAnswer({ ...taskJson, ...task }, itemIndex) : undefined,
		finish: async (task, signal) => {
			if (waitMode === 'none' && asTool) return taskToolAnswer(taskJson as SelzyTask, itemIndex);
			if (waitMode === 'none') return [{ json: taskJson, pairedItem: { item: itemIndex } }];
			if (!task.file_to_download && asTool) return taskToolAnswer({ ...taskJson, ...task }, itemIndex);
			if (!task.file_to_download) return [{ json: { ...taskJson, ...task, ready: false }, pairedItem: { item: itemIndex } }];
			const completed = { ...task, campaign_id: taskJson.campaign_id };
			const items = asTool
				? await completedToolAnswer(this, completed, output, options, itemIndex, signal)
				: await deliverCompletedTask(this, completed, output, options, itemIndex, signal);
			if (options.sinceLastRun) rememberReport(this, request.campaignId, requestedAt);
			return items;
		},
	};
}

/** Until Selzy Notifies: checks for a while, then parks the execution until Selzy's callback resumes it. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const request = await readReportRequest(this, itemIndex);
	const { options } = request;
	checkCallbackMode(this, options, itemIndex);
	const callback = await callbackTarget(this, itemIndex);

	const taskJson = await startReport(this, request, callback.notifyUrl, itemIndex);
	const output = this.getNodeParameter('output', itemIndex, 'summary') as ReportOutput;
	return await deliverOrWaitForCallback(this, itemIndex, taskJson, callback, async (task) => {
		return await deliverCompletedTask(this, { ...task, campaign_id: taskJson.campaign_id }, output, options, itemIndex);
	});
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
	call: Pick<SelzyCallOptions, 'signal' | 'callsPerMinute'> = {},
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
		...call,
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
