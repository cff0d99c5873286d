import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { fileOptionFields, outputProperty } from '../../results/descriptions';
import { finishedTaskItems, type TaskOutput } from '../../results/finished';
import type { TaskKinds } from '../../tasks/kinds';
import { getTaskResult, TASK_UUID_PATTERN } from '../../tasks/task';
import type { Operation } from '../operation';
import { callsPerMinuteFrom, pollSettingsFrom, type TaskJob } from '../taskRun';
import { waitingOptionFields } from '../wait.descriptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskUuid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'ff719cf2-0d4b-4b34-9b2f-4c2ea7f3b2a1',
		description:
			'The task_uuid returned by Campaign → Get Delivery Report or Contact → Export (also to an AI agent when a report was not ready in time), or received by a Selzy Trigger. The result is shaped by the task’s type.',
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
	outputProperty(undefined, [
		{ name: 'Task Status', value: 'status', description: 'Only the task, without downloading the report' },
	]),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...waitingOptionFields, ...fileOptionFields],
	},
];

/** Task → Get Result: a task of any kind by its ID, shaped by its task_type. */
export const getResult: Operation = {
	option: {
		name: 'Get Result',
		value: 'getResult',
		action: 'Get the result of a task',
		description: 'Check a report or export task by its ID; download its file once it is ready',
	},
	description: updateDisplayOptions({ show: { resource: ['task'], operation: ['getResult'] } }, properties),
	/** Every mode is a task job: the router checks the tasks of all items together. */
	async prepareJob(this: IExecuteFunctions, itemIndex: number, kinds: TaskKinds): Promise<TaskJob> {
		const taskUuid = String(this.getNodeParameter('taskUuid', itemIndex, '')).trim();
		const waitMode = this.getNodeParameter('waitMode', itemIndex, 'none') as string;
		const output = this.getNodeParameter('output', itemIndex, 'summary') as TaskOutput;
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;

		if (!TASK_UUID_PATTERN.test(taskUuid)) {
			throw new NodeOperationError(
				this.getNode(),
				`Task ID: "${taskUuid}" is not a Selzy task ID (expected a UUID such as ff719cf2-0d4b-4b34-9b2f-4c2ea7f3b2a1)`,
				{ itemIndex },
			);
		}
		const poll = pollSettingsFrom(options);
		const callsPerMinute = callsPerMinuteFrom(options);
		return {
			itemIndex,
			kindOf: (task) => kinds.of(task.task_type),
			startChecksStatus: true,
			waitUntilReady: waitMode === 'poll',
			timeoutMs: poll.timeoutMs,
			firstCheckMs: poll.firstDelayMs,
			start: async (signal) => await getTaskResult.call(this, taskUuid, { itemIndex, signal, callsPerMinute }),
			finish: async (task, signal) =>
				await finishedTaskItems(this, task, kinds.of(task.task_type), output, options, itemIndex, signal),
		};
	},
};
