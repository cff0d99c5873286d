import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { deliverReport, readReportSettings, reportFailure, type ReportOutput, type SelzyTask } from '../report/output';
import { fetchFieldNamesById } from '../transport/catalog';
import { forgetSelzyCredential, reusableSelzyCredential } from '../transport/credentials';
import { selzyCodeOf } from '../transport/errors';
import { getTaskResult } from '../transport/tasks';

/** Answers the caller now; the node returns `noWebhookResponse` so n8n sends nothing more. */
export function respond(
	context: IWebhookFunctions,
	status: number,
	body: IDataObject,
	headers: Record<string, string> = {},
): IWebhookResponseData {
	const response = context.getResponseObject();
	for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
	response.status(status).json(body);
	return { noWebhookResponse: true };
}

export const VERIFY_RETRY = { maxAttempts: 3, maxDelayMs: 2000, maxTotalMs: 5000 };

/** Selzy's answers that say the key itself is refused: a changed key is read again once. */
const CREDENTIAL_REFUSED = new Set(['invalid_api_key', 'access_denied']);

export type Verification = { task: SelzyTask } | { rejection: { status: number; error: string; unknownTask?: boolean } };

/**
 * Confirms a callback's task with Selzy's API and returns the task as the API knows it, so
 * neither its data nor its download link can be forged. An unknown task is 404; an API
 * failure is 503, which invites the caller to try again later.
 */
export async function verifyTask(context: IWebhookFunctions, claimed: SelzyTask): Promise<Verification> {
	for (let attempt = 1; ; attempt++) {
		const { credential, reused } = await reusableSelzyCredential(context);
		try {
			// Selzy waits for this answer, so verification retries only briefly.
			const task = await getTaskResult.call(context, claimed.task_uuid, { retry: VERIFY_RETRY, credential });
			return { task: { ...task, task_type: task.task_type ?? claimed.task_type } };
		} catch (error) {
			const code = selzyCodeOf(error);
			if (code === 'invalid_arg') return { rejection: { status: 404, error: 'Unknown task', unknownTask: true } };
			forgetSelzyCredential(context);
			if (reused && attempt === 1 && CREDENTIAL_REFUSED.has(code ?? '')) continue;
			context.logger.error(`Selzy: could not verify task ${claimed.task_uuid}: ${(error as Error).message}`);
			return { rejection: { status: 503, error: 'Could not verify the task with Selzy; try again later' } };
		}
	}
}

/** Downloads a verified, completed task's report as the node's chosen output (after answering). */
export async function deliverFromCallback(
	context: IWebhookFunctions,
	task: SelzyTask,
	output: ReportOutput,
): Promise<IWebhookResponseData> {
	const settings = readReportSettings(output, context.getNodeParameter('options', {}) as IDataObject);
	try {
		if (output === 'rows') {
			const { credential } = await reusableSelzyCredential(context);
			settings.fieldNamesById = await fetchFieldNamesById.call(context, { credential });
		}
		const items = await deliverReport(context, task, settings);
		return { noWebhookResponse: true, workflowData: [items] };
	} catch (error) {
		throw reportFailure(context.getNode(), error, task);
	}
}
