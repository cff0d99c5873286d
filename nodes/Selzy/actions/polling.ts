import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { PollSettings, SelzyTask } from '../transport/tasks';

/** The first check comes soon, so a small report is back in about a second; the waits then grow. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 1;
export const DEFAULT_TIMEOUT_MINUTES = 30;
/** As an AI agent's tool the node waits at most this long, then returns the pending task. */
export const TOOL_WAIT_MS = 60_000;
/** Ready reports downloaded at once when several items wait together. */
export const DEFAULT_PARALLEL_DOWNLOADS = 2;

/** Poll settings from the node's options; `capMs` shortens the wait (tool mode, callback grace). */
export function pollSettingsFrom(options: IDataObject, itemIndex: number, capMs?: number): PollSettings {
	const timeoutMs = Math.max(1, Number(options.timeout ?? DEFAULT_TIMEOUT_MINUTES)) * 60_000;
	return {
		firstDelayMs: Math.max(0.2, Number(options.pollInterval ?? DEFAULT_POLL_INTERVAL_SECONDS)) * 1000,
		maxDelayMs: 60_000,
		timeoutMs: capMs ? Math.min(capMs, timeoutMs) : timeoutMs,
		itemIndex,
	};
}

/** The API Calls per Minute option. */
export function callsPerMinuteFrom(options: IDataObject): number | undefined {
	const value = Number(options.callsPerMinute);
	return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A task not ready within the Timeout: the error names the task, to fetch it later. */
export function notReadyError(node: INode, task: SelzyTask, timeoutMs: number, itemIndex: number): NodeOperationError {
	const minutes = Math.round(timeoutMs / 60_000);
	const waited = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(timeoutMs / 1000)} seconds`;
	return new NodeOperationError(
		node,
		`The report was not ready after ${waited} (task ${task.task_uuid}, status "${task.status}")`,
		{
			itemIndex,
			description: `Selzy is still preparing it. Fetch it later with Task → Get Result and task ID ${task.task_uuid}, or raise the Timeout option.`,
		},
	);
}
