/**
 * Both sides of "Wait: Until Selzy Notifies": the waiting execution gives Selzy its resume URL
 * with a random secret and parks; Selzy's callback to that URL is handled by the one callback
 * handler, accepting only this execution's task with this execution's secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import type { IDataObject, IExecuteFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Output } from '../results/settings';
import type { TaskKinds } from '../tasks/kinds';
import { isTaskReady } from '../tasks/task';
import { classifyHost } from '../transport/addresses';
import { apiBaseUrl } from '../transport/apiUrl';
import { selzyCredentials } from '../transport/credentials';
import { handleCallback, type CallbackRules } from './handler';

/** Query parameter carrying this execution's secret on the resume URL given to Selzy. */
const SECRET_PARAM = 'selzy_secret';

/** Marker added to the input items while waiting; it survives when the timeout comes first. */
export const WAITING_MARKER = 'selzyReport';

/**
 * Rows read after Selzy's callback are held, and saved with the execution, by the process that
 * received the callback: in queue mode a webhook process, which n8n keeps for answering calls.
 * The whole rows of a 1,000,000-row report added 2 GB to it (docs/performance.md), so unless Row
 * Safety Limit is set, a resumed execution returns at most this many rows (about 200 MB there).
 */
export const RESUMED_ROW_SAFETY_LIMIT = 100_000;

const RESUMED_ROWS_HINT =
	'After Selzy’s callback the rows are read and held by the n8n process that receives it (in queue mode a webhook process), so fewer rows are returned there unless Row Safety Limit is set. Poll Until Ready, or Don’t Wait with a Selzy Trigger, read them on a worker; or set Max Rows, filter with Status Groups or Send Results, or choose Summary or File.';

/** The waiting execution keeps only this digest of its secret, in the marker. */
const DIGEST_FIELD = 'callbackSecretSha256';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function isLocalUrl(url: string): boolean {
	try {
		return classifyHost(new URL(url).hostname) !== 'public';
	} catch {
		return true;
	}
}

export interface CallbackTarget {
	/** n8n's resume URL exactly as n8n gives it, plus this execution's secret. */
	notifyUrl: string;
	/** SHA-256 (hex) of the secret, stored with the waiting execution. */
	secretDigest: string;
}

/**
 * The notify_url for callback mode, with a random secret made for this execution (so neither a
 * rotated API key nor knowledge of the key affects it).
 */
export async function callbackTarget(context: IExecuteFunctions, itemIndex: number): Promise<CallbackTarget> {
	const resumeUrl = String(context.evaluateExpression('{{ $execution.resumeUrl }}', itemIndex) ?? '');
	if (!/^https?:\/\//.test(resumeUrl)) {
		throw new NodeOperationError(context.getNode(), 'n8n did not provide a resume URL for this execution', {
			itemIndex,
		});
	}
	if (!isLocalUrl(apiBaseUrl(await selzyCredentials(context))) && isLocalUrl(resumeUrl)) {
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
	const secret = randomBytes(16).toString('hex');
	return {
		notifyUrl: `${resumeUrl}${resumeUrl.includes('?') ? '&' : '?'}${SECRET_PARAM}=${secret}`,
		secretDigest: sha256(secret).toString('hex'),
	};
}

/**
 * Puts the execution to wait. The input items get a marker naming the task (and the digest of
 * the callback's secret), so the resumed webhook knows what to accept, and a workflow that
 * continues after the timeout can tell the report did not arrive and fetch it later.
 */
export async function parkUntilCallback(
	context: IExecuteFunctions,
	itemIndex: number,
	task: IDataObject,
	secretDigest: string,
	timeoutMs: number,
): Promise<void> {
	const waitingSince = new Date().toISOString();
	for (const item of context.getInputData()) {
		item.json[WAITING_MARKER] = { ...task, state: 'waiting_for_callback', waitingSince, [DIGEST_FIELD]: secretDigest };
	}
	context.logger.info(`Selzy task ${String(task.task_uuid)}: execution waits for Selzy's callback (item ${itemIndex})`);
	await context.putExecutionToWait(new Date(Date.now() + timeoutMs));
}

/**
 * Selzy's POST to the resume URL. Anything but a verified, completed task of this execution
 * leaves the execution waiting: the node answers without returning workflow data.
 */
export async function handleResumeCallback(context: IWebhookFunctions, kinds: TaskKinds): Promise<IWebhookResponseData> {
	const waitingFor = waitingMarker(context);
	const given = String((context.getQueryData() as IDataObject)[SECRET_PARAM] ?? '');
	const authorized = waitingFor !== undefined && matchesDigest(given, waitingFor[DIGEST_FIELD]);
	const output = context.getNodeParameter('output', 'summary') as Output;
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const boundedRows = output === 'rows' && options.rowSafetyLimit === undefined;
	const rules: CallbackRules = {
		unauthorized: authorized ? undefined : 'Missing or wrong secret',
		expectedTaskUuid: String(waitingFor?.task_uuid ?? ''),
		verify: true,
		skip: (task) => (isTaskReady(task) ? undefined : { waiting: true, status: task.status }),
		taskType: typeof waitingFor?.task_type === 'string' ? waitingFor.task_type : undefined,
		accept: {
			output,
			options: boundedRows ? { ...options, rowSafetyLimit: RESUMED_ROW_SAFETY_LIMIT } : options,
			kindOf: (task) => kinds.of(task.task_type),
			resumes: `resume:${String(waitingFor?.task_uuid ?? '')}`,
		},
	};
	try {
		return await handleCallback(context, rules);
	} catch (error) {
		throw boundedRows ? withResumedRowsHint(error) : error;
	}
}

/** The bound above, not the option the user sees, stopped the rows: says where to read them instead. */
function withResumedRowsHint(error: unknown): unknown {
	if (error instanceof NodeOperationError && error.message.includes('(Row Safety Limit)')) error.description = RESUMED_ROWS_HINT;
	return error;
}

/** The marker on the waiting node's first input item, as n8n restored the execution. */
function waitingMarker(context: IWebhookFunctions): IDataObject | undefined {
	try {
		const marker = context.evaluateExpression(`{{ $json.${WAITING_MARKER} }}`, 0);
		return typeof marker === 'object' && marker !== null && !Array.isArray(marker) ? (marker as IDataObject) : undefined;
	} catch {
		return undefined;
	}
}

/** Compares SHA-256 digests, so any length or alphabet of the given secret is safe to compare. */
function matchesDigest(given: string, expectedHex: unknown): boolean {
	if (typeof expectedHex !== 'string' || !/^[0-9a-f]{64}$/.test(expectedHex)) return false;
	return timingSafeEqual(sha256(given), Buffer.from(expectedHex, 'hex'));
}
