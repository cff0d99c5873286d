import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readSelzyCredential, selzyCredentialData } from './credentials';
import { RETRYABLE_CODES, createSelzyError, decodeHtmlEntities, redact, type SelzyErrorDetails } from './errors';
import { waitFor } from './wait';

export type SelzyContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions | IHookFunctions;

export interface SelzyCredentials {
	apiKey: string;
	baseUrl?: string;
	language?: string;
}

export interface SelzyCallOptions {
	/**
	 * The call creates something in Selzy (a report task). After a reset or a timeout the first
	 * request may have arrived, so it is resent only for answers that prove it was not processed.
	 */
	startsWork?: boolean;
	itemIndex?: number;
	/** Tighter retry bounds, e.g. while a webhook caller waits for the answer. */
	retry?: Partial<typeof retryPolicy>;
	/** The credential, already decrypted (webhooks reuse one; see transport/credentials.ts). */
	credential?: ICredentialsDecrypted;
}

/** Bounds for retries; tests shorten the delays. */
export const retryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 1000,
	maxDelayMs: 20_000,
	maxTotalMs: 60_000,
};

/** Words instead of Node's error codes: n8n replaces a message that contains such a code with a generic one. */
const NETWORK_FAILURES: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be resolved',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	ECONNRESET: 'the connection was reset',
	ETIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the request timed out',
	EPIPE: 'the connection broke',
};

/**
 * Node error codes meaning the request never reached the server. Any other network failure
 * (reset, timeout, broken pipe) may have happened after Selzy processed the request.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function apiBaseUrl(credentials: SelzyCredentials): string {
	// Accept a pasted ".../en/api" as well as the plain host.
	const base = (credentials.baseUrl || 'https://api.selzy.com')
		.trim()
		.replace(/\/+$/, '')
		.replace(/\/(en|ru|ua)\/api$/i, '');
	return `${base}/${credentials.language || 'en'}/api`;
}

interface Attempt {
	result?: unknown;
	failure?: SelzyErrorDetails & { retryable: boolean; retryAfterMs?: number };
}

/**
 * Calls one Selzy API method: POST, form body with `format=json` (the credential adds `api_key`),
 * nothing in the query string. Returns `result`; throws a NodeApiError for Selzy's `{error, code}`.
 */
export async function selzyApiRequest<T = unknown>(
	this: SelzyContext,
	method: string,
	params: IDataObject = {},
	options: SelzyCallOptions = {},
): Promise<T> {
	// Decrypted once per call: each decryption can cost n8n a fresh expression sandbox.
	const credential = options.credential ?? (await readSelzyCredential(this));
	const credentials = selzyCredentialData(credential);
	const signal = cancelSignalOf(this);
	const started = Date.now();
	const policy = tightest(retryPolicy, options.retry);
	let failure: Attempt['failure'];

	for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
		const outcome = await sendOnce(this, credential, method, params, options);
		if (!outcome.failure) return outcome.result as T;
		failure = { ...outcome.failure, message: redact(outcome.failure.message, credentials.apiKey), attempts: attempt };

		const delay = backoffDelay(policy, attempt, failure.retryAfterMs);
		const outOfTime = Date.now() - started + delay > policy.maxTotalMs;
		if (!failure.retryable || attempt === policy.maxAttempts || outOfTime) break;

		this.logger.info(
			`Selzy ${method}: ${failure.message}; retrying in ${Math.round(delay)} ms (attempt ${attempt + 1} of ${policy.maxAttempts})`,
		);
		try {
			await waitFor(delay, signal);
		} catch {
			throw new NodeOperationError(this.getNode(), 'The execution was cancelled while waiting to retry Selzy', {
				itemIndex: options.itemIndex,
			});
		}
	}
	throw createSelzyError(this.getNode(), { ...failure!, itemIndex: options.itemIndex }, credentials.apiKey);
}

/** Each bound is the smaller of the general policy and the call's own. */
function tightest(policy: typeof retryPolicy, override: Partial<typeof retryPolicy> = {}): typeof retryPolicy {
	return {
		maxAttempts: Math.min(policy.maxAttempts, override.maxAttempts ?? Infinity),
		baseDelayMs: Math.min(policy.baseDelayMs, override.baseDelayMs ?? Infinity),
		maxDelayMs: Math.min(policy.maxDelayMs, override.maxDelayMs ?? Infinity),
		maxTotalMs: Math.min(policy.maxTotalMs, override.maxTotalMs ?? Infinity),
	};
}

