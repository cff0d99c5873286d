/**
 * The one async operation: whatever kind of Selzy task an operation starts, it is started,
 * waited for (Poll Until Ready, Until Selzy Notifies, Don't Wait) and returned the same way,
 * also when the node is an AI agent's tool. An operation file only describes its own parameters
 * and how they become the start request (TaskOperation).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { callbackTarget, parkUntilCallback, type CallbackTarget } from '../callback/resume';
import { fileOptionsFor, outputProperty } from '../results/descriptions';
import { finishedTaskItems, type TaskOutput } from '../results/finished';
import { runsAsTool, taskToolAnswer } from '../results/toolAnswer';
import type { TaskKind } from '../tasks/kinds';
import { isTaskReady, type SelzyTask } from '../tasks/task';
import { selzyApiRequest, type SelzyCallOptions } from '../transport/request';
import type { Operation } from './operation';
import { callsPerMinuteFrom, newTaskTiming, pollSettingsFrom, TOOL_WAIT_MS, type StartCondition, type TaskJob } from './taskRun';
import {
	callbackGraceOption,
	callbackNoticeProperty,
	DEFAULT_CALLBACK_GRACE_SECONDS,
	notifyUrlProperty,
	waitingOptionFields,
	waitProperty,
	type WaitMode,
} from './wait.descriptions';

/** What starts a task of one kind, from an item's parameters. */
export interface TaskOperation {
	kind: TaskKind;
	/** The operation's own parameters, shown before Wait. */
	properties: INodeProperties[];
	/** Its own options, listed with Check Before Waiting before the waiting and file options. */
	options?: INodeProperties[];
	/** The start request from the item's parameters, checked before anything is sent to Selzy. */
	readRequest(context: IExecuteFunctions, itemIndex: number, mode: StartMode): Promise<TaskRequest>;
}

export interface StartMode {
	waitMode: WaitMode;
	asTool: boolean;
	options: IDataObject;
}

export interface TaskRequest {
	/** The start method's parameters (notify_url is added here). */
	params: IDataObject;
	/** What the task is about, added to its item, e.g. campaign_id. */
	about: IDataObject;
	/** What was started, for the log: "campaign 123". */
	subject: string;
	/** Runs once the task's file was returned (e.g. to remember the last report). */
	afterReturn?(): void;
	/** What must hold before the task is started, waited for within the Timeout (e.g. the campaign finishing). */
	startWhen?: Omit<StartCondition, 'timeoutMs'>;
}

/** The operation `option` of `resource`, starting tasks as `operation` says. */
export function asyncTaskOperation(resource: string, option: INodePropertyOptions, operation: TaskOperation): Operation {
	const { kind } = operation;
	const options = [...(operation.options ?? []), callbackGraceOption].sort((a, b) => a.displayName.localeCompare(b.displayName));
	const properties: INodeProperties[] = [
		...operation.properties,
		waitProperty(kind),
		callbackNoticeProperty,
		notifyUrlProperty(kind),
		outputProperty({ show: { waitMode: ['poll', 'callback'] } }, [], kind.defaultOutput),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [...options, ...waitingOptionFields, ...fileOptionsFor(kind)],
		},
	];
	return {
		option,
		description: updateDisplayOptions({ show: { resource: [resource], operation: [String(option.value)] } }, properties),
		async prepareJob(this: IExecuteFunctions, itemIndex: number) {
			return await taskJob(this, operation, itemIndex);
		},
	};
}

