/**
 * The Selzy Trigger's step inside the execution n8n starts with the verified task: the file is
 * read here, where n8n runs executions (on a worker in queue mode), after Selzy was answered and
 * the execution was saved. So a crash during the download leaves an execution to retry, and the
 * process that answers Selzy stays light.
 *
 * Repeats are caught in n8n's deduplication store, which every n8n process shares: an execution
 * records the task before its download, and a task another execution recorded returns nothing.
 * A failed execution takes its record back, so Selzy's repeat is taken again; a crashed one keeps
 * it and is there to retry. n8n's store reads and then writes without a lock: a lost addition only
 * lets a repeat through (a duplicate), so entries are added as the task is taken and removed only
 * after a failure; a look-up written and taken back at once could bring back a stale list and make
 * two executions of one task both skip it.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, ICheckProcessedOptions } from 'n8n-workflow';

import { itemsFromFile } from '../results/fileItems';
import type { Output } from '../results/settings';
import type { TaskKinds } from '../tasks/kinds';
import { getTaskResult, isTaskReady, isUnverified, type SelzyTask } from '../tasks/task';
import { selzyCodeOf } from '../transport/errors';
import { releaseTask, taskKey } from './duplicates';
import { triggerScope } from './handler';
import { wantedTasks } from './trigger';

/** Returned tasks remembered per trigger in n8n's deduplication store. */
const RETURNED_TASKS: ICheckProcessedOptions = { mode: 'entries', maxEntries: 10_000 };

export async function returnTriggeredTasks(context: IExecuteFunctions, kinds: TaskKinds): Promise<INodeExecutionData[][]> {
	const output = context.getNodeParameter('output', 0, 'file') as Output | 'task';
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const mode = context.getMode();
	// A manual test runs once; a retry is the user's explicit wish to run it again.
	const remembers = mode !== 'manual';
	const scope = triggerScope(context.getWorkflow().id, context.getNode().id);
	const signal = context.getExecutionCancelSignal();
	const returned: INodeExecutionData[] = [];

	for (const [itemIndex, item] of context.getInputData().entries()) {
		let task = item.json as SelzyTask;
		if (isUnverified(task)) {
			const verified = await verifyDeferred(context, task, kinds, itemIndex);
			if (!verified) continue;
			task = verified;
		}
		const key = taskKey(task);
		// A retry is the user's explicit wish: it runs whatever the store says, and records the task for Selzy's repeats.
		if (remembers && !(await claimReturn(context, key)) && mode !== 'retry') {
			context.logger.info(`Selzy Trigger: task ${task.task_uuid} was taken by an earlier execution; this one returns nothing`);
			continue;
		}
		let items: INodeExecutionData[] | undefined;
		try {
			if (output === 'task' || !isTaskReady(task)) {
				items = [{ json: task, pairedItem: { item: itemIndex } }];
			} else {
				// A retry may come long after the callback: the link is asked for again, as it may have expired.
				if (mode === 'retry' && context.getNodeParameter('verify', 0, true)) task = await freshTask(context, task, itemIndex);
				items = await itemsFromFile(context, task, kinds.of(task.task_type), output, options, { itemIndex, signal });
			}
		} finally {
			// A failed execution is not a returned task: Selzy's repeat of the callback must start the workflow.
			if (!items) {
				releaseTask(`${scope}:${key}`);
				if (remembers && mode !== 'retry') await unclaimReturn(context, key);
			}
		}
		returned.push(...items);
	}
	return [returned];
}

/**
 * A callback the trigger's bounds deferred (too many unverified callbacks at the time): its task
 * is verified here, and the trigger's Task Types and Include Unfinished Tasks apply as they would
 * have. A task Selzy does not know (a forged callback) returns nothing.
 */
async function verifyDeferred(context: IExecuteFunctions, claimed: SelzyTask, kinds: TaskKinds, itemIndex: number): Promise<SelzyTask | undefined> {
	// Selzy's "invalid_arg" for an unknown task ID ends this item quietly; any other failure fails the execution.
	const task: SelzyTask | undefined = await getTaskResult.call(context, claimed.task_uuid, { itemIndex }).catch((error: unknown) => {
		if (selzyCodeOf(error) === 'invalid_arg') return undefined;
		throw error;
	});
	if (!task) {
		context.logger.info(`Selzy Trigger: the callback for task ${claimed.task_uuid} names no task Selzy knows; nothing to do`);
		return undefined;
	}
	const wanted = wantedTasks(
		kinds,
		context.getNodeParameter('taskTypes', 0, [kinds.known[0].taskType]) as string[],
		context.getNodeParameter('includeUnfinished', 0, false) as boolean,
	);
	const ignored = wanted(task);
	if (ignored) {
		context.logger.info(`Selzy Trigger: task ${task.task_uuid} ignored (${String(ignored.ignored)})`);
		return undefined;
	}
	return task;
}

async function freshTask(context: IExecuteFunctions, task: SelzyTask, itemIndex: number): Promise<SelzyTask> {
	const current = await getTaskResult.call(context, task.task_uuid, { itemIndex });
	return { ...task, ...current, task_type: current.task_type ?? task.task_type };
}

/**
 * Records the task as this execution's to return; false when an earlier execution recorded it.
 * When n8n's store fails, the task is returned: twice is better than not at all.
 */
async function claimReturn(context: IExecuteFunctions, key: string): Promise<boolean> {
	try {
		const seen = await context.helpers.checkProcessedAndRecord([key], 'node', RETURNED_TASKS);
		return seen.processed.length === 0;
	} catch (error) {
		context.logger.warn(`Selzy Trigger: n8n's deduplication store failed (${(error as Error).message}); the task is returned without a duplicate check`);
		return true;
	}
}

/** Takes the record back after a failure, so Selzy's repeat of the callback is taken again. */
async function unclaimReturn(context: IExecuteFunctions, key: string): Promise<void> {
	await context.helpers.removeProcessed([key], 'node', RETURNED_TASKS).catch((error: unknown) => {
		context.logger.warn(`Selzy Trigger: n8n's deduplication store failed (${(error as Error).message}); a repeat of this callback returns nothing, Retry this execution instead`);
	});
}
