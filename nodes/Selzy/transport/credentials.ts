import type {
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import type { SelzyCredentials } from './apiUrl';

/** Every n8n context that calls Selzy. */
export type SelzyContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions | IHookFunctions;

const CREDENTIAL_TYPE = 'selzyApi';

/**
 * How long a webhook reuses the credential it decrypted. In n8n 2.x each getCredentials() outside
 * an execution builds a fresh expression sandbox (an isolate) and throws it away; doing that for
 * every callback is what made a burst of callbacks slow and memory-hungry. Short, so an edited
 * credential takes effect within seconds (a key Selzy refuses is read again at once).
 */
export const WEBHOOK_CREDENTIAL_TTL_MS = 10_000;

/**
 * workflow:node:credential → the credential a webhook decrypted (or is decrypting) moments ago.
 * `dropAtExpiry` is the timer that drops it when its time is over, callbacks or not.
 */
const reusedByWebhooks = new Map<string, { credentials: Promise<SelzyCredentials>; dropAtExpiry: AbortSignal }>();

function isWebhook(context: SelzyContext): context is IWebhookFunctions {
	return 'getRequestObject' in context;
}

async function decrypt(context: SelzyContext): Promise<SelzyCredentials> {
	return (await context.getCredentials(CREDENTIAL_TYPE)) as unknown as SelzyCredentials;
}

/**
 * The node's Selzy credential. A webhook (a trigger's callback, a resumed execution) reuses the
 * one it decrypted within the last WEBHOOK_CREDENTIAL_TTL_MS, in this process's memory only; callbacks arriving
 * together share one decryption.
 */
export async function selzyCredentials(context: SelzyContext): Promise<SelzyCredentials> {
	if (!isWebhook(context)) return await decrypt(context);
	const scope = webhookScope(context);
	const known = reusedByWebhooks.get(scope);
	if (known) return await known.credentials;
	const credentials = decrypt(context);
	// AbortSignal.timeout's timer does not keep n8n's process (or a test run) alive.
	const entry = { credentials, dropAtExpiry: AbortSignal.timeout(WEBHOOK_CREDENTIAL_TTL_MS) };
	const drop = () => reusedByWebhooks.get(scope) === entry && reusedByWebhooks.delete(scope);
	entry.dropAtExpiry.addEventListener('abort', drop, { once: true });
	reusedByWebhooks.set(scope, entry);
	// A failed decryption is not remembered; the caller gets its error from the await below.
	credentials.catch(drop);
	return await credentials;
}

/** Whether a webhook's next call would reuse a credential decrypted earlier. */
export function hasReusedCredentials(context: IWebhookFunctions): boolean {
	return reusedByWebhooks.has(webhookScope(context));
}

/** Drops a webhook's reused credential, e.g. after Selzy refused it (the key may have changed). */
export function forgetSelzyCredentials(context: IWebhookFunctions): void {
	reusedByWebhooks.delete(webhookScope(context));
}

function webhookScope(context: IWebhookFunctions): string {
	const node = context.getNode();
	return `${context.getWorkflow().id ?? ''}:${node.id}:${node.credentials?.[CREDENTIAL_TYPE]?.id ?? ''}`;
}
