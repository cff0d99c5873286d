import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiBaseUrl, baseUrlProblem, BASE_URL_HINT, type SelzyCredentials } from './apiUrl';
import { selzyCredentials, type SelzyContext } from './credentials';
import { interpretAnswer, networkFailure, timeoutFailure, type Attempt, type Failure, type HttpAnswer } from './answers';
import { findErrorCode } from './networkErrors';
import { createSelzyError, noTurnFailure, redact } from './errors';
import { holdBack, takeTurn } from './rateLimit';
import { anySignal, waitUnlessCancelled } from './wait';


export interface RetryPolicy {
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Hard end of the whole call, attempts and waits included. */
	maxTotalMs: number;
	/** Each attempt ends after this long, answered or not. */
	attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
	maxAttempts: 5,
	baseDelayMs: 1000,
	maxDelayMs: 20_000,
	maxTotalMs: 60_000,
	attemptTimeoutMs: 30_000,
});

export interface SelzyCallOptions {
	/**
	 * The call creates something in Selzy (a report task). It is sent again only when the answer
	 * proves Selzy did not take it: HTTP 429 or 503, Selzy's retry codes, or no connection at all;
	 * after a gateway's 502 (no valid answer from Selzy) once.
	 */
	startsWork?: boolean;
	itemIndex?: number;
	/** Tighter bounds, e.g. while a webhook caller waits for the answer or a poll's Timeout nears. */
	retry?: Partial<RetryPolicy>;
	/** Calls per minute this key may make (Selzy allows 1,200); a lower value wins for the whole key. */
	callsPerMinute?: number;
	/** Selzy's own lower limit for this method, per key (e.g. 20 for async/exportContacts). */
	methodCallsPerMinute?: number;
	/** Someone waits for the answer (Selzy, for its callback's verification): the call's turn comes before queued calls. */
	urgent?: boolean;
	/** Ends the call like the execution's Stop does (e.g. when another item of the run failed). */
	signal?: AbortSignal;
	/**
	 * An upsert (importContacts): sending it again does no harm, so a timeout or a lost connection
	 * sends it again. Its own policy replaces the default one: each attempt ends after
	 * `attemptTimeoutMs`, `attempts` in all (Selzy advises 30 s and at most two more).
	 */
	upsert?: { attempts: number; attemptTimeoutMs: number };
}

/**
 * Calls one Selzy API method: POST, form body with `format=json` and `api_key`, nothing in the
 * query string, no redirects followed. Returns `result`; throws a NodeApiError for Selzy's
 * `{error, code}` and for failures, after bounded retries. Every attempt has a deadline, the
 * whole call ends within `maxTotalMs`, and the execution's Stop ends it at once.
 */
export async function selzyApiRequest<T = unknown>(
	this: SelzyContext,
	method: string,
	params: IDataObject = {},
	options: SelzyCallOptions = {},
): Promise<T> {
	const credentials = await selzyCredentials(this);
	const problem = baseUrlProblem(credentials);
	if (problem) {
		throw new NodeOperationError(this.getNode(), problem, { description: BASE_URL_HINT, itemIndex: options.itemIndex });
	}
	const signal = anySignal(cancelSignalOf(this), options.signal);
	const policy = options.upsert ? upsertPolicy(options.upsert) : tightest(DEFAULT_RETRY_POLICY, options.retry);
	const deadline = Date.now() + policy.maxTotalMs;
	let failure: Failure | undefined;
	let resentAfterBadGateway = false;

	for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
		const turn = await takeTurn(credentials.apiKey, method, {
			perMinute: options.callsPerMinute,
			methodPerMinute: options.methodCallsPerMinute,
			signal,
			deadline,
			urgent: options.urgent,
		});
		if (!turn.taken) {
			if (turn.cancelled || signal?.aborted) throw cancelled(this, options.itemIndex);
			// The call's time ran out while waiting for a turn: say so, unless an attempt failed before.
			failure ??= { ...noTurnFailure(method, turn), retryable: false };
			break;
		}
		const budgetMs = Math.min(policy.attemptTimeoutMs, deadline - Date.now());
		if (budgetMs <= 0) break;
		const outcome = await sendOnce(this, credentials, method, params, { signal, budgetMs, startsWork: !!options.startsWork });
		if (!outcome.failure) return outcome.result as T;
		failure = { ...outcome.failure, message: redact(outcome.failure.message, credentials.apiKey), attempts: attempt };
		// A proxy's 502 on a call that starts work is sent again once, not more (see answers.ts).
		if (failure.resendOnce) {
			if (resentAfterBadGateway) failure.retryable = false;
			resentAfterBadGateway = true;
		}

		const delay = backoffDelay(policy, attempt, failure.retryAfterMs);
		// Every call with this key holds back, not just this one.
		if (isRateLimited(failure)) holdBack(credentials.apiKey, delay);
		const outOfTime = Date.now() + delay >= deadline;
		if (!failure.retryable || attempt === policy.maxAttempts || outOfTime) break;

		this.logger.info(
			`Selzy ${method}: ${failure.message}; retrying in ${Math.round(delay)} ms (attempt ${attempt + 1} of ${policy.maxAttempts})`,
		);
		if (!(await waitUnlessCancelled(delay, signal))) throw cancelled(this, options.itemIndex);
	}
	failure ??= { method, code: 'timeout', message: 'No time was left to call Selzy', retryable: false };
	throw createSelzyError(this.getNode(), { ...failure, itemIndex: options.itemIndex }, credentials.apiKey);
}

