import type { ICredentialsDecrypted, IWebhookFunctions } from 'n8n-workflow';

import type { SelzyContext, SelzyCredentials } from './request';

export const SELZY_CREDENTIAL = 'selzyApi';

/**
 * How long a webhook reuses the credential it decrypted. In n8n 2.x every getCredentials() outside
 * an execution builds a fresh expression sandbox (an isolate) and throws it away; doing that for
 * each callback is what made a burst of callbacks slow and memory-hungry.
 */
export const WEBHOOK_CREDENTIAL_TTL_MS = 60_000;

/** scope → credential decrypted (or being decrypted) for that trigger moments ago */
const reused = new Map<string, { credential: Promise<ICredentialsDecrypted>; expiresAt: number }>();

/**
 * The node's Selzy credential, decrypted once for a whole API call (and handed to
 * httpRequestWithAuthentication, which would otherwise decrypt it again).
 */
export async function readSelzyCredential(context: SelzyContext): Promise<ICredentialsDecrypted> {
	const data = await context.getCredentials(SELZY_CREDENTIAL);
	const reference = context.getNode().credentials?.[SELZY_CREDENTIAL];
	return { id: reference?.id ?? '', name: reference?.name ?? '', type: SELZY_CREDENTIAL, data };
}

/**
 * For webhooks: the credential this trigger decrypted within the last minute, or a fresh one.
 * Kept per workflow, node and credential, in this process's memory only.
 */
export async function reusableSelzyCredential(
	context: IWebhookFunctions,
): Promise<{ credential: ICredentialsDecrypted; reused: boolean }> {
	const scope = scopeOf(context);
	const now = Date.now();
	for (const [key, entry] of reused) if (entry.expiresAt <= now) reused.delete(key);
	const known = reused.get(scope);
	if (known) return { credential: await known.credential, reused: true };
	// Callbacks arriving together share one decryption.
	const credential = readSelzyCredential(context);
	reused.set(scope, { credential, expiresAt: now + WEBHOOK_CREDENTIAL_TTL_MS });
	// A failed decryption is not remembered; the caller gets its error from the await below.
	credential.catch(() => reused.get(scope)?.credential === credential && reused.delete(scope));
	return { credential: await credential, reused: false };
}

/** Drops the reused credential, e.g. after Selzy refused it (the key may have been changed). */
export function forgetSelzyCredential(context: IWebhookFunctions): void {
	reused.delete(scopeOf(context));
}

export function selzyCredentialData(credential: ICredentialsDecrypted): SelzyCredentials {
	return (credential.data ?? {}) as unknown as SelzyCredentials;
}

function scopeOf(context: IWebhookFunctions): string {
	const node = context.getNode();
	return `${context.getWorkflow().id ?? ''}:${node.id}:${node.credentials?.[SELZY_CREDENTIAL]?.id ?? ''}`;
}
