import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { deliverCompletedTask } from '../delivery/deliver';
import type { ReportOutput } from '../delivery/settings';
import type { SelzyTask } from '../transport/tasks';
import { selzyCodeOf } from '../transport/errors';
import { getTaskResult } from '../transport/tasks';

/** Answers the caller now; the node returns `noWebhookResponse` so n8n sends nothing more. */
export function respond(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

export const VERIFY_RETRY = { maxAttempts: 3, maxDelayMs: 2000, maxTotalMs: 5000 };

export type Verification = { task: SelzyTask } | { rejection: { status: number; error: string } };

/**
 * Confirms a callback's task with Selzy's API and returns the task as the API knows it, so
 * neither its data nor its download link can be forged. An unknown task is 404; an API
 * failure is 503, which invites the caller to try again later.
 */
export async function verifyTask(context: IWebhookFunctions, claimed: SelzyTask): Promise<Verification> {
	try {
		// Selzy waits for this answer, so verification retries only briefly.
		const task = await getTaskResult.call(context, claimed.task_uuid, { retry: VERIFY_RETRY });
		return { task: { ...task, task_type: task.task_type ?? claimed.task_type } };
	} catch (error) {
		if (selzyCodeOf(error) === 'invalid_arg') return { rejection: { status: 404, error: 'Unknown task' } };
		context.logger.error(`Selzy: could not verify task ${claimed.task_uuid}: ${(error as Error).message}`);
		return { rejection: { status: 503, error: 'Could not verify the task with Selzy; try again later' } };
	}
}

/** Downloads a verified, completed task's report as the node's chosen output (after answering). */
export async function deliverFromCallback(
	context: IWebhookFunctions,
	task: SelzyTask,
	output: ReportOutput,
): Promise<IWebhookResponseData> {
	const items = await deliverCompletedTask(context, task, output, context.getNodeParameter('options', {}) as IDataObject);
	return { noWebhookResponse: true, workflowData: [items] };
}
