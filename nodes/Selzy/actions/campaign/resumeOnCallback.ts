import { createHmac, timingSafeEqual } from 'crypto';
import type { IDataObject, IExecuteFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { deliverFromCallback, respond, verifyTask } from '../../callback/handling';
import { parseCallback } from '../../callback/parse';
import type { ReportOutput } from '../../delivery/settings';
import { apiBaseUrl, type SelzyCredentials } from '../../transport/apiUrl';
import { isTaskCompleted } from '../../transport/tasks';

/** Query parameter carrying this execution's secret on the resume URL given to Selzy. */
const SECRET_PARAM = 'selzy_secret';

/** Marker added to the input items while waiting; it survives when the timeout comes first. */
export const WAITING_MARKER = 'selzyReport';

/** Derived, not stored: the resumed webhook can recompute it from the execution ID and the key. */
function executionSecret(apiKey: string, executionId: string): string {
	return createHmac('sha256', apiKey).update(`selzy-resume:${executionId}`).digest('hex').slice(0, 32);
}

const LOCAL_HOST = /^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|.*\.local|.*\.internal)$/i;

function isLocalUrl(url: string): boolean {
	try {
		return LOCAL_HOST.test(new URL(url).hostname);
	} catch {
		return true;
	}
}

/**
 * The notify_url for callback mode: n8n's resume URL exactly as n8n gives it, plus this
 * execution's secret as one more query parameter.
 */
export async function callbackNotifyUrl(context: IExecuteFunctions, itemIndex: number): Promise<string> {
	const resumeUrl = String(context.evaluateExpression('{{ $execution.resumeUrl }}', itemIndex) ?? '');
	if (!/^https?:\/\//.test(resumeUrl)) {
		throw new NodeOperationError(context.getNode(), 'n8n did not provide a resume URL for this execution', {
			itemIndex,
		});
	}
	const credentials = (await context.getCredentials('selzyApi')) as unknown as SelzyCredentials;
	if (!isLocalUrl(apiBaseUrl(credentials)) && isLocalUrl(resumeUrl)) {
		throw new NodeOperationError(
			context.getNode(),
			`Selzy cannot reach this n8n: its resume URL is ${new URL(resumeUrl).origin}`,
			{
				itemIndex,
				description:
					'“Until Selzy Notifies” needs an n8n address Selzy can call from the internet. Set the WEBHOOK_URL environment variable of n8n to its public URL (for example https://n8n.example.com/) and restart n8n, or use “Poll Until Ready”.',
			},
		);
	}
	const secret = executionSecret(credentials.apiKey, context.getExecutionId());
	return `${resumeUrl}${resumeUrl.includes('?') ? '&' : '?'}${SECRET_PARAM}=${secret}`;
}

/**
 * Puts the execution to wait. The input items get a marker naming the task, so a workflow
 * that continues after the timeout can tell the report did not arrive and fetch it later.
 */
export async function parkUntilCallback(
	context: IExecuteFunctions,
	itemIndex: number,
	task: IDataObject,
	timeoutMs: number,
): Promise<void> {
	const waitingSince = new Date().toISOString();
	for (const item of context.getInputData()) {
		item.json[WAITING_MARKER] = { ...task, state: 'waiting_for_callback', waitingSince };
	}
	context.logger.info(`Selzy task ${String(task.task_uuid)}: execution waits for Selzy's callback (item ${itemIndex})`);
	await context.putExecutionToWait(new Date(Date.now() + timeoutMs));
}

/**
 * Handles the POST to the resume URL. Anything but a verified, completed task leaves the
 * execution waiting: the node answers without returning workflow data.
 */
export async function resumeOnCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const credentials = (await this.getCredentials('selzyApi')) as unknown as SelzyCredentials;
	const given = String((this.getQueryData() as IDataObject)[SECRET_PARAM] ?? '');
	const expected = executionSecret(credentials.apiKey, resumedExecutionId(this));
	if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
		return respond(this, 401, { error: 'Missing or wrong secret' });
	}

	const request = this.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };
	const parsed = parseCallback(this.getBodyData(), request.rawBody);
	if ('problem' in parsed) return respond(this, 400, { error: `Not a Selzy callback: ${parsed.problem}` });

	const verification = await verifyTask(this, parsed.task);
	if ('rejection' in verification) {
		return respond(this, verification.rejection.status, { error: verification.rejection.error });
	}
	const { task } = verification;
	if (!isTaskCompleted(task) || !task.file_to_download) {
		return respond(this, 200, { received: true, waiting: true, status: task.status });
	}

	respond(this, 200, { received: true, task_uuid: task.task_uuid });
	return await deliverFromCallback(this, task, this.getNodeParameter('output', 'summary') as ReportOutput);
}

/** n8n 2.x exposes the execution ID to webhooks; the resume path carries it as well. */
function resumedExecutionId(context: IWebhookFunctions): string {
	const fromContext = typeof context.getExecutionId === 'function' ? context.getExecutionId() : '';
	if (fromContext) return String(fromContext);
	const request = context.getRequestObject();
	const path = String(request.originalUrl ?? request.url ?? '');
	return /\/webhook-waiting\/([^/?]+)/.exec(path)?.[1] ?? '';
}
