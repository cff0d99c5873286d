/**
 * Selzy's per-key call limits, kept on this side: every call with one API key in this n8n process
 * takes a turn here first, so many items (or many workflows on one key) stay under the limit
 * together, and when Selzy says the limit was hit anyway, every caller holds back together.
 *
 * Each limit is a token bucket whose burst plus one minute of refill equals the limit, so no
 * 60-second window ever holds more calls than Selzy allows, while short bursts stay fast.
 * Callers past the limit wait in one queue per key and are woken when their turn comes, in the
 * order they asked; a call someone is waiting for (a callback's verification) goes first.
 */
import { createHash } from 'crypto';

import { waitUnlessCancelled } from './wait';

/** Calls per minute Selzy allows per API key (and per IP). */
export const SELZY_CALLS_PER_MINUTE = 1200;

/** The share of a limit that may go out at once; the rest is spread over the minute. */
const BURST_SHARE = 0.1;

const IDLE_MS = 5 * 60_000;

/** Who set a limit: Selzy for every call, Selzy for one method, or the node's API Calls per Minute. */
export interface CallLimit {
	perMinute: number;
	setBy: 'selzy' | 'method' | 'option';
}

class TokenBucket {
	private tokens: number;
	private updatedAt = Date.now();
	/** Callers waiting for this bucket, and how many of them go first. */
	queued = 0;
	queuedUrgent = 0;

	constructor(readonly limit: CallLimit) {
		this.tokens = burstOf(limit.perMinute);
	}

	/** How long until `count` tokens are free (0: now). */
	waitMs(count = 1): number {
		this.refill();
		const missing = count - this.tokens;
		return missing <= 0 ? 0 : Math.ceil((missing * 60_000) / refillPerMinute(this.limit.perMinute));
	}

	take(): void {
		this.tokens -= 1;
	}

	private refill(): void {
		const now = Date.now();
		const burst = burstOf(this.limit.perMinute);
		this.tokens = Math.min(burst, this.tokens + ((now - this.updatedAt) * refillPerMinute(this.limit.perMinute)) / 60_000);
		this.updatedAt = now;
	}
}

const burstOf = (perMinute: number) => Math.max(1, Math.floor(perMinute * BURST_SHARE));
const refillPerMinute = (perMinute: number) => Math.max(1, perMinute - burstOf(perMinute));

export interface TurnOptions {
	/** Calls per minute the caller allows itself; below Selzy's limit it adds a limit of its own. */
	perMinute?: number;
	/** The method's own documented limit (e.g. 20 a minute for contact exports), when lower than the key's. */
	methodPerMinute?: number;
	signal?: AbortSignal;
	/** The turn must come before this time, or the caller gets none. */
	deadline?: number;
	/** Someone waits for the answer (Selzy, for its callback's verification): goes before queued calls. */
	urgent?: boolean;
}

/** No turn: cancelled, or the time ran out because of the limit (`heldBackMs`: Selzy said it was reached). */
export type NoTurn = { cancelled: true } | { cancelled: false; waiting: number; limit: CallLimit; heldBackMs: number };

export type Turn = { taken: true } | ({ taken: false } & NoTurn);

interface Waiter {
	buckets: TokenBucket[];
	urgent: boolean;
	deadline: number;
	settle(turn: Turn): void;
}

interface KeyLimits {
	/** Selzy's own limit for the key, shared by every caller. */
	general: TokenBucket;
	/** A method's lower limit, or a lower rate a node was set to ("rate:600"). */
	narrower: Map<string, TokenBucket>;
	/** Selzy said the limit was reached: nobody calls before this time. */
	holdUntil: number;
	/** Callers waiting for a turn: the urgent ones first, each group in the order they came. */
	queue: Waiter[];
	/** When the queue is served next, and how to serve it sooner (undefined: not being served). */
	nextServeAt?: number;
	serveSooner?: AbortController;
	lastUsed: number;
}

/** API key digest → its limits */
const limitsByKey = new Map<string, KeyLimits>();

function limitsFor(apiKey: string): KeyLimits {
	const now = Date.now();
	for (const [key, limits] of limitsByKey) {
		if (limits.lastUsed < now - IDLE_MS && limits.queue.length === 0) limitsByKey.delete(key);
	}
	// A digest, so the key itself is not kept as a map key.
	const id = createHash('sha256').update(apiKey).digest('hex');
	let limits = limitsByKey.get(id);
	if (!limits) {
		const general = new TokenBucket({ perMinute: SELZY_CALLS_PER_MINUTE, setBy: 'selzy' });
		limits = { general, narrower: new Map(), holdUntil: 0, queue: [], lastUsed: now };
		limitsByKey.set(id, limits);
	}
	limits.lastUsed = now;
	return limits;
}

