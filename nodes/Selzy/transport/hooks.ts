/**
 * Selzy's event webhooks: setHook registers (or replaces) the handler at a URL, listHooks lists
 * them, removeHook deletes one. The URL is the handler's identity. listHooks' answer is not
 * documented, so it is read liberally.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SelzyContext } from './credentials';
import { selzyApiRequest } from './request';

/** The events a hook receives: Selzy's event name → its filter (`*` for all, or e.g. a list ID). */
export type HookEvents = Record<string, string>;

export interface HookRegistration {
	url: string;
	events: HookEvents;
	/** One event per request instead of batches. */
	singleEvent: boolean;
}

export interface SelzyHook {
	url: string;
	/** `active`, `stopped` (after 24 h of failed deliveries) or whatever Selzy says. */
	status: string;
	/** Event names the hook receives, when the answer names them. */
	eventNames?: string[];
}

/** Registers the hook, or replaces the one at the same URL, and (re)activates it. */
export async function setHook(this: SelzyContext, hook: HookRegistration): Promise<void> {
	const params: IDataObject = {
		hook_url: hook.url,
		event_format: 'json_post',
		single_event: hook.singleEvent ? 1 : 0,
		status: 'active',
	};
	for (const [name, filter] of Object.entries(hook.events)) params[`events[${name}]`] = filter;
	await selzyApiRequest.call(this, 'setHook', params);
}

export async function listHooks(this: SelzyContext): Promise<SelzyHook[]> {
	const answer = await selzyApiRequest.call(this, 'listHooks');
	const listed = Array.isArray(answer) ? answer : isObject(answer) ? Object.values(answer).find(Array.isArray) ?? Object.values(answer) : [];
	return (listed as unknown[]).filter(isObject).map(readHook).filter((hook): hook is SelzyHook => hook !== undefined);
}

export async function removeHook(this: SelzyContext, url: string): Promise<void> {
	await selzyApiRequest.call(this, 'removeHook', { hook_url: url });
}

function readHook(entry: Record<string, unknown>): SelzyHook | undefined {
	const url = entry.hook_url ?? entry.url;
	if (typeof url !== 'string' || !url) return undefined;
	const events = entry.events;
	const eventNames = Array.isArray(events) ? events.map(String) : isObject(events) ? Object.keys(events) : undefined;
	return { url, status: String(entry.status ?? 'active').toLowerCase(), eventNames };
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
