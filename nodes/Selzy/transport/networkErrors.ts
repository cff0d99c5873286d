/**
 * Network failures in words, for API calls and downloads alike. Node's error codes stay out of
 * messages: n8n replaces a message that contains such a code with a generic one.
 */
const NETWORK_FAILURES: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be resolved',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	EADDRNOTAVAIL: 'the address is not available',
	ECONNRESET: 'the connection was reset',
	ETIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the request timed out',
	EPIPE: 'the connection broke',
};

/**
 * Codes meaning the request never reached the server. Any other network failure (reset,
 * timeout, broken pipe) may have happened after the server processed the request.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/** Walks an error and its causes for a Node/undici error code such as ECONNRESET. */
export function findErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && isObject(current); depth++) {
		const code = current.code;
		if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+|ERR_[A-Z_]+)$/.test(code)) return code;
		current = current.cause;
	}
	return undefined;
}

/** The failure in words, e.g. "the connection was reset"; undefined for codes without wording. */
export function networkFailureWords(code: string | undefined): string | undefined {
	return code === undefined ? undefined : NETWORK_FAILURES[code];
}

export function wasNeverSent(code: string | undefined): boolean {
	return code !== undefined && NOT_SENT_CODES.has(code);
}

/** A network error for a user: its wording when known, otherwise its message with links removed. */
export function describeNetworkError(error: unknown): string {
	const code = findErrorCode(error);
	const words = networkFailureWords(code);
	if (words) return words;
	// Report links may carry signed query strings; keep them out of messages.
	const message = String((error as { message?: unknown })?.message ?? error).replace(/https?:\/\/\S+/g, '<report link>');
	return code && !message.includes(code) ? `${message} (${code})` : message;
}