function cancelled(context: SelzyContext, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'The execution was cancelled while waiting to call Selzy', { itemIndex });
}

const RATE_LIMIT_CODES = new Set(['api_call_limit_exceeded_for_api_key', 'api_call_limit_exceeded_for_ip']);

function isRateLimited(failure: Failure): boolean {
	return RATE_LIMIT_CODES.has(failure.code) || failure.httpStatus === 429;
}

/** Each bound is the smaller of the defaults and the call's own. */
function tightest(policy: Readonly<RetryPolicy>, override: Partial<RetryPolicy> = {}): RetryPolicy {
	const pick = (key: keyof RetryPolicy) => Math.min(policy[key], override[key] ?? Infinity);
	return {
		maxAttempts: pick('maxAttempts'),
		baseDelayMs: pick('baseDelayMs'),
		maxDelayMs: pick('maxDelayMs'),
		maxTotalMs: pick('maxTotalMs'),
		attemptTimeoutMs: pick('attemptTimeoutMs'),
	};
}

/** The whole call may take every attempt's time plus the waits between them. */
function upsertPolicy({ attempts, attemptTimeoutMs }: NonNullable<SelzyCallOptions['upsert']>): RetryPolicy {
	const maxDelayMs = 10_000;
	return { maxAttempts: attempts, baseDelayMs: 1000, maxDelayMs, attemptTimeoutMs, maxTotalMs: attempts * (attemptTimeoutMs + maxDelayMs) };
}

function cancelSignalOf(context: SelzyContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

/** Exponential backoff with full jitter; a server's Retry-After wins when it is longer. */
function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
	return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * One POST. The key is added here rather than by httpRequestWithAuthentication, which replaces
 * the request's abort signal with the execution's and so would drop the attempt's deadline.
 */
async function sendOnce(
	context: SelzyContext,
	credentials: SelzyCredentials,
	method: string,
	params: IDataObject,
	{ signal, budgetMs, startsWork }: { signal?: AbortSignal; budgetMs: number; startsWork: boolean },
): Promise<Attempt> {
	const attempt = new AbortController();
	const timer = AbortSignal.timeout(budgetMs);
	const abort = () => attempt.abort();
	signal?.addEventListener('abort', abort, { once: true });
	timer.addEventListener('abort', abort, { once: true });
	if (signal?.aborted) attempt.abort();

	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${apiBaseUrl(credentials)}/${method}`,
		headers: {
			'Content-Type': 'application/x-www-form-urlencoded',
			Accept: 'application/json',
			'Accept-Encoding': 'gzip',
		},
		body: { ...params, format: 'json', api_key: credentials.apiKey },
		arrayFormat: 'brackets',
		encoding: 'text',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A followed redirect would carry the form body, key included, to wherever it points.
		disableFollowRedirect: true,
		maxRedirects: 0,
		timeout: budgetMs,
		abortSignal: attempt.signal,
	};

	let answer: HttpAnswer;
	try {
		answer = (await context.helpers.httpRequest(request)) as HttpAnswer;
	} catch (error) {
		if (signal?.aborted) return { failure: { method, code: 'cancelled', message: 'The execution was cancelled', retryable: false } };
		if (timer.aborted || findErrorCode(error) === 'ECONNABORTED') return { failure: timeoutFailure(method, budgetMs, startsWork) };
		return { failure: networkFailure(method, error, startsWork) };
	} finally {
		signal?.removeEventListener('abort', abort);
		timer.removeEventListener('abort', abort);
	}
	return interpretAnswer(method, answer, startsWork);
}
