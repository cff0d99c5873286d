import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { reportOptionFields, reportOutputProperty, waitingOptionFields } from '../common.descriptions';
import type { ReportOutput } from '../../delivery/settings';
import { deliverCompletedTask } from '../../delivery/deliver';
import { completedToolAnswer, runsAsTool, taskToolAnswer } from '../../delivery/toolAnswer';
import { callsPerMinuteFrom, pollSettingsFrom } from '../polling';
import type { TaskJob } from '../taskRun';
import { getTaskResult, isTaskCompleted, TASK_UUID_PATTERN } from '../../transport/tasks';

const properties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskUuid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'ff719cf2-0d4b-4b34-9b2f-4c2ea7f3b2a1',
		description:
			'The task_uuid returned by Campaign → Get Delivery Report (also to an AI agent when a report was not ready in time) or received by a Selzy Trigger',
	},
	{
		displayName: 'Wait',
		name: 'waitMode',
		type: 'options',
		options: [
			{
				name: "Don't Wait",
				value: 'none',
				description: 'Return the task as it is now; download the report only if it is ready',
			},
			{ name: 'Poll Until Ready', value: 'poll', description: 'Ask Selzy until the report is ready' },
		],
		default: 'none',
	},
	reportOutputProperty(undefined, [
		{ name: 'Task Status', value: 'status', description: 'Only the task, without downloading the report' },
	]),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			...waitingOptionFields,
			...reportOptionFields,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['task'], operation: ['getResult'] } },
	properties,
);

/** Every mode is a task job: the router checks the tasks of all items together. */
export async function prepareJob(this: IExecuteFunctions, itemIndex: number): Promise<TaskJob> {
	const taskUuid = String(this.getNodeParameter('taskUuid', itemIndex, '')).trim();
	const waitMode = this.getNodeParameter('waitMode', itemIndex, 'none') as string;
	const output = this.getNodeParameter('output', itemIndex, 'summary') as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;

	if (!TASK_UUID_PATTERN.test(taskUuid)) {
		throw new NodeOperationError(
			this.getNode(),
			`Task ID: "${taskUuid}" is not a Selzy task ID (expected a UUID such as ff719cf2-0d4b-4b34-9b2f-4c2ea7f3b2a1)`,
			{ itemIndex },
		);
	}
	const poll = pollSettingsFrom(options, itemIndex);
	const asTool = runsAsTool(this);
	const callsPerMinute = callsPerMinuteFrom(options);
	return {
		itemIndex,
		startChecksStatus: true,
		waitUntilReady: waitMode === 'poll',
		timeoutMs: poll.timeoutMs,
		firstCheckMs: poll.firstDelayMs,
		start: async (signal) => await getTaskResult.call(this, taskUuid, { itemIndex, signal, callsPerMinute }),
		finish: async (task, signal) => {
			const ready = isTaskCompleted(task) && Boolean(task.file_to_download);
			if ((output === 'status' || !ready) && asTool) return taskToolAnswer(task, itemIndex);
			if (output === 'status' || !ready) return [{ json: { ...task, ready }, pairedItem: { item: itemIndex } }];
			return asTool
				? await completedToolAnswer(this, task, output as ReportOutput, options, itemIndex, signal)
				: await deliverCompletedTask(this, task, output as ReportOutput, options, itemIndex, signal);
		},
	};
}