/** The item's task as a job: started, waited for as the Wait parameter says, and returned. */
async function taskJob(context: IExecuteFunctions, operation: TaskOperation, itemIndex: number): Promise<TaskJob> {
	const { kind } = operation;
	const waitMode = context.getNodeParameter('waitMode', itemIndex, 'poll') as WaitMode;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const asTool = runsAsTool(context);
	// A tool cannot park its agent's execution: it polls for a while instead.
	const parks = waitMode === 'callback' && !asTool;
	if (parks) checkOneItem(context, kind, itemIndex);
	const notifyUrl = parks ? '' : readNotifyUrl(context, itemIndex);
	const request = await operation.readRequest(context, itemIndex, { waitMode, asTool, options });
	const callback = parks ? await callbackTarget(context, itemIndex) : undefined;
	const output = context.getNodeParameter('output', itemIndex, kind.defaultOutput) as TaskOutput;
	const graceMs = Math.max(1, Number(options.callbackGrace ?? DEFAULT_CALLBACK_GRACE_SECONDS)) * 1000;
	const poll = pollSettingsFrom(options, asTool ? TOOL_WAIT_MS : parks ? graceMs : undefined);
	const callsPerMinute = callsPerMinuteFrom(options);
	const pairedItem = { item: itemIndex };
	let started: SelzyTask = { task_uuid: '', status: 'new' };

	const conditionMs = asTool ? Math.min(TOOL_WAIT_MS, pollSettingsFrom(options).timeoutMs) : pollSettingsFrom(options).timeoutMs;
	return {
		itemIndex,
		kindOf: () => kind,
		...newTaskTiming(waitMode === 'none' ? 'none' : 'poll', poll),
		startWhen: request.startWhen && { ...request.startWhen, timeoutMs: conditionMs },
		start: async (signal) => {
			const target = callback?.notifyUrl ?? notifyUrl;
			started = await startTask(context, kind, request, target, itemIndex, { signal, callsPerMinute });
			return { task_uuid: started.task_uuid, status: started.status };
		},
		stillPending: asTool
			? async (task) => taskToolAnswer({ ...started, ...task }, kind, itemIndex)
			: callback
				? async () => await park(context, itemIndex, started, callback, options, poll.timeoutMs)
				: undefined,
		finish: async (task, signal) => {
			if (waitMode === 'none') return asTool ? taskToolAnswer(started, kind, itemIndex) : [{ json: started, pairedItem }];
			const items = await finishedTaskItems(context, { ...started, ...task }, kind, output, options, itemIndex, signal);
			if (isTaskReady(task)) request.afterReturn?.();
			return items;
		},
	};
}

/** Asks Selzy to start the task (once: never resent when it may have arrived); returns it as an item. */
async function startTask(
	context: IExecuteFunctions,
	kind: TaskKind,
	request: TaskRequest,
	notifyUrl: string,
	itemIndex: number,
	call: Pick<SelzyCallOptions, 'signal' | 'callsPerMinute'>,
): Promise<SelzyTask> {
	const params: IDataObject = { ...request.params };
	if (notifyUrl) params.notify_url = notifyUrl;
	const answer = (await selzyApiRequest.call(context, kind.startMethod, params, {
		startsWork: true,
		itemIndex,
		methodCallsPerMinute: kind.startsPerMinute,
		...call,
	})) as IDataObject | undefined;
	const taskUuid = String(answer?.task_uuid ?? '');
	if (!taskUuid) {
		throw new NodeOperationError(context.getNode(), `Selzy accepted the ${kind.noun} request but returned no task ID`, { itemIndex });
	}
	context.logger.info(`Selzy ${request.subject}: ${kind.noun} task ${taskUuid} started`);
	return { task_uuid: taskUuid, status: String(answer?.status ?? 'new'), task_type: kind.taskType, ...request.about };
}

/** Until Selzy Notifies, once the grace period passed: the execution waits for Selzy's callback. */
async function park(
	context: IExecuteFunctions,
	itemIndex: number,
	task: SelzyTask,
	callback: CallbackTarget,
	options: IDataObject,
	graceMs: number,
): Promise<INodeExecutionData[]> {
	const fullTimeout = pollSettingsFrom(options).timeoutMs;
	await parkUntilCallback(context, itemIndex, task, callback.secretDigest, Math.max(60_000, fullTimeout - graceMs));
	return context.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }));
}

function readNotifyUrl(context: IExecuteFunctions, itemIndex: number): string {
	const notifyUrl = String(context.getNodeParameter('notifyUrl', itemIndex, '')).trim();
	if (notifyUrl && !/^https?:\/\/[^\s]+$/i.test(notifyUrl)) {
		throw new NodeOperationError(context.getNode(), 'Notify URL must be an http(s) address', { itemIndex });
	}
	return notifyUrl;
}

/** One execution can wait for one callback. */
function checkOneItem(context: IExecuteFunctions, kind: TaskKind, itemIndex: number): void {
	const itemCount = context.getInputData().length;
	if (itemCount <= 1) return;
	throw new NodeOperationError(
		context.getNode(),
		`“Until Selzy Notifies” handles one ${kind.noun} per execution, but this node received ${itemCount} items`,
		{
			itemIndex,
			description:
				'Put the node inside a Loop Over Items node with batch size 1 (each loop waits for its own callback), or use “Poll Until Ready”.',
		},
	);
}
