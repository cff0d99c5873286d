import type { IDataObject, IExecuteFunctions, INode, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { selzyApiRequest, type SelzyCallOptions } from '../transport/request';

/** Statuses Selzy shows while a task is still being prepared. */
const PENDING_STATUSES = new Set(['new', 'processing', 'pending', 'queued', 'in_progress', 'running']);

/** A Selzy async task as `getTaskResult` (or its callback) describes it. */
export interface SelzyTask extends IDataObject {
	task_uuid: string;
	task_type?: string;
	status: string;
	file_to_download?: string;
}

/**
 * A task known only by the ID a callback claimed, to be verified with Selzy before it is used:
 * nothing else the callback said is kept.
 */
export function unverifiedTask(claimed: SelzyTask): SelzyTask {
	return { task_uuid: claimed.task_uuid, status: 'unverified', verified: false };
}

export function isUnverified(task: SelzyTask): boolean {
	return task.verified === false;
}

export const TASK_UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTaskPending(task: SelzyTask): boolean {
	return PENDING_STATUSES.has(String(task.status).toLowerCase());
}

export function isTaskCompleted(task: SelzyTask): boolean {
	return String(task.status).toLowerCase() === 'completed';
}

/** Completed, with a file to download. */
export function isTaskReady(task: SelzyTask): boolean {
	return isTaskCompleted(task) && Boolean(task.file_to_download);
}

/** Selzy reports the task in a state that is neither pending nor completed; `noun` says what it was to be. */
export function taskFailedError(node: INode, task: SelzyTask, noun: string, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(node, `Selzy reports task ${task.task_uuid} as "${task.status}"`, {
		itemIndex,
		description: `The ${noun} could not be prepared. Request a new one; if it fails again, contact Selzy support with the task ID.`,
	});
}

export async function getTaskResult(
	this: IExecuteFunctions | IWebhookFunctions,
	taskUuid: string,
	options: SelzyCallOptions = {},
): Promise<SelzyTask> {
	const result = await selzyApiRequest.call(this, 'async/getTaskResult', { task_uuid: taskUuid }, options);
	const task = (result ?? {}) as SelzyTask;
	return { ...task, task_uuid: String(task.task_uuid ?? taskUuid), status: String(task.status ?? 'unknown') };
}
