import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { deliverReport, readReportSettings, reportFailure, type ReportOutput, type SelzyTask } from '../report/output';
import { fetchFieldNamesById } from '../transport/catalog';
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

/** Downloads a completed task's report as the chosen output; every item is paired with its input. */
export async function deliverTaskReport(
	this: IExecuteFunctions,
	task: SelzyTask,
	output: ReportOutput,
	options: IDataObject,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const settings = readReportSettings(output, options);
	if (output === 'rows') settings.fieldNamesById = await fetchFieldNamesById.call(this);
	let items: INodeExecutionData[];
	try {
		items = await deliverReport(this, task, settings);
	} catch (error) {
		throw reportFailure(this.getNode(), error, task, itemIndex);
	}
	const pairedItem = { item: itemIndex };
	for (const item of items) item.pairedItem = pairedItem;
	return items;
}
