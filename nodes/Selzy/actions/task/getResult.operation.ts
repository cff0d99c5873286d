import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { reportOptionFields, reportOutputProperty } from '../common.descriptions';
import type { ReportOutput } from '../../delivery/settings';
import { deliverCompletedTask } from '../../delivery/deliver';
import { completedToolAnswer, runsAsTool, taskToolAnswer } from '../../delivery/toolAnswer';
import { finishWaiting, pollSettingsFrom } from '../polling';
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
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 5,
				description: 'First wait between status checks (Poll Until Ready)',
			},
			{
				displayName: 'Timeout (Minutes)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'Give up waiting after this long (Poll Until Ready)',
			},
			...reportOptionFields,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['task'], operation: ['getResult'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
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

	const task =
		waitMode === 'poll'
			? (await finishWaiting.call(this, taskUuid, pollSettingsFrom(options, itemIndex), false)).task
			: await getTaskResult.call(this, taskUuid, { itemIndex });

	const asTool = runsAsTool(this);
	if (output === 'status' || !isTaskCompleted(task) || !task.file_to_download) {
		if (asTool) return taskToolAnswer(task, itemIndex);
		return [{ json: { ...task, ready: isTaskCompleted(task) && Boolean(task.file_to_download) }, pairedItem: { item: itemIndex } }];
	}
	return asTool
		? await completedToolAnswer(this, task, output as ReportOutput, options, itemIndex)
		: await deliverCompletedTask(this, task, output as ReportOutput, options, itemIndex);
}
