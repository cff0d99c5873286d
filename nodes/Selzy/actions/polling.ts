import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { pollTask, type PollOutcome, type PollSettings } from '../transport/tasks';

/** Poll settings from the node's options; `capMs` shortens the wait (tool mode). */
export function pollSettingsFrom(options: IDataObject, itemIndex: number, capMs?: number): PollSettings {
	const timeoutMs = Math.max(1, Number(options.timeout ?? 30)) * 60_000;
	return {
		firstDelayMs: Math.max(1, Number(options.pollInterval ?? 5)) * 1000,
		maxDelayMs: 60_000,
		timeoutMs: capMs ? Math.min(capMs, timeoutMs) : timeoutMs,
		itemIndex,
	};
}

/**
 * Polls until the task completes. A timeout is an error naming the task ID, except for a tool
 * call, where the agent gets the pending task back to ask again later.
 */
export async function finishWaiting(
	this: IExecuteFunctions,
	taskUuid: string,
	settings: PollSettings,
	returnPendingOnTimeout: boolean,
): Promise<PollOutcome> {
	const outcome = await pollTask.call(this, taskUuid, settings);
	if (outcome.timedOut && !returnPendingOnTimeout) {
		const minutes = Math.round(settings.timeoutMs / 60_000);
		throw new NodeOperationError(
			this.getNode(),
			`The report was not ready after ${minutes} minute${minutes === 1 ? '' : 's'} (task ${taskUuid}, status "${outcome.task.status}")`,
			{
				itemIndex: settings.itemIndex,
				description: `Selzy is still preparing it. Fetch it later with Task → Get Result and task ID ${taskUuid}, or raise the Timeout option.`,
			},
		);
	}
	return outcome;
}
