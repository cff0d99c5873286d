import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import * as getDeliveryReport from './campaign/getDeliveryReport.operation';
import * as exportContacts from './contact/export.operation';
import * as getResult from './task/getResult.operation';

type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

const operations: Record<string, Record<string, Operation>> = {
	campaign: { getDeliveryReport: getDeliveryReport.execute },
	contact: { export: exportContacts.execute },
	task: { getResult: getResult.execute },
};

/** Runs the chosen operation once per input item; with Continue On Fail a failed item becomes an error item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const resource = this.getNodeParameter('resource', itemIndex) as string;
		const operation = this.getNodeParameter('operation', itemIndex) as string;
		const run = operations[resource]?.[operation];
		if (!run) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, {
				itemIndex,
			});
		}
		try {
			const results = await run.call(this, itemIndex);
			for (const item of results) returnData.push(item);
		} catch (error) {
			const cancelled = this.getExecutionCancelSignal()?.aborted === true;
			if (this.continueOnFail() && !cancelled) {
				returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } });
				continue;
			}
			// n8n records a stopped execution as canceled only when the error says "canceled"; otherwise as failed.
			if (cancelled) throw new NodeOperationError(this.getNode(), 'The execution was canceled', { itemIndex });
			throw error instanceof NodeOperationError || error instanceof NodeApiError
				? error
				: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	}
	return [returnData];
}
