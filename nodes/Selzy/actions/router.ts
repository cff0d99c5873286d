import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { TaskKinds } from '../tasks/kinds';
import type { Operation, Operations } from './operation';
import { runTaskJobs, taskRunSettingsFrom, type TaskJob } from './taskRun';

/** What the node offers: its operations and the task kinds it knows. */
export interface NodeCatalog {
	operations: Operations;
	kinds: TaskKinds;
}

/**
 * Runs the chosen operation for every input item: the items' tasks are started and waited for
 * together, so a run takes about as long as its slowest task. Output follows the input order;
 * with Continue On Fail a failed item becomes an error item and the others go on.
 */
export async function router(this: IExecuteFunctions, { operations, kinds }: NodeCatalog): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// Resource and operation take no expressions: the first item's are every item's.
	const whole = items.length ? operationFor(this, operations, 0).executeAll : undefined;
	if (whole) return [await allAtOnce(this, whole)];
	const outputs = new Map<number, INodeExecutionData[]>();
	const jobs: TaskJob[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const operation = operationFor(this, operations, itemIndex);
			if (operation.prepareJob) jobs.push(await operation.prepareJob.call(this, itemIndex, kinds));
			else if (operation.execute) outputs.set(itemIndex, await operation.execute.call(this, itemIndex));
		} catch (error) {
			outputs.set(itemIndex, failedItem(this, error, itemIndex));
		}
	}
	if (jobs.length > 0) {
		const settings = taskRunSettingsFrom(this.getNodeParameter('options', jobs[0].itemIndex, {}) as IDataObject);
		try {
			for (const [itemIndex, results] of await runTaskJobs(this, jobs, settings)) outputs.set(itemIndex, results);
		} catch (error) {
			throw asNodeError(this, error, undefined);
		}
	}
	if (isCancelled(this)) throw new NodeOperationError(this.getNode(), 'The execution was canceled');
	return [items.flatMap((_, itemIndex) => outputs.get(itemIndex) ?? [])];
}

/** An operation that handles all items at once; a failure it throws fails every item. */
async function allAtOnce(context: IExecuteFunctions, executeAll: NonNullable<Operation['executeAll']>): Promise<INodeExecutionData[]> {
	try {
		return await executeAll.call(context);
	} catch (error) {
		return context.getInputData().flatMap((_, itemIndex) => failedItem(context, error, itemIndex));
	}
}

function operationFor(context: IExecuteFunctions, operations: Operations, itemIndex: number): Operation {
	const resource = context.getNodeParameter('resource', itemIndex) as string;
	const operation = context.getNodeParameter('operation', itemIndex) as string;
	const found = operations[resource]?.[operation];
	if (!found) {
		throw new NodeOperationError(context.getNode(), `The operation "${operation}" of "${resource}" is not supported`, {
			itemIndex,
		});
	}
	return found;
}

/** With Continue On Fail, the item's error as an item; otherwise the error, thrown. */
function failedItem(context: IExecuteFunctions, error: unknown, itemIndex: number): INodeExecutionData[] {
	if (context.continueOnFail() && !isCancelled(context)) {
		return [{ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } }];
	}
	throw asNodeError(context, error, itemIndex);
}

function asNodeError(context: IExecuteFunctions, error: unknown, itemIndex: number | undefined): Error {
	// n8n records a stopped execution as canceled only when the error says "canceled"; otherwise as failed.
	if (isCancelled(context)) return new NodeOperationError(context.getNode(), 'The execution was canceled', { itemIndex });
	return error instanceof NodeOperationError || error instanceof NodeApiError
		? error
		: new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

function isCancelled(context: IExecuteFunctions): boolean {
	return context.getExecutionCancelSignal()?.aborted === true;
}
