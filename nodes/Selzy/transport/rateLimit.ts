/**
 * Selzy's per-key call limits, kept on this side: every call with one API key in this n8n process
 * takes a turn here first, so many items (or many workflows on one key) stay under the limit
 * together, and when Selzy says the limit was hit anyway, every caller holds back together.
 *
 * Each limit is a token bucket whose burst plus one minute of refill equals the limit, so no
 * 60-second window ever holds more calls than Selzy allows, while short bursts stay fast.
 */
import { createHash } from 'crypto';

import { waitUnlessCancelled } from './wait';

/** Calls per minute Selzy allows per API key (and per IP). */
export const SELZY_CALLS_PER_MINUTE = 1200;

/** The share of a limit that may go out at once; the rest is spread over the minute. */
const BURST_SHARE = 0.1;

const IDLE_MS = 5 * 60_000;

class TokenBucket {
	private tokens: number;
	private updatedAt = Date.now();

	constructor(private readonly perMinute: number) {
		this.tokens = burstOf(perMinute);
	}

	/** How long until a token is free (0: now). */
	waitMs(): number {
		this.refill();
		return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 60_000) / refillPerMinute(this.perMinute));
	}

	take(): void {
		this.tokens -= 1;
	}

	private refill(): void {
		const now = Date.now();
		const burst = burstOf(this.perMinute);
		this.tokens = Math.min(burst, this.tokens + ((now - this.updatedAt) * refillPerMinute(this.perMinute)) / 60_000);
		this.updatedAt = now;
	}
}

const burstOf = (perMinute: number) => Math.max(1, Math.floor(perMinute * BURST_SHARE));
const refillPerMinute = (perMinute: number) => Math.max(1, perMinute - burstOf(perMinute));

interface KeyLimits {
	/** Selzy's own limit for the key, shared by every caller. */
	general: TokenBucket;
	/** A method's lower limit, or a lower rate a node was set to ("rate:600"). */
	narrower: Map<string, TokenBucket>;
	/** Selzy said the limit was reached: nobody calls before this time. */
	holdUntil: number;
	lastUsed: number;
}

/** API key digest → its limits */
const limitsByKey = new Map<string, KeyLimits>();

function limitsFor(apiKey: string): KeyLimits {
	const now = Date.now();
	for (const [key, limits] of limitsByKey) if (limits.lastUsed < now - IDLE_MS) limitsByKey.delete(key);
	// A digest, so the key itself is not kept as a map key.
	const id = createHash('sha256').update(apiKey).digest('hex');
	let limits = limitsByKey.get(id);
	if (!limits) {
		limits = { general: new TokenBucket(SELZY_CALLS_PER_MINUTE), narrower: new Map(), holdUntil: 0, lastUsed: now };
		limitsByKey.set(id, limits);
	}
	limits.lastUsed = now;
	return limits;
}

export interface TurnOptions {
	/** A lower rate the caller was set to for the whole key. */
	perMinute?: number;
	/** The method's own documented limit, when lower than the key's. */
	methodPerMinute?: number;
	signal?: AbortSignal;
	deadline?: number;
}

/**
 * Waits for this call's turn under the key's limits (and the method's own, if given). Resolves
 * to false when `signal` aborted or `deadline` would pass first.
 */
export async function takeTurn(
	apiKey: string,
	method: string,
	{ perMinute = SELZY_CALLS_PER_MINUTE, methodPerMinute, signal, deadline = Infinity }: TurnOptions = {},
): Promise<boolean> {
	const limits = limitsFor(apiKey);
	const buckets = [limits.general];
	const narrower = (name: string, rate: number) => {
		let bucket = limits.narrower.get(name);
		if (!bucket) limits.narrower.set(name, (bucket = new TokenBucket(rate)));
		buckets.push(bucket);
	};
	if (methodPerMinute) narrower(method, methodPerMinute);
	if (perMinute < SELZY_CALLS_PER_MINUTE) narrower(`rate:${Math.max(1, Math.floor(perMinute))}`, Math.max(1, Math.floor(perMinute)));
	for (;;) {
		const wait = Math.max(limits.holdUntil - Date.now(), ...buckets.map((bucket) => bucket.waitMs()));
		if (wait <= 0) {
			for (const bucket of buckets) bucket.take();
			return true;
		}
		if (Date.now() + wait > deadline) return false;
		if (!(await waitUnlessCancelled(Math.min(wait, 1000), signal))) return false;
	}
}

/** Selzy answered that the key's (or this IP's) limit was reached: every caller holds back. */
export function holdBack(apiKey: string, ms: number): void {
	const limits = limitsFor(apiKey);
	limits.holdUntil = Math.max(limits.holdUntil, Date.now() + ms);
}
