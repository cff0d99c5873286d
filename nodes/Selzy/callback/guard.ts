/**
 * Keeps forged callbacks from spending the customer's API quota. Each verification is one
 * getTaskResult call with the customer's key, so per trigger (in this n8n process):
 * - a task ID Selzy did not know is remembered and answered 404 again without asking Selzy;
 * - verifications that find no task are limited per minute; beyond that, callbacks for tasks not
 *   yet verified get 429 with Retry-After until the minute has passed (genuine callbacks, whose
 *   tasks exist, never use up this allowance);
 * - while Selzy fails to answer (errors, rate limits, a refused key), only a few verifications
 *   per period still ask it; the others get 503 with Retry-After at once, so a flood during an
 *   outage costs a few calls, and the first answer from Selzy lifts the limit;
 * - verifications running at the same time are limited, so a flood cannot start many at once.
 * A callback refused by the unknown-task or at-once limits (429) would cost a genuine report if
 * Selzy does not call again (undocumented). So, up to a bound per minute, such a callback is
 * deferred instead: it starts an execution that verifies the task first (an execution that ends
 * empty, if forged). Only past that bound are callbacks refused; refusals are logged with their
 * task IDs.
 * A Shared Secret stops forged callbacks before any of this.
 */

export interface GuardLimits {
	/** Verifications per minute that may find no task before callbacks get 429. */
	unknownTasksPerMinute: number;
	/** How long an unknown task ID is answered 404 without asking Selzy. */
	unknownTaskMemoryMs: number;
	/** Verifications running at once. */
	verificationsAtOnce: number;
	/** While Selzy fails, verifications per period that may still ask it. */
	verificationsWhileFailing: number;
	/** The period of that allowance. */
	failingPeriodMs: number;
	/** Callbacks per minute that, refused by the limits above, are verified in their execution instead. */
	deferredPerMinute: number;
	/** Refusals per minute logged one by one (with the task ID); the rest are counted. */
	loggedRefusalsPerMinute: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
	unknownTasksPerMinute: 20,
	unknownTaskMemoryMs: 10 * 60_000,
	verificationsAtOnce: 50,
	verificationsWhileFailing: 2,
	failingPeriodMs: 10_000,
	deferredPerMinute: 40,
	loggedRefusalsPerMinute: 10,
};

const WINDOW_MS = 60_000;
const UNKNOWN_TASKS_KEPT = 1000;

interface TriggerGuard {
	unknownTasks: Map<string, number>; // task ID as looked up → forget at
	misses: number[]; // times of verifications that found no task
	/** The last verification got no answer from Selzy; cleared by the next one that does. */
	failing: boolean;
	triesWhileFailing: number[]; // start times of verifications admitted while failing
	deferrals: number[]; // times of callbacks deferred to their execution
	refusals: { logged: number[]; unlogged: number };
	running: number;
	lastUsed: number;
}

const guards = new Map<string, TriggerGuard>();

export type Outcome = 'found' | 'unknown' | 'failed';

export type Refusal = { admitted: false; deferred?: false; status: 404 | 429 | 503; error: string; retryAfterSeconds?: number };

export type Admission =
	| { admitted: true; finish(outcome: Outcome): void }
	/** Not verified now: the execution the callback starts verifies the task first. */
	| { admitted: false; deferred: true }
	| Refusal;

const secondsUntil = (time: number, now: number) => Math.max(1, Math.ceil((time - now) / 1000));

/**
 * Decides whether a callback's task may be verified with Selzy now; with `canDefer`, a callback
 * the limits refuse is deferred to its execution while the per-minute bound allows.
 */
export function admitVerification(
	scope: string,
	taskUuid: string,
	{ canDefer = false, limits = DEFAULT_GUARD_LIMITS, now = Date.now() }: { canDefer?: boolean; limits?: GuardLimits; now?: number } = {},
): Admission {
	const guard = guardFor(scope, now);
	const admission = admitNow(guard, taskUuid, limits, now);
	// While Selzy fails, its verification would fail in the execution too: that stays a 503.
	if (admission.admitted || admission.status !== 429 || !canDefer) return admission;
	guard.deferrals = guard.deferrals.filter((time) => time > now - WINDOW_MS);
	if (guard.deferrals.length >= limits.deferredPerMinute) return admission;
	guard.deferrals.push(now);
	return { admitted: false, deferred: true };
}

