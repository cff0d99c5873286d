/**
 * The Selzy Events Trigger's hook in Selzy, kept to exactly one per trigger URL: publishing
 * registers it (setHook, status active, which also restarts a hook Selzy stopped), unpublishing
 * removes it, and n8n asks first whether it exists. The URL carries a random secret of the node's
 * own, kept in the workflow's static data (n8n saves what webhookMethods write there), so the same
 * URL survives re-publishing and restarts and Selzy's handler for it is replaced, never doubled.
 */
import { randomBytes } from 'crypto';
import type { IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { classifyHost } from '../transport/addresses';
import { apiBaseUrl } from '../transport/apiUrl';
import { redact } from '../transport/errors';
import { selzyCredentials } from '../transport/credentials';
import { listHooks, removeHook, setHook, type SelzyHook } from '../transport/hooks';
import { readEventSubscription } from './eventSubscription';

/** Query parameter of the hook URL carrying the node's secret. */
export const HOOK_SECRET_PARAM = 'selzy_secret';

export interface EventHookState {
	/** The node's secret, the same for its test and production URLs. */
	secret?: string;
	/** The production hook registered last (to remove it should n8n's address change). */
	hookUrl?: string;
}

const stateOf = (context: IHookFunctions) => context.getWorkflowStaticData('node') as EventHookState;

/** n8n's URL of the node's webhook, without the secret. */
function webhookUrlOf(context: IHookFunctions): string {
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(context.getNode(), 'n8n gave no webhook URL for this trigger');
	return url;
}

const withSecret = (url: string, secret: string) => `${url}${url.includes('?') ? '&' : '?'}${HOOK_SECRET_PARAM}=${secret}`;

/** Origin and path: hooks of this trigger differ from each other only in their query. */
function endpointOf(url: string): string | undefined {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return undefined;
	}
}

export async function eventHookExists(context: IHookFunctions): Promise<boolean> {
	const { secret } = stateOf(context);
	if (!secret) return false;
	const url = withSecret(webhookUrlOf(context), secret);
	const wanted = Object.keys(readEventSubscription(context).hookEvents).sort().join(',');
	let hooks: SelzyHook[];
	try {
		hooks = await listHooks.call(context);
	} catch (error) {
		// setHook replaces the hook at the same URL, so registering again is always safe.
		context.logger.info(`Selzy Events Trigger: could not list hooks (${redact((error as Error).message, secret)}); registering again`);
		return false;
	}
	const endpoint = endpointOf(url);
	const ours = hooks.filter((hook) => endpointOf(hook.url) === endpoint);
	const [hook] = ours;
	return (
		ours.length === 1 &&
		hook.url === url &&
		hook.status === 'active' &&
		hook.eventNames !== undefined &&
		[...hook.eventNames].sort().join(',') === wanted
	);
}

export async function createEventHook(context: IHookFunctions): Promise<boolean> {
	const state = stateOf(context);
	const webhookUrl = webhookUrlOf(context);
	await refuseUnreachable(context, webhookUrl);
	const subscription = readEventSubscription(context);
	if (Object.keys(subscription.hookEvents).length === 0) {
		throw new NodeOperationError(context.getNode(), 'Events: choose at least one event to receive');
	}
	state.secret ??= randomBytes(16).toString('hex');
	const url = withSecret(webhookUrl, state.secret);
	await setHook.call(context, { url, events: subscription.hookEvents, singleEvent: subscription.singleEvent });

	// Only now that the new hook is in place: hooks left at this URL with another secret (static
	// data lost), and the production hook of an earlier n8n address.
	const production = context.getMode() !== 'manual';
	const earlier = production && state.hookUrl && state.hookUrl !== url ? state.hookUrl : undefined;
	await removeHooks(context, (hook) => hook.url !== url && (endpointOf(hook.url) === endpointOf(url) || hook.url === earlier));
	if (production) state.hookUrl = url;
	return true;
}

/** Never throws: n8n 1.x would otherwise keep the workflow active. A hook left behind is logged. */
export async function deleteEventHook(context: IHookFunctions): Promise<boolean> {
	const state = stateOf(context);
	const webhookUrl = webhookUrlOf(context);
	const endpoint = endpointOf(webhookUrl);
	try {
		await removeHooks(context, (hook) => endpointOf(hook.url) === endpoint).catch(async (error) => {
			// Without the list, the hook this node knows is removed by its URL.
			if (!state.secret) throw error;
			await removeHook.call(context, withSecret(webhookUrl, state.secret));
		});
	} catch (error) {
		context.logger.warn(
			`Selzy Events Trigger: could not remove the Selzy hook of ${endpoint} (${redact((error as Error).message, state.secret)}); remove it in Selzy, or publish again and unpublish`,
		);
		return false;
	}
	if (state.hookUrl && endpointOf(state.hookUrl) === endpoint) delete state.hookUrl;
	return true;
}

async function removeHooks(context: IHookFunctions, matches: (hook: SelzyHook) => boolean): Promise<void> {
	for (const hook of (await listHooks.call(context)).filter(matches)) await removeHook.call(context, hook.url);
}

/** With the real Selzy API, a local n8n address can never receive events: said before registering. */
async function refuseUnreachable(context: IHookFunctions, webhookUrl: string): Promise<void> {
	const local = (url: string) => {
		try {
			return classifyHost(new URL(url).hostname) !== 'public';
		} catch {
			return true;
		}
	};
	if (local(apiBaseUrl(await selzyCredentials(context))) || !local(webhookUrl)) return;
	throw new NodeOperationError(context.getNode(), `Selzy cannot reach this n8n: its webhook address is ${new URL(webhookUrl).origin}`, {
		description:
			'Selzy delivers events to a public address only. Set the WEBHOOK_URL environment variable of n8n to its public URL (for example https://n8n.example.com/) and restart n8n.',
	});
}
