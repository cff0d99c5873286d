import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { TaskKind } from '../tasks/kinds';
import { isTaskReady, type SelzyTask } from '../tasks/task';
import { itemsFromFile } from './fileItems';
import type { Output } from './settings';
import { completedToolAnswer, runsAsTool, taskToolAnswer } from './toolAnswer';

/** What an action node returns for a task: its file as an output, or only the task's status. */
export type TaskOutput = Output | 'status';

/**
 * The one decision for a task an action node is done waiting for: a ready task's file as the
 * chosen output (sized for a model when the node is a tool), otherwise the task as it stands
 * with `ready: false` (or, for a model, what to ask next).
 */
export async function finishedTaskItems(
	context: IExecuteFunctions,
	task: SelzyTask,
	kind: TaskKind,
	output: TaskOutput,
	options: IDataObject,
	itemIndex: number,
	signal?: AbortSignal,
): Promise<INodeExecutionData[]> {
	const asTool = runsAsTool(context);
	const ready = isTaskReady(task);
	if (output === 'status' || !ready) {
		return asTool ? taskToolAnswer(task, kind, itemIndex) : [{ json: { ...task, ready }, pairedItem: { item: itemIndex } }];
	}
	return asTool
		? await completedToolAnswer(context, task, kind, output, options, itemIndex, signal)
		: await itemsFromFile(context, task, kind, output, options, { itemIndex, signal });
}