function bucketsFor(limits: KeyLimits, method: string, perMinute: number, methodPerMinute?: number): TokenBucket[] {
	const buckets = [limits.general];
	const narrower = (name: string, limit: CallLimit) => {
		let bucket = limits.narrower.get(name);
		if (!bucket) limits.narrower.set(name, (bucket = new TokenBucket(limit)));
		buckets.push(bucket);
	};
	if (methodPerMinute) narrower(method, { perMinute: methodPerMinute, setBy: 'method' });
	const rate = Math.max(1, Math.floor(perMinute));
	if (rate < SELZY_CALLS_PER_MINUTE) narrower(`rate:${rate}`, { perMinute: rate, setBy: 'option' });
	return buckets;
}

/**
 * Waits for this call's turn under the key's limits (and the method's own, if lower). Without a
 * turn it says why: `signal` aborted, or `deadline` would pass first (with how many calls waited
 * ahead and which limit held them).
 */
export async function takeTurn(apiKey: string, method: string, options: TurnOptions = {}): Promise<Turn> {
	const { perMinute = SELZY_CALLS_PER_MINUTE, methodPerMinute, signal, deadline = Infinity, urgent = false } = options;
	if (signal?.aborted) return { taken: false, cancelled: true };
	const limits = limitsFor(apiKey);
	const buckets = bucketsFor(limits, method, perMinute, methodPerMinute);
	return await new Promise<Turn>((resolve) => {
		let settled = false;
		const onAbort = () => waiter.settle({ taken: false, cancelled: true });
		const waiter: Waiter = {
			buckets,
			urgent,
			deadline,
			settle(turn) {
				if (settled) return;
				settled = true;
				const index = limits.queue.indexOf(waiter);
				if (index >= 0) limits.queue.splice(index, 1);
				for (const bucket of buckets) {
					bucket.queued--;
					if (urgent) bucket.queuedUrgent--;
				}
				signal?.removeEventListener('abort', onAbort);
				resolve(turn);
			},
		};
		const expected = expectedWait(limits, waiter);
		const firstNotUrgent = urgent ? limits.queue.findIndex((other) => !other.urgent) : -1;
		if (firstNotUrgent < 0) limits.queue.push(waiter);
		else limits.queue.splice(firstNotUrgent, 0, waiter);
		for (const bucket of buckets) {
			bucket.queued++;
			if (urgent) bucket.queuedUrgent++;
		}
		// Refused at once when the calls ahead leave no time for this one.
		if (Date.now() + expected.ms > deadline) return waiter.settle(noTurn(limits, expected.waiting, expected.limit));
		signal?.addEventListener('abort', onAbort, { once: true });
		if (limits.nextServeAt === undefined) void serve(limits);
		else if (Date.now() + expected.ms < limits.nextServeAt) limits.serveSooner?.abort();
	});
}

/** How long a new caller would wait with everyone ahead of it, and the limit that holds it longest. */
function expectedWait(limits: KeyLimits, waiter: Waiter): { ms: number; waiting: number; limit: CallLimit } {
	let result = { ms: Math.max(0, limits.holdUntil - Date.now()), waiting: 0, limit: limits.general.limit };
	for (const bucket of waiter.buckets) {
		const ahead = waiter.urgent ? bucket.queuedUrgent : bucket.queued;
		const ms = bucket.waitMs(ahead + 1);
		if (ms > result.ms || (ms === result.ms && ahead > result.waiting)) result = { ms, waiting: ahead, limit: bucket.limit };
	}
	return result;
}

function noTurn(limits: KeyLimits, waiting: number, limit: CallLimit): Turn {
	return { taken: false, cancelled: false, waiting, limit, heldBackMs: Math.max(0, limits.holdUntil - Date.now()) };
}

/**
 * Gives turns while callers wait: each in order as soon as its limits allow (a caller held only
 * by a method's own limit lets others pass meanwhile), then sleeps until the next turn is due.
 */
async function serve(limits: KeyLimits): Promise<void> {
	try {
		while (limits.queue.length > 0) {
			const now = Date.now();
			const held = limits.holdUntil - now;
			let nextMs = 60_000;
			for (const waiter of [...limits.queue]) {
				const waitMs = Math.max(held, ...waiter.buckets.map((bucket) => bucket.waitMs()));
				if (waitMs <= 0) {
					for (const bucket of waiter.buckets) bucket.take();
					waiter.settle({ taken: true });
				} else if (now >= waiter.deadline) {
					const slowest = waiter.buckets.reduce((a, b) => (b.waitMs() > a.waitMs() ? b : a));
					waiter.settle(noTurn(limits, limits.queue.indexOf(waiter), slowest.limit));
				} else {
					nextMs = Math.min(nextMs, waitMs, waiter.deadline - now);
				}
			}
			if (limits.queue.length === 0) break;
			const sooner = new AbortController();
			limits.serveSooner = sooner;
			limits.nextServeAt = now + nextMs;
			await waitUnlessCancelled(nextMs, sooner.signal);
		}
	} finally {
		limits.nextServeAt = undefined;
		limits.serveSooner = undefined;
	}
}

/** Selzy answered that the key's (or this IP's) limit was reached: every caller holds back. */
export function holdBack(apiKey: string, ms: number): void {
	const limits = limitsFor(apiKey);
	limits.holdUntil = Math.max(limits.holdUntil, Date.now() + ms);
}
