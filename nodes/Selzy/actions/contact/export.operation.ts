import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { reportOptionFields, waitingOptionFields } from '../common.descriptions';
import { deliverCompletedTask } from '../../delivery/deliver';
import { completedToolAnswer, runsAsTool, taskToolAnswer } from '../../delivery/toolAnswer';
import type { ReportOutput } from '../../delivery/settings';
import { callsPerMinuteFrom, pollSettingsFrom, TOOL_WAIT_MS } from '../polling';
import { selzyApiRequest, type SelzyCallOptions } from '../../transport/request';
import { TASK_TYPES, type SelzyTask } from '../../transport/tasks';
import { newTaskTiming, type TaskJob } from '../taskRun';
import { callbackTarget } from '../../callback/resume';
import { callbackGraceOption, callbackNoticeProperty, deliverOrWaitForCallback, notifyUrlProperty } from '../callbackWait';

const DEFAULT_FIELD_NAMES = ['email', 'email_status', 'phone', 'phone_status'];

const EMAIL_STATUSES = ['active', 'activation_requested', 'blocked', 'inactive', 'invited', 'new', 'unsubscribed'];
const PHONE_STATUSES = ['active', 'blocked', 'inactive', 'new', 'unsubscribed'];
const statusOptions = (values: string[]) => values.map((value) => ({ name: value, value }));

/** Report options that make sense for a contact file (no delivery statuses, no row format). */
const CONTACT_OPTION_NAMES = new Set([
	'binaryPropertyName',
	'fileName',
	'maxRows',
	'stallTimeout',
	'maxDownloadSize',
	'downloadTimeLimit',
	'rowSafetyLimit',
	'maxUnpackedSize',
	'maxUnpackRatio',
	'neutralizeFormulas',
]);

const properties: INodeProperties[] = [
	{
		displayName: 'List',
		name: 'listId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description: 'The contact list to export. Leave empty to export every contact of the account.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchLists', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '12',
				validation: [{ type: 'regex', properties: { regex: '^\\s*\\d*\\s*$', errorMessage: 'A list ID is a number' } }],
			},
		],
	},
	{
		displayName: 'Field Names or IDs',
		name: 'fieldNames',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getContactFieldNames' },
		default: ['email', 'email_status', 'phone', 'phone_status'],
		description:
			'Columns of the export, in this order: Selzy’s system fields and your own contact fields (by name). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Wait',
		name: 'waitMode',
		type: 'options',
		options: [
			{ name: 'Poll Until Ready', value: 'poll', description: 'Ask Selzy every few seconds until the export is ready, then return it' },
			{
				name: 'Until Selzy Notifies (No Worker Held)',
				value: 'callback',
				description:
					'Checks for up to 45 seconds, then parks the execution until Selzy calls back. Needs an n8n URL Selzy can reach (WEBHOOK_URL) and one input item per execution.',
			},
			{
				name: "Don't Wait",
				value: 'none',
				description: 'Return the task ID at once; fetch the contacts later with Task → Get Result or a Selzy Trigger',
			},
		],
		default: 'poll',
	},
	callbackNoticeProperty,
	notifyUrlProperty(
		'Optional. Selzy POSTs the finished task here. Paste the Production URL of an active Selzy Trigger whose Task Types include Contact Export (add ?token=… if it has a shared secret).',
	),
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'File', value: 'file', description: 'One item with the task as JSON and the export file as binary data' },
			{ name: 'Rows', value: 'rows', description: 'One item per contact, with the file’s columns and values unchanged' },
			{ name: 'Summary', value: 'summary', description: 'One item with the total and counts per email status and phone status' },
		],
		default: 'rows',
		description: 'What to return once the export is ready. Rows and Summary read the file as it downloads.',
		displayOptions: { show: { waitMode: ['poll', 'callback'] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Selzy exports only the contacts that match every filter set here',
		options: [
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '', description: 'Only the contact with this email address' },
			{ displayName: 'Email Status', name: 'emailStatus', type: 'options', options: statusOptions(EMAIL_STATUSES), default: 'active', description: 'Only contacts whose email address has this status' },
			{ displayName: 'Phone', name: 'phone', type: 'string', placeholder: '+79001234567', default: '', description: 'Only the contact with this phone number' },
			{ displayName: 'Phone Status', name: 'phoneStatus', type: 'options', options: statusOptions(PHONE_STATUSES), default: 'active', description: 'Only contacts whose phone number has this status' },
			{ displayName: 'Tag', name: 'tag', type: 'string', default: '', description: 'Only contacts with this tag' },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			callbackGraceOption(),
			...waitingOptionFields,
			...reportOptionFields.filter((field) => CONTACT_OPTION_NAMES.has(field.name)),
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['export'] } }, properties);

interface ExportRequest {
	listId: string;
	fieldNames: string[];
	filters: IDataObject;
	waitMode: string;
	notifyUrl: string;
	options: IDataObject;
}

/** Until Selzy Notifies: one export per execution, which parks until Selzy calls back. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const request = readExportRequest(this, itemIndex);
	const { options } = request;
	checkOneItemPerExecution(this, itemIndex);
	const callback = await callbackTarget(this, itemIndex);

	const taskJson = await startExport(this, request, callback.notifyUrl, itemIndex);
	return await deliverOrWaitForCallback(this, itemIndex, taskJson, callback, async (task) => await deliverExport(this, task, options, itemIndex));
}

/**
 * Poll Until Ready and Don't Wait as a job of the run of all input items (actions/taskRun.ts): the
 * export is started, checked together with the other items' tasks, and delivered when ready.
 * Until Selzy Notifies runs the item on its own (`execute`), since it parks the execution.
 */
