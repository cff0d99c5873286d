/**
 * Which events a trigger has already output, so Selzy's retries (and any repeat of a request)
 * start nothing twice. Selzy's events carry no ID: an event is known by its own fields (account
 * login, name, time and data, without what the delivery adds, such as retry_count).
 *
 * Two memories. This process remembers up to MAX_REMEMBERED events for Selzy's whole retry period
 * (24 hours), shared by concurrent requests. The workflow's static data keeps the last
 * STATIC_REMEMBERED, so a retry after an n8n restart is caught too. n8n saves static data when
 * webhook() returns after answering itself, each request from its own copy; so a request writes
 * this process's latest keys (not only its own), and at most once per SAVE_EVERY_MS per trigger:
 * every save is a database write, and under a burst those would compete with n8n's executions.
 */
import { createHash } from 'crypto';

import type { SelzyEvent } from './eventEnvelope';

export const MAX_REMEMBERED = 200_000;
export const STATIC_REMEMBERED = 1_000;
/** Selzy retries for 24 hours; an hour more covers its last attempt. */
const REMEMBER_MS = 25 * 60 * 60 * 1000;
/** Static data is written at most this often per trigger and process. */
export const SAVE_EVERY_MS = 1_000;

export interface EventMemoryState {
	recentEvents?: string[];
}

/** The event's identity: a digest of its own fields (96 bits, as text). */
export function eventKey(event: SelzyEvent): string {
	const fields = Object.keys(event.data)
		.sort()
		.map((name) => [name, event.data[name]]);
	const text = JSON.stringify([event.login ?? '', event.name, event.time, fields]);
	return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

/** key (scoped by trigger) → when it is forgotten; Map order is insertion order, oldest first. */
const remembered = new Map<string, number>();

/** Per trigger: its latest keys in this process (what static data should hold) and when they were last written there. */
const latest = new Map<string, { keys: string[]; savedAt: number }>();

function forgetOld(now: number): void {
	for (const [key, until] of remembered) {
		if (until > now && remembered.size <= MAX_REMEMBERED) break;
		remembered.delete(key);
	}
}

/**
 * The events not seen before by this trigger, each remembered from now on (in this process and,
 * at most once per SAVE_EVERY_MS, in `state`). Repeats within one request count once.
 */
export function firstSeen<T extends SelzyEvent>(scope: string, events: T[], state: EventMemoryState): T[] {
	const now = Date.now();
	const saved = new Set(state.recentEvents ?? []);
	const fresh: T[] = [];
	const ours = latest.get(scope) ?? { keys: [], savedAt: 0 };
	for (const event of events) {
		const key = eventKey(event);
		const scoped = `${scope}:${key}`;
		if (remembered.has(scoped) || saved.has(key)) continue;
		remembered.set(scoped, now + REMEMBER_MS);
		fresh.push(event);
		ours.keys.push(key);
	}
	forgetOld(now);
	if (ours.keys.length > STATIC_REMEMBERED) ours.keys = ours.keys.slice(-STATIC_REMEMBERED);
	if (fresh.length && now - ours.savedAt >= SAVE_EVERY_MS) {
		// Keys saved by other processes (or before a restart) stay, then this process's latest.
		const mine = new Set(ours.keys);
		const others = (state.recentEvents ?? []).filter((key) => !mine.has(key));
		state.recentEvents = [...others, ...ours.keys].slice(-STATIC_REMEMBERED);
		ours.savedAt = now;
	}
	latest.set(scope, ours);
	return fresh;
}