function cancelSignalOf(context: SelzyContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

/** Exponential backoff with full jitter; a server's Retry-After wins when it is longer. */
function backoffDelay(policy: typeof retryPolicy, attempt: number, retryAfterMs?: number): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
	return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

async function sendOnce(
	context: SelzyContext,
	credential: ICredentialsDecrypted,
	method: string,
	params: IDataObject,
	options: SelzyCallOptions,
): Promise<Attempt> {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${apiBaseUrl(selzyCredentialData(credential))}/${method}`,
		headers: {
			'Content-Type': 'application/x-www-form-urlencoded',
			Accept: 'application/json',
			'Accept-Encoding': 'gzip',
		},
		body: { ...params, format: 'json' },
		arrayFormat: 'brackets',
		encoding: 'text',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};

	let response: { statusCode: number; headers: IDataObject; body: unknown };
	try {
		// A copy, so that n8n's authentication step cannot change the credential being reused.
		const credentialsDecrypted = { ...credential, data: { ...credential.data } };
		response = await context.helpers.httpRequestWithAuthentication.call(context, 'selzyApi', request, {
			credentialsDecrypted,
		});
	} catch (error) {
		return { failure: networkFailure(method, error, options) };
	}
	return interpretResponse(method, response, options);
}

function networkFailure(method: string, error: unknown, options: SelzyCallOptions): Attempt['failure'] {
	const code = findErrorCode(error);
	const notSent = code !== undefined && NOT_SENT_CODES.has(code);
	if (isAbort(error)) {
		return { method, code: 'cancelled', message: 'The execution was cancelled', retryable: false };
	}
	return {
		method,
		code: 'network_error',
		message: `Could not reach Selzy: ${(code && NETWORK_FAILURES[code]) ?? 'the connection failed'}`,
		description: notSent
			? 'The Selzy API did not accept the connection. Check the Base URL in the credential and this server’s network access.'
			: 'The connection to Selzy broke before an answer arrived.' +
				(options.startsWork
					? ' It was not retried because Selzy may already have started the report; look for the task in Selzy or run the node again.'
					: ' Run the workflow again.'),
		retryable: notSent || !options.startsWork,
	};
}

function interpretResponse(
	method: string,
	response: { statusCode: number; headers: IDataObject; body: unknown },
	options: SelzyCallOptions,
): Attempt {
	const status = response.statusCode;
	const transientStatus = status === 429 || status >= 500;
	const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
	const text = bodyText(response.body);

	let parsed: unknown;
	try {
		parsed = typeof response.body === 'object' && !Buffer.isBuffer(response.body) ? response.body : JSON.parse(text);
	} catch {
		parsed = undefined;
	}

	if (!isObject(parsed)) {
		const what = text.trim() === '' ? 'an empty answer' : describeNonJson(text);
		return {
			failure: {
				method,
				code: status >= 400 ? 'http_error' : 'invalid_response',
				message: `Selzy answered HTTP ${status} with ${what} instead of JSON`,
				description: transientStatus
					? 'Selzy or a proxy in front of it is having trouble. The node retried; run the workflow again later.'
					: 'The Base URL in the credential may not point at the Selzy API.',
				httpStatus: status,
				retryable: transientStatus || (!options.startsWork && text.trim() === '' && status === 200),
				retryAfterMs,
			},
		};
	}

	if ('error' in parsed || (status >= 400 && !('result' in parsed))) {
		const code = typeof parsed.code === 'string' && parsed.code ? parsed.code : 'unspecified';
		const message = decodeHtmlEntities(String(parsed.error ?? `HTTP ${status}`));
		return {
			failure: {
				method,
				code,
				message: `${message} (${code})`,
				httpStatus: status === 200 ? undefined : status,
				retryable: RETRYABLE_CODES.has(code) || transientStatus,
				retryAfterMs,
			},
		};
	}
	if (transientStatus) {
		return {
			failure: {
				method,
				code: 'http_error',
				message: `Selzy answered HTTP ${status}`,
				httpStatus: status,
				retryable: true,
				retryAfterMs,
			},
		};
	}
	return { result: parsed.result };
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
	return body === undefined || body === null ? '' : JSON.stringify(body);
}

function describeNonJson(text: string): string {
	const title = /<title>([^<]{1,120})<\/title>/i.exec(text)?.[1];
	if (title) return `an HTML page ("${title.trim()}")`;
	if (/^\s*</.test(text)) return 'an HTML/XML page';
	return `text ("${text.trim().slice(0, 80)}")`;
}

function parseRetryAfter(value: unknown): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Walks an error and its causes for a Node/undici error code such as ECONNRESET. */
function findErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && isObject(current); depth++) {
		const code = current.code;
		if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+|ERR_[A-Z_]+)$/.test(code)) return code;
		current = current.cause;
	}
	return undefined;
}

function isAbort(error: unknown): boolean {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && isObject(current); depth++) {
		if (current.name === 'AbortError' || current.name === 'CanceledError' || current.code === 'ERR_CANCELED') {
			return true;
		}
		current = current.cause;
	}
	return false;
}
