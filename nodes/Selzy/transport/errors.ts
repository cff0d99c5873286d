import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { SELZY_CALLS_PER_MINUTE, type NoTurn } from './rateLimit';

/** Codes Selzy documents; anything else is treated like `unspecified`. */
export type SelzyErrorCode =
	| 'unspecified'
	| 'invalid_api_key'
	| 'access_denied'
	| 'unknown_method'
	| 'invalid_arg'
	| 'not_enough_money'
	| 'retry_later'
	| 'api_call_limit_exceeded_for_api_key'
	| 'api_call_limit_exceeded_for_ip';

/** Temporary conditions: waiting and asking again can succeed. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
	'retry_later',
	'api_call_limit_exceeded_for_api_key',
	'api_call_limit_exceeded_for_ip',
]);

const HINTS: Record<SelzyErrorCode, string> = {
	unspecified: 'Selzy did not classify this error; its message above says what went wrong.',
	invalid_api_key:
		'Check the API key in the Selzy credential: copy it again from Selzy under Settings → Integrations and API.',
	access_denied:
		'API access is disabled for this account, or this key may not call this method. Enable API access in Selzy or ask Selzy support to allow the method.',
	unknown_method:
		'The API at the credential’s Base URL does not know this method. Check that the Base URL points at the Selzy API (default https://api.selzy.com).',
	invalid_arg:
		'One of the values sent was rejected; Selzy’s message names it. Check the campaign, task ID, field and date parameters.',
	not_enough_money: 'Top up the Selzy account balance, then run the workflow again.',
	retry_later:
		'Selzy is temporarily unable to process the call. The node already retried; run the workflow again later.',
	api_call_limit_exceeded_for_api_key:
		'Too many calls with this API key (Selzy allows about 1200 per minute). The node already backed off and retried; spread the workflow’s runs out or lower the number of items per run.',
	api_call_limit_exceeded_for_ip:
		'Too many calls from this n8n server’s IP address. The node already backed off and retried; spread the workflow’s runs out.',
};

/**
 * Codes whose whole meaning is in the code: the error states it in these words, so the hint is
 * the one piece of advice (Selzy's own text for them carries advice of its own, in its own style).
 */
const STATEMENTS: Partial<Record<SelzyErrorCode, string>> = {
	invalid_api_key: 'the API key is not valid',
};

const HTML_ENTITIES: Record<string, string> = {
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
	nbsp: ' ',
};

/** Selzy HTML-encodes its error texts. */
export function decodeHtmlEntities(text: string): string {
	return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
		if (entity[0] === '#') {
			const codePoint =
				entity[1] === 'x' || entity[1] === 'X'
					? parseInt(entity.slice(2), 16)
					: parseInt(entity.slice(1), 10);
			return Number.isFinite(codePoint) && codePoint <= 0x10ffff
				? String.fromCodePoint(codePoint)
				: whole;
		}
		return HTML_ENTITIES[entity.toLowerCase()] ?? whole;
	});
}

/** Removes every occurrence of the secret (also URL-encoded) from a text meant for users or logs. */
export function redact(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 4) return text;
	let result = text.split(secret).join('***');
	const encoded = encodeURIComponent(secret);
	if (encoded !== secret) result = result.split(encoded).join('***');
	return result;
}

export function hintForCode(code: string): string {
	return HINTS[code as SelzyErrorCode] ?? HINTS.unspecified;
}

export interface SelzyErrorDetails {
	method: string;
	/** Selzy's `code`, or a transport-level code of ours (`http_error`, `network_error`, `invalid_response`) */
	code: string;
	message: string;
	description?: string;
	httpStatus?: number;
	attempts?: number;
	itemIndex?: number;
}

const count = (value: number) => value.toLocaleString('en-US');

/** The call's time ran out while it waited for a turn under the key's call limit. */
export function noTurnFailure(method: string, turn: Extract<NoTurn, { cancelled: false }>): SelzyErrorDetails {
	const { waiting, limit, heldBackMs } = turn;
	if (heldBackMs > 0 && waiting === 0) {
		return {
			method,
			code: 'timeout',
			message: `Selzy said this API key reached its call limit, so every call with the key waits ${Math.ceil(heldBackMs / 1000)} s more; this call's time ran out first`,
			description: HINTS.api_call_limit_exceeded_for_api_key,
		};
	}
	const calls = `${count(waiting)} call${waiting === 1 ? '' : 's'} with this API key ${waiting === 1 ? 'was' : 'were'} waiting ahead of this one`;
	const byLimit = {
		selzy: {
			limit: `Selzy's limit of ${count(limit.perMinute)} calls per minute`,
			hint: `Selzy allows ${count(limit.perMinute)} calls per minute per API key, and every workflow using this key in this n8n shares them. Run fewer items at once or spread the runs out.`,
		},
		method: {
			limit: `Selzy's limit of ${count(limit.perMinute)} calls per minute for ${method}`,
			hint: `Selzy allows only ${count(limit.perMinute)} calls per minute to ${method} per API key. Run fewer items at once or spread the runs out.`,
		},
		option: {
			limit: `the API Calls per Minute option (${count(limit.perMinute)})`,
			hint: `The node's API Calls per Minute option sets this pace. Raise it (Selzy allows up to ${count(SELZY_CALLS_PER_MINUTE)}) or run fewer items at once.`,
		},
	}[limit.setBy];
	return {
		method,
		code: 'timeout',
		message: `The call's time ran out waiting for its turn under ${byLimit.limit}: ${calls}`,
		description: byLimit.hint,
	};
}

/** Selzy's error code carried by an error from `createSelzyError`, if any. */
export function selzyCodeOf(error: unknown): string | undefined {
	if (!(error instanceof NodeApiError)) return undefined;
	const code = (error.errorResponse as JsonObject | undefined)?.selzyCode;
	return typeof code === 'string' ? code : undefined;
}

/**
 * The single place where failures of Selzy calls become n8n errors.
 * Only the fields given here travel with the error: never the request, whose body carries the key.
 */
export function createSelzyError(node: INode, details: SelzyErrorDetails, secret?: string): NodeApiError {
	const message = redact(details.message, secret);
	const statement = STATEMENTS[details.code as SelzyErrorCode];
	const shown = statement ? `${statement} (${details.code})` : message;
	const retried = details.attempts && details.attempts > 1 ? ` (after ${details.attempts} attempts)` : '';
	const description = redact(details.description ?? hintForCode(details.code), secret);
	// `selzyCode`, not `code`: NodeApiError would read `code` as an HTTP status.
	const errorResponse: JsonObject = {
		method: details.method,
		selzyCode: details.code,
		message,
	};
	if (details.httpStatus !== undefined) errorResponse.httpStatus = details.httpStatus;
	return new NodeApiError(node, errorResponse, {
		message: `Selzy ${details.method}: ${shown}${retried}`,
		description,
		httpCode: details.httpStatus !== undefined ? String(details.httpStatus) : undefined,
		itemIndex: details.itemIndex,
	});
}
