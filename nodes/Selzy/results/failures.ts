import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ReportError, ReportLimitError } from '../report/errors';
import type { TaskKind } from '../tasks/kinds';
import type { SelzyTask } from '../tasks/task';

/**
 * Turns a failure while returning a task's file into an n8n error a user can act on. Only a
 * problem with the file itself is worded as one; anything else (the disk is full, the binary
 * store refuses, a bug) says the file could not be returned and keeps its own message.
 */
export function fileFailure(
	node: INode,
	error: unknown,
	task: SelzyTask,
	kind: TaskKind,
	itemIndex?: number,
): NodeOperationError | NodeApiError {
	const what = `The ${kind.noun} of task ${task.task_uuid}`;
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		if (error.description && !error.description.includes(task.task_uuid)) {
			error.description = `${error.description} Task ID: ${task.task_uuid}.`;
		}
		return error;
	}
	const message = error instanceof Error ? error.message : String(error);
	if (error instanceof ReportLimitError) {
		return new NodeOperationError(node, `${what} was not returned: ${message}`, {
			itemIndex,
			description: error.hint,
		});
	}
	if (error instanceof ReportError) {
		return new NodeOperationError(node, `${what} could not be read: ${message}`, {
			itemIndex,
			description:
				error.hint ??
				'The file Selzy produced is not in a format this node understands. Choose the File output to get it unparsed, and report the case to the package maintainers.',
		});
	}
	return new NodeOperationError(node, `${what} could not be delivered: ${message}`, {
		itemIndex,
		description: `Nothing is wrong with the file itself as far as the node can tell; the failure above happened while handling it on this n8n server. Fix its cause and run the workflow again, or fetch it later with Task → Get Result and task ID ${task.task_uuid}.`,
	});
}
