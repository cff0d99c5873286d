import { isLoopbackHost } from './addresses';

/**
 * The one place Selzy API URLs are built: at run time (`apiBaseUrl`) and, as an n8n expression
 * made from the same parts, for the credential's Test button, which can only use expressions.
 */

export interface SelzyCredentials {
	apiKey: string;
	baseUrl?: string;
	language?: string;
}

const DEFAULT_BASE_URL = 'https://api.selzy.com';

/**
 * Trailing slashes, and a pasted "/en/api" (any of Selzy's languages) with them, are dropped.
 * The match may only start at the first slash of a run (`(?<!\/)`): otherwise every slash of a
 * long run would start a new attempt over the rest of it, quadratic in the run's length.
 */
const PASTED_API_PATH = String.raw`(?<!\/)\/+((en|ru|ua)\/api\/*)?$`;

/** https, or plain http to this machine only (the key travels in every request). */
const SECURE_BASE_URL = String.raw`^(https:\/\/|http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?(\/|$))`;

export const PLAIN_HTTP_REFUSED =
	'The Base URL must start with https:// so the API key is never sent unencrypted (plain http only for localhost)';

export function apiBaseUrl(credentials: Pick<SelzyCredentials, 'baseUrl' | 'language'>): string {
	const base = (credentials.baseUrl || DEFAULT_BASE_URL).trim().replace(new RegExp(PASTED_API_PATH, 'i'), '');
	return `${base}/${credentials.language || 'en'}/api`;
}

/**
 * `apiBaseUrl` as an expression over `$credentials`. A Base URL that is neither https nor local
 * makes the expression fail, so the test sends nothing.
 */
export const API_BASE_URL_EXPRESSION =
	`={{ (() => { const base = ($credentials.baseUrl || ${JSON.stringify(DEFAULT_BASE_URL)}).trim();` +
	` if (!/${SECURE_BASE_URL}/i.test(base)) throw new Error(${JSON.stringify(PLAIN_HTTP_REFUSED)});` +
	` return base.replace(/${PASTED_API_PATH}/i, "") + "/" + ($credentials.language || "en") + "/api"; })() }}`;

/** Why the credential's Base URL must not carry the key, or undefined when it may. */
export function baseUrlProblem(credentials: SelzyCredentials): string | undefined {
	let url: URL;
	try {
		url = new URL(apiBaseUrl(credentials));
	} catch {
		return 'The Base URL in the Selzy credential is not a URL';
	}
	if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return undefined;
	return 'The Base URL in the Selzy credential must start with https://';
}

export const BASE_URL_HINT =
	'The API key travels in every request; over plain http anyone on the network path could read it. ' +
	'Use https://api.selzy.com (or your endpoint’s https address). Plain http is accepted only for a server on this machine (localhost, 127.0.0.1, [::1]), such as a local test server.';
