/**
 * Which events this n8n process has handed to an execution lately, so Selzy's retry of a delivery
 * reaching the same process starts no execution at all. Selzy's events carry no ID: an event is
 * known by its own fields (account login, name, time and data, without what the delivery adds,
 * such as retry_count). The memory every process shares, and which survives a restart, is n8n's
 * deduplication store, looked up in the execution (./eventExecution.ts).
 */
import { createHash } from 'crypto';

import type { SelzyEvent } from './eventEnvelope';

export const MAX_REMEMBERED = 200_000;
/** Selzy retries for 24 hours; an hour more covers its last attempt. */
const REMEMBER_MS = 25 * 60 * 60 * 1000;

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

function forgetOld(now: number): void {
	for (const [key, until] of remembered) {
		if (until > now && remembered.size <= MAX_REMEMBERED) break;
		remembered.delete(key);
	}
}

/**
 * The events this trigger has not handed on before in this process, with their keys; each is
 * remembered from now on. Repeats within one request count once.
 */
export function firstSeen<T extends SelzyEvent>(scope: string, events: T[]): Array<{ event: T; key: string }> {
	const now = Date.now();
	const fresh: Array<{ event: T; key: string }> = [];
	for (const event of events) {
		const key = eventKey(event);
		const scoped = `${scope}:${key}`;
		if (remembered.has(scoped)) continue;
		remembered.set(scoped, now + REMEMBER_MS);
		fresh.push({ event, key });
	}
	forgetOld(now);
	return fresh;
}

/** Forgets events handed on in vain (their execution was never started), so Selzy's retry of them is taken again. */
export function forgetEvents(scope: string, keys: string[]): void {
	for (const key of keys) remembered.delete(`${scope}:${key}`);
}
