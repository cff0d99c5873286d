import type { IDataObject } from 'n8n-workflow';

import { RETRYABLE_CODES, decodeHtmlEntities, type SelzyErrorDetails } from './errors';
import { findErrorCode, networkFailureWords, wasNeverSent } from './networkErrors';

/** What one attempt at a Selzy call gave: the method's `result`, or a failure and whether to try again. */
export interface Attempt {
	result?: unknown;
	failure?: Failure;
}

/** `resendOnce`: a call that starts work may be sent again once after this failure, not more. */
export type Failure = SelzyErrorDetails & { retryable: boolean; retryAfterMs?: number; resendOnce?: boolean };

export interface HttpAnswer {
	statusCode: number;
	headers: IDataObject;
	body: unknown;
}

/**
 * Statuses that say the request was not processed, so even a call that starts work may go again.
 * A 504 comes from a gateway that passed the request on and gave up waiting: Selzy may be working on it.
 */
const NOT_PROCESSED_STATUSES = new Set([429, 503]);

/**
 * A 502 says the gateway got no valid answer from Selzy: most often it never got the request
 * through. A call that starts work is sent once more after it; a second 502 stops it.
 */
const BAD_GATEWAY = 502;

const MAY_HAVE_STARTED =
	'Selzy may already have started the report, so the request was not sent again (that could start a second report). ' +
	'If you gave a Notify URL, Selzy still calls it when the report is ready; otherwise wait a few minutes and run the node again.';

export function networkFailure(method: string, error: unknown, startsWork: boolean): Failure {
	const code = findErrorCode(error);
	const notSent = wasNeverSent(code);
	return {
		method,
		code: 'network_error',
		message: `Could not reach Selzy: ${networkFailureWords(code) ?? 'the connection failed'}`,
		description: notSent
			? 'The Selzy API did not accept the connection. Check the Base URL in the credential and this server’s network access.'
			: `The connection to Selzy broke before an answer arrived. ${startsWork ? MAY_HAVE_STARTED : 'Run the workflow again.'}`,
		retryable: notSent || !startsWork,
	};
}

export function timeoutFailure(method: string, budgetMs: number, startsWork: boolean): Failure {
	return {
		method,
		code: 'timeout',
		message: `Selzy did not answer within ${Math.max(1, Math.round(budgetMs / 1000))} s`,
		description: startsWork ? MAY_HAVE_STARTED : 'Selzy or the network is slow right now. Run the workflow again later.',
		retryable: !startsWork,
	};
}

/** How an HTTP answer may be retried, and what to add when it must not be. */
interface AnswerContext {
	method: string;
	status: number;
	transientStatus: boolean;
	resendable: boolean;
	retryAfterMs?: number;
	/** For a work-starting call after a gateway failure: Selzy may have started the task. */
	gatewayHint: string;
}

/** Reads Selzy's `{result}` / `{error, code}` answer, whatever the HTTP status says. */
export function interpretAnswer(method: string, answer: HttpAnswer, startsWork: boolean): Attempt {
	const status = answer.statusCode;
	if (status >= 300 && status < 400) return { failure: redirectFailure(method, status, answer.headers.location) };
	const transientStatus = status === 429 || status >= 500;
	const notProcessed = NOT_PROCESSED_STATUSES.has(status);
	const resendOnce = startsWork && status === BAD_GATEWAY;
	// For a call that starts work, only answers proving it was not processed allow sending it again.
	const resendable = startsWork ? notProcessed || resendOnce : transientStatus;
	const context: AnswerContext = {
		method,
		status,
		transientStatus,
		resendable,
		retryAfterMs: parseRetryAfter(answer.headers['retry-after']),
		gatewayHint: startsWork && transientStatus && !notProcessed ? ` ${MAY_HAVE_STARTED}` : '',
	};
	const text = bodyText(answer.body);
	const parsed = parseJsonObject(answer.body, text);
	let failure: Failure;
	if (!parsed) failure = notJsonFailure(context, text, startsWork);
	else if ('error' in parsed || (status >= 400 && !('result' in parsed))) failure = selzyErrorFailure(context, parsed);
	else if (transientStatus) {
		failure = {
			method,
			code: 'http_error',
			message: `Selzy answered HTTP ${status}`,
			description: context.gatewayHint.trim() || undefined,
			httpStatus: status,
			retryable: resendable,
			retryAfterMs: context.retryAfterMs,
		};
	} else return { result: parsed.result };
	return { failure: resendOnce ? { ...failure, resendOnce } : failure };
}

function parseJsonObject(body: unknown, text: string): Record<string, unknown> | undefined {
	let parsed: unknown;
	try {
		parsed = typeof body === 'object' && !Buffer.isBuffer(body) ? body : JSON.parse(text);
	} catch {
		return undefined;
	}
	return isObject(parsed) ? parsed : undefined;
}

/** An HTML error page of a proxy, an empty answer, or other text where JSON was expected. */
function notJsonFailure(context: AnswerContext, text: string, startsWork: boolean): Failure {
	const { method, status, transientStatus } = context;
	const empty = text.trim() === '';
	return {
		method,
		code: status >= 400 ? 'http_error' : 'invalid_response',
		message: `Selzy answered HTTP ${status} with ${empty ? 'an empty answer' : describeNonJson(text)} instead of JSON`,
		description: transientStatus
			? `Selzy or a proxy in front of it is having trouble.${context.gatewayHint || ' Run the workflow again later.'}`
			: 'The Base URL in the credential may not point at the Selzy API.',
		httpStatus: status,
		retryable: context.resendable || (!startsWork && empty && status === 200),
		retryAfterMs: context.retryAfterMs,
	};
}

/** Selzy's own `{error, code}`, with its HTML entities decoded. */
function selzyErrorFailure(context: AnswerContext, parsed: Record<string, unknown>): Failure {
	const { method, status } = context;
	const code = typeof parsed.code === 'string' && parsed.code ? parsed.code : 'unspecified';
	const message = decodeHtmlEntities(String(parsed.error ?? `HTTP ${status}`));
	return {
		method,
		code,
		message: `${message} (${code})`,
		description: context.gatewayHint && !RETRYABLE_CODES.has(code) ? context.gatewayHint.trim() : undefined,
		httpStatus: status === 200 ? undefined : status,
		retryable: RETRYABLE_CODES.has(code) || context.resendable,
		retryAfterMs: context.retryAfterMs,
	};
}

/** API calls never follow redirects: the form body, key included, would go wherever they point. */
function redirectFailure(method: string, status: number, location: unknown): Failure {
	let target = 'an address it did not give';
	if (typeof location === 'string') {
		try {
			target = new URL(location, 'https://invalid.invalid').host || target;
		} catch {
			target = 'an address that is not a URL';
		}
	}
	return {
		method,
		code: 'redirect',
		message: `Selzy’s API address answered with a redirect (HTTP ${status}) to ${target}`,
		description:
			'API calls do not follow redirects, so the API key is never sent to another address. Check the Base URL in the Selzy credential; if the new address is Selzy’s, enter it there.',
		httpStatus: status,
		retryable: false,
	};
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