/**
 * Counts a refusal; resolves whether to log it one by one (`log`), and how many refusals went
 * unlogged since the last line that was written.
 */
export function noteRefusal(
	scope: string,
	{ limits = DEFAULT_GUARD_LIMITS, now = Date.now() }: { limits?: GuardLimits; now?: number } = {},
): { log: boolean; unlogged: number } {
	const { refusals } = guardFor(scope, now);
	refusals.logged = refusals.logged.filter((time) => time > now - WINDOW_MS);
	if (refusals.logged.length >= limits.loggedRefusalsPerMinute) {
		refusals.unlogged++;
		return { log: false, unlogged: refusals.unlogged };
	}
	refusals.logged.push(now);
	const unlogged = refusals.unlogged;
	refusals.unlogged = 0;
	return { log: true, unlogged };
}

function admitNow(guard: TriggerGuard, taskUuid: string, limits: GuardLimits, now: number): Exclude<Admission, { deferred: true }> {
	// Keyed exactly as looked up: an ID in other letter case must not stand for the genuine one.
	const forgetAt = guard.unknownTasks.get(taskUuid);
	if (forgetAt !== undefined && forgetAt > now) return { admitted: false, status: 404, error: 'Unknown task' };
	if (guard.failing) {
		guard.triesWhileFailing = guard.triesWhileFailing.filter((time) => time > now - limits.failingPeriodMs);
		if (guard.triesWhileFailing.length >= limits.verificationsWhileFailing) {
			const retryAfterSeconds = secondsUntil(guard.triesWhileFailing[0] + limits.failingPeriodMs, now);
			return { admitted: false, status: 503, error: 'Selzy is not answering verifications right now; try again later', retryAfterSeconds };
		}
	}
	guard.misses = guard.misses.filter((time) => time > now - WINDOW_MS);
	if (guard.misses.length >= limits.unknownTasksPerMinute) {
		const retryAfterSeconds = secondsUntil(guard.misses[0] + WINDOW_MS, now);
		return { admitted: false, status: 429, error: 'Too many callbacks for unknown tasks; try again later', retryAfterSeconds };
	}
	if (guard.running >= limits.verificationsAtOnce) {
		return { admitted: false, status: 429, error: 'Too many callbacks at once; try again later', retryAfterSeconds: 1 };
	}
	if (guard.failing) guard.triesWhileFailing.push(now);
	guard.running++;
	let finished = false;
	return {
		admitted: true,
		finish(outcome) {
			if (finished) return;
			finished = true;
			guard.running--;
			// The verification that found Selzy failing is the first try of the period.
			if (outcome === 'failed' && !guard.failing) guard.triesWhileFailing = [now];
			if (outcome !== 'failed') guard.triesWhileFailing = [];
			guard.failing = outcome === 'failed';
			if (outcome === 'unknown') rememberUnknown(guard, taskUuid, limits);
		},
	};
}

function rememberUnknown(guard: TriggerGuard, id: string, limits: GuardLimits): void {
	const at = Date.now();
	guard.misses.push(at);
	guard.unknownTasks.delete(id);
	guard.unknownTasks.set(id, at + limits.unknownTaskMemoryMs);
	// Oldest first (insertion order), so the bound drops the ones that expire soonest.
	for (const key of guard.unknownTasks.keys()) {
		if (guard.unknownTasks.size <= UNKNOWN_TASKS_KEPT) break;
		guard.unknownTasks.delete(key);
	}
}

function guardFor(scope: string, now: number): TriggerGuard {
	let guard = guards.get(scope);
	if (!guard) {
		// Guards of triggers idle for a while are dropped, so removed workflows leave nothing behind.
		for (const [key, other] of guards) {
			if (other.running === 0 && other.lastUsed < now - DEFAULT_GUARD_LIMITS.unknownTaskMemoryMs) guards.delete(key);
		}
		guard = {
			unknownTasks: new Map(),
			misses: [],
			failing: false,
			triesWhileFailing: [],
			deferrals: [],
			refusals: { logged: [], unlogged: 0 },
			running: 0,
			lastUsed: now,
		};
		guards.set(scope, guard);
	}
	guard.lastUsed = now;
	return guard;
}