export async function prepareJob(this: IExecuteFunctions, itemIndex: number): Promise<TaskJob | undefined> {
	const request = readExportRequest(this, itemIndex);
	const { options, waitMode } = request;
	const asTool = runsAsTool(this);
	if (waitMode === 'callback' && !asTool) return undefined;

	const poll = pollSettingsFrom(options, itemIndex, asTool ? TOOL_WAIT_MS : undefined);
	const callsPerMinute = callsPerMinuteFrom(options);
	const pairedItem = { item: itemIndex };
	let taskJson: IDataObject = {};
	return {
		itemIndex,
		...newTaskTiming(waitMode, poll),
		start: async (signal) => {
			taskJson = await startExport(this, request, undefined, itemIndex, { signal, callsPerMinute });
			return { task_uuid: String(taskJson.task_uuid), status: String(taskJson.status) };
		},
		// A tool returns the pending task for the agent to ask again later.
		stillPending: asTool ? (task) => taskToolAnswer({ ...taskJson, ...task }, itemIndex) : undefined,
		finish: async (task, signal) => {
			if (waitMode === 'none') return asTool ? taskToolAnswer(taskJson as SelzyTask, itemIndex) : [{ json: taskJson, pairedItem }];
			if (!task.file_to_download && asTool) return taskToolAnswer({ ...taskJson, ...task }, itemIndex);
			if (!task.file_to_download) return [{ json: { ...taskJson, ...task, ready: false }, pairedItem }];
			return await deliverExport(this, task, options, itemIndex, signal, asTool);
		},
	};
}

async function deliverExport(
	context: IExecuteFunctions,
	completed: SelzyTask,
	options: IDataObject,
	itemIndex: number,
	signal?: AbortSignal,
	asTool = false,
): Promise<INodeExecutionData[]> {
	const output = context.getNodeParameter('output', itemIndex, 'rows') as ReportOutput;
	// The task is ours: if Selzy's answer names no type, it is still a contact export.
	const task: SelzyTask = { ...completed, task_type: completed.task_type || TASK_TYPES.contactExport };
	return asTool
		? await completedToolAnswer(context, task, output, options, itemIndex, signal)
		: await deliverCompletedTask(context, task, output, options, itemIndex, signal);
}

/** The item's parameters, checked before anything is sent to Selzy. */
function readExportRequest(context: IExecuteFunctions, itemIndex: number): ExportRequest {
	const node = context.getNode();
	const listId = String(context.getNodeParameter('listId', itemIndex, '', { extractValue: true }) ?? '').trim();
	const names = context.getNodeParameter('fieldNames', itemIndex, DEFAULT_FIELD_NAMES) as unknown;
	const fieldNames = (Array.isArray(names) ? names : String(names ?? '').split(','))
		.map((name) => String(name).trim())
		.filter(Boolean);
	const notifyUrl = String(context.getNodeParameter('notifyUrl', itemIndex, '')).trim();
	if (listId && !/^\d+$/.test(listId)) {
		throw new NodeOperationError(node, `List: "${listId}" is not a list ID; choose a list or enter its numeric ID`, { itemIndex });
	}
	if (notifyUrl && !/^https?:\/\/[^\s]+$/i.test(notifyUrl)) {
		throw new NodeOperationError(node, 'Notify URL must be an http(s) address', { itemIndex });
	}
	return {
		listId,
		fieldNames: [...new Set(fieldNames)],
		filters: context.getNodeParameter('filters', itemIndex, {}) as IDataObject,
		waitMode: context.getNodeParameter('waitMode', itemIndex, 'poll') as string,
		notifyUrl,
		options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
	};
}

/** Asks Selzy to export (once: never resent when it may have arrived); returns the task as an item. */
async function startExport(
	context: IExecuteFunctions,
	request: ExportRequest,
	callbackUrl: string | undefined,
	itemIndex: number,
	call: Pick<SelzyCallOptions, 'signal' | 'callsPerMinute'> = {},
): Promise<IDataObject> {
	const params: IDataObject = {};
	if (request.listId) params.list_id = request.listId;
	if (request.fieldNames.length) params.field_names = request.fieldNames;
	const notifyUrl = callbackUrl ?? request.notifyUrl;
	if (notifyUrl) params.notify_url = notifyUrl;
	const { email, phone, tag, emailStatus, phoneStatus } = request.filters;
	for (const [name, value] of Object.entries({ email, phone, tag, email_status: emailStatus, phone_status: phoneStatus })) {
		const text = String(value ?? '').trim();
		if (text) params[name] = text;
	}
	const started = (await selzyApiRequest.call(context, 'async/exportContacts', params, {
		startsWork: true,
		itemIndex,
		...call,
	})) as IDataObject;
	const taskUuid = String(started?.task_uuid ?? '');
	if (!taskUuid) {
		throw new NodeOperationError(context.getNode(), 'Selzy accepted the export request but returned no task ID', { itemIndex });
	}
	context.logger.info(`Selzy contact export task ${taskUuid} started`);
	const taskJson: IDataObject = { task_uuid: taskUuid, status: String(started?.status ?? 'new'), task_type: TASK_TYPES.contactExport };
	if (request.listId) taskJson.list_id = Number(request.listId);
	return taskJson;
}

/** One execution can wait for one callback. */
function checkOneItemPerExecution(context: IExecuteFunctions, itemIndex: number): void {
	const itemCount = context.getInputData().length;
	if (itemCount <= 1) return;
	throw new NodeOperationError(
		context.getNode(),
		`“Until Selzy Notifies” handles one export per execution, but this node received ${itemCount} items`,
		{
			itemIndex,
			description: 'Put the node inside a Loop Over Items node with batch size 1, or use “Poll Until Ready”.',
		},
	);
}
