import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ReportError, ReportLimitError } from '../report/errors';
import type { SelzyTask } from '../transport/tasks';

/**
 * Turns a failure while delivering a report into an n8n error a user can act on. Only a problem
 * with the file itself is worded as one; anything else (the disk is full, the binary store
 * refuses, a bug) says the report could not be delivered and keeps its own message.
 */
export function reportFailure(
	node: INode,
	error: unknown,
	task: SelzyTask,
	itemIndex?: number,
): NodeOperationError | NodeApiError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		if (error.description && !error.description.includes(task.task_uuid)) {
			error.description = `${error.description} Task ID: ${task.task_uuid}.`;
		}
		return error;
	}
	const message = error instanceof Error ? error.message : String(error);
	if (error instanceof ReportLimitError) {
		return new NodeOperationError(node, `The report of task ${task.task_uuid} was not returned: ${message}`, {
			itemIndex,
			description: error.hint,
		});
	}
	if (error instanceof ReportError) {
		return new NodeOperationError(node, `The report of task ${task.task_uuid} could not be read: ${message}`, {
			itemIndex,
			description:
				error.hint ??
				'The file Selzy produced is not in a format this node understands. Choose the File output to get it unparsed, and report the case to the package maintainers.',
		});
	}
	return new NodeOperationError(node, `The report of task ${task.task_uuid} could not be delivered: ${message}`, {
		itemIndex,
		description: `Nothing is wrong with the report itself as far as the node can tell; the failure above happened while handling it on this n8n server. Fix its cause and run the workflow again, or fetch the report later with Task → Get Result and task ID ${task.task_uuid}.`,
	});
}
