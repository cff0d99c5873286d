import type { IDataObject, IExecuteFunctions, INode, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { selzyCodeOf } from './errors';
import { selzyApiRequest, type SelzyCallOptions } from './request';
import { waitUnlessCancelled } from './wait';

/** The last poll before the Timeout still gets this long to be answered. */
const LAST_POLL_MS = 5_000;

/** Statuses Selzy shows while a task is still being prepared. */
const PENDING_STATUSES = new Set(['new', 'processing', 'pending', 'queued', 'in_progress', 'running']);

/** A Selzy async task as `getTaskResult` (or its callback) describes it. */
export interface SelzyTask extends IDataObject {
	task_uuid: string;
	task_type?: string;
	status: string;
	file_to_download?: string;
}

/** `task_type` of the task kinds this package knows: Selzy names a task by the method that created it. */
export const TASK_TYPES = { deliveryReport: 'getCampaignDeliveryStats', contactExport: 'exportContacts' } as const;

export type TaskKind = keyof typeof TASK_TYPES | 'unknown';

/**
 * The kind of a task by its `task_type`. The exact spelling Selzy uses is not documented, so case
 * and an `async/` prefix are ignored. A task without a type counts as a delivery report, which is
 * what every such task was before contact exports existed.
 */
export function taskKindOf(taskType: unknown): TaskKind {
	const name = String(taskType ?? '').trim().toLowerCase().replace(/^async\//, '');
	if (name === '' || name === TASK_TYPES.deliveryReport.toLowerCase()) return 'deliveryReport';
	if (name === TASK_TYPES.contactExport.toLowerCase()) return 'contactExport';
	return 'unknown';
}

export const TASK_UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTaskPending(task: SelzyTask): boolean {
	return PENDING_STATUSES.has(String(task.status).toLowerCase());
}

export function isTaskCompleted(task: SelzyTask): boolean {
	return String(task.status).toLowerCase() === 'completed';
}

/** Selzy reports the task in a state that is neither pending nor completed. */
export function taskFailedError(node: INode, task: SelzyTask, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(node, `Selzy reports task ${task.task_uuid} as "${task.status}"`, {
		itemIndex,
		description: 'The report could not be prepared. Request a new report; if it fails again, contact Selzy support with the task ID.',
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

export interface PollSettings {
	firstDelayMs: number;
	maxDelayMs: number;
	timeoutMs: number;
	itemIndex: number;
}

export interface PollOutcome {
	task: SelzyTask;
	timedOut: boolean;
}

/**
 * Asks Selzy for the task until it is completed, waiting longer between polls as time goes by.
 * Ends at once on cancel; a failed task is an error; a timeout is returned for the caller to word.
 */
export async function pollTask(
	this: IExecuteFunctions,
	taskUuid: string,
	settings: PollSettings,
): Promise<PollOutcome> {
	const signal = this.getExecutionCancelSignal();
	const started = Date.now();
	let delay = settings.firstDelayMs;
	let lastStatus = '';
	for (let poll = 1; ; poll++) {
		const left = settings.timeoutMs - (Date.now() - started);
		// A request that hangs must not stretch the wait past the Timeout: cut short there, the
		// poll ends the wait like a task that is still pending.
		const task = await getTaskResult
			.call(this, taskUuid, { itemIndex: settings.itemIndex, retry: { maxTotalMs: Math.max(left, LAST_POLL_MS) } })
			.catch((error: unknown) => {
				const outOfTime = Date.now() - started >= settings.timeoutMs;
				if (outOfTime && selzyCodeOf(error) === 'timeout') return undefined;
				throw error;
			});
		if (!task) return { task: { task_uuid: taskUuid, status: lastStatus || 'unknown' }, timedOut: true };
		if (task.status !== lastStatus) {
			this.logger.info(`Selzy task ${taskUuid}: ${task.status} (poll ${poll}, ${Math.round((Date.now() - started) / 1000)} s)`);
			lastStatus = task.status;
		}
		if (isTaskCompleted(task)) return { task, timedOut: false };
		if (!isTaskPending(task)) {
			throw taskFailedError(this.getNode(), task, settings.itemIndex);
		}
		const remaining = settings.timeoutMs - (Date.now() - started);
		if (remaining <= 0) return { task, timedOut: true };
		if (!(await waitUnlessCancelled(Math.min(delay, remaining), signal))) {
			throw new NodeOperationError(this.getNode(), 'The execution was cancelled', { itemIndex: settings.itemIndex });
		}
		delay = Math.min(settings.maxDelayMs, Math.round(delay * 1.5));
	}
}
