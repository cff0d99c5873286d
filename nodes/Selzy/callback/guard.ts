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
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
	unknownTasksPerMinute: 20,
	unknownTaskMemoryMs: 10 * 60_000,
	verificationsAtOnce: 50,
	verificationsWhileFailing: 2,
	failingPeriodMs: 10_000,
};

const WINDOW_MS = 60_000;
const UNKNOWN_TASKS_KEPT = 1000;

interface TriggerGuard {
	unknownTasks: Map<string, number>; // task ID as looked up → forget at
	misses: number[]; // times of verifications that found no task
	/** The last verification got no answer from Selzy; cleared by the next one that does. */
	failing: boolean;
	triesWhileFailing: number[]; // start times of verifications admitted while failing
	running: number;
	lastUsed: number;
}

const guards = new Map<string, TriggerGuard>();

export type Outcome = 'found' | 'unknown' | 'failed';

export type Admission =
	| { admitted: true; finish(outcome: Outcome): void }
	| { admitted: false; status: 404 | 429 | 503; error: string; retryAfterSeconds?: number };

const secondsUntil = (time: number, now: number) => Math.max(1, Math.ceil((time - now) / 1000));

/** Decides whether a callback's task may be verified with Selzy now. */
export function admitVerification(
	scope: string,
	taskUuid: string,
	limits: GuardLimits = DEFAULT_GUARD_LIMITS,
	now = Date.now(),
): Admission {
	const guard = guardFor(scope, now);
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
		guard = { unknownTasks: new Map(), misses: [], failing: false, triesWhileFailing: [], running: 0, lastUsed: now };
		guards.set(scope, guard);
	}
	guard.lastUsed = now;
	return guard;
}
