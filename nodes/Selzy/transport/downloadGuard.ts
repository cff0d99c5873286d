import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { classifyHost, isLoopbackHost, type HostKind } from './addresses';
import { apiBaseUrl } from './apiUrl';
import { selzyCredentials } from './credentials';

type GuardContext = IExecuteFunctions | IWebhookFunctions;

/** Where report downloads may go; loopback only when the Selzy API itself is on this machine. */
export interface DownloadRules {
	allowLoopback: boolean;
}

/**
 * Why a download target is not fetched. `reason` completes a sentence about the link ("… points
 * to 10.0.0.5, a private network address") and names only the host, never the signed link.
 */
export interface DownloadRefusal {
	reason: string;
	host: string;
}

/**
 * The verdict on one download target: a refusal, or the address its host name was checked at,
 * which the connection must then use (n8n 2.x; undefined where nothing was resolved).
 */
export type DownloadCheck = { refusal: DownloadRefusal; address?: undefined } | { refusal?: undefined; address?: string };

type Lookup = (
	hostname: string,
	options: { all: true },
	callback: (error: Error | null, addresses: Array<{ address: string; family: number }>) => void,
) => void;

/** n8n 2.x's egress filter, when the host offers one (n8n 1.x does not). */
interface EgressFilter {
	validateUrl(url: string): Promise<{ ok: true } | { ok: false; error: Error }>;
	/** Resolves a name and checks every address it gets, as validateUrl does, returning them. */
	createSecureLookup?(): Lookup;
}

export async function downloadRulesFor(context: GuardContext): Promise<DownloadRules> {
	const credentials = await selzyCredentials(context);
	let apiHost = '';
	try {
		apiHost = new URL(apiBaseUrl(credentials)).hostname;
	} catch {
		// An unusable Base URL allows nothing extra; the API call itself reports it.
	}
	return { allowLoopback: apiHost !== '' && isLoopbackHost(apiHost) };
}

const KIND_WORDS: Record<Exclude<HostKind, 'public'>, string> = {
	loopback: 'an address of this n8n server',
	private: 'a private network address',
	'link-local': 'a link-local address (where cloud metadata services answer)',
	'local-name': 'a local network name',
	reserved: 'a reserved address',
};

/**
 * Refuses `target` unless it is an https URL on a public host (or loopback, when the rules allow
 * it); `from` is the previous hop of a redirect chain. With n8n's egress filter (n8n 2.x) the
 * host name is resolved and every address it resolves to is checked as well; the check then
 * gives the address to connect to, so a name that answers differently the second time (DNS
 * rebinding) cannot lead the download elsewhere.
 */
export async function checkDownloadTarget(
	context: GuardContext,
	target: URL,
	rules: DownloadRules,
	from?: URL,
): Promise<DownloadCheck> {
	const host = target.hostname;
	const refuse = (reason: string): DownloadCheck => ({ refusal: { reason, host } });
	const kind = classifyHost(host);
	const loopbackAllowed = kind === 'loopback' && rules.allowLoopback;

	if (from?.protocol === 'https:' && target.protocol !== 'https:') {
		return refuse(`redirected from https to ${target.protocol}//${host}`);
	}
	if (!loopbackAllowed && kind !== 'public' && host !== '') return refuse(`points to ${host}, ${KIND_WORDS[kind]}`);
	if (target.protocol !== 'https:' && !(target.protocol === 'http:' && loopbackAllowed)) {
		return refuse(host ? `must be an https link, not ${target.protocol}//${host}` : 'must be an https link');
	}
	if (loopbackAllowed) return {};

	const filter = egressFilterOf(context);
	if (!filter) return {};
	// A name that does not resolve here (the filter answers with an error or rejects) is left to
	// the request: a direct connection uses the same resolver and fails the same way, and behind
	// a proxy the proxy resolves it.
	const verdict = await resolveChecked(filter, target);
	if (verdict.ok) return { address: verdict.address };
	if (!/^Ssrf/.test(verdict.error?.name ?? '')) return {};
	return refuse(
		verdict.error?.name === 'SsrfBlockedHostnameError'
			? `points to ${host}, a host this n8n instance blocks (N8N_SSRF_BLOCKED_HOSTNAMES)`
			: `points to ${host}, which resolves to an address that is not public`,
	);
}

/**
 * The filter's verdict on the target's host and, when it passed, the address to connect to: the
 * first IPv4 one it was checked at (IPv6 only when there is none), the family that reaches the
 * most servers. Filters without a lookup only judge (no address).
 */
async function resolveChecked(filter: EgressFilter, target: URL): Promise<{ ok: boolean; error?: Error; address?: string }> {
	if (typeof filter.createSecureLookup !== 'function') {
		const verdict = await filter.validateUrl(target.href).catch(() => undefined);
		return verdict?.ok ? { ok: true } : { ok: false, error: verdict?.error };
	}
	const lookup = filter.createSecureLookup();
	return await new Promise((resolve) => {
		try {
			lookup(target.hostname, { all: true }, (error, addresses) => {
				if (error || !addresses?.length) return resolve({ ok: false, error: error ?? undefined });
				resolve({ ok: true, address: (addresses.find((entry) => entry.family === 4) ?? addresses[0]).address });
			});
		} catch (error) {
			resolve({ ok: false, error: error as Error });
		}
	});
}

/**
 * The same rules as a short answer for a caller that must refuse a link before anything is
 * fetched (the trigger, without verification): undefined when the link may be downloaded.
 */
export async function downloadLinkProblem(context: GuardContext, link: string | undefined): Promise<string | undefined> {
	if (!link) return undefined;
	let target: URL;
	try {
		target = new URL(link);
	} catch {
		return 'file_to_download is not a URL';
	}
	const { refusal } = await checkDownloadTarget(context, target, await downloadRulesFor(context));
	return refusal && `file_to_download ${refusal.reason}`;
}

/**
 * 'enforced' applies n8n's default blocked ranges (and the instance's own allow and deny lists)
 * even when SSRF protection is off for the instance.
 */
function egressFilterOf(context: GuardContext): EgressFilter | undefined {
	const helpers = context.helpers as { getSecureEgressFilter?: (policy: 'enforced') => EgressFilter };
	return typeof helpers.getSecureEgressFilter === 'function' ? helpers.getSecureEgressFilter('enforced') : undefined;
}
