/**
 * Keeps forged callbacks from spending the customer's API quota. Each verification is one
 * getTaskResult call with the customer's key, so per trigger (in this n8n process):
 * - a task ID Selzy did not know is remembered and answered 404 again without asking Selzy;
 * - verifications that find no task are limited per minute; beyond that, callbacks for tasks not
 *   yet verified get 429 with Retry-After until the minute has passed (genuine callbacks, whose
 *   tasks exist, never use up this allowance);
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
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
	unknownTasksPerMinute: 20,
	unknownTaskMemoryMs: 10 * 60_000,
	verificationsAtOnce: 50,
};

const WINDOW_MS = 60_000;
const UNKNOWN_TASKS_KEPT = 1000;

interface TriggerGuard {
	unknownTasks: Map<string, number>; // task ID → forget at
	misses: number[]; // times of verifications that found no task
	running: number;
	lastUsed: number;
}

const guards = new Map<string, TriggerGuard>();

export type Admission =
	| { admitted: true; finish(outcome: 'found' | 'unknown' | 'failed'): void }
	| { admitted: false; status: 404 | 429; error: string; retryAfterSeconds?: number };

/** Decides whether a callback's task may be verified with Selzy now. */
export function admitVerification(
	scope: string,
	taskUuid: string,
	limits: GuardLimits = DEFAULT_GUARD_LIMITS,
	now = Date.now(),
): Admission {
	const guard = guardFor(scope, now);
	const id = taskUuid.toLowerCase();
	const forgetAt = guard.unknownTasks.get(id);
	if (forgetAt !== undefined && forgetAt > now) return { admitted: false, status: 404, error: 'Unknown task' };
	guard.misses = guard.misses.filter((time) => time > now - WINDOW_MS);
	if (guard.misses.length >= limits.unknownTasksPerMinute) {
		const retryAfterSeconds = Math.max(1, Math.ceil((guard.misses[0] + WINDOW_MS - now) / 1000));
		return { admitted: false, status: 429, error: 'Too many callbacks for unknown tasks; try again later', retryAfterSeconds };
	}
	if (guard.running >= limits.verificationsAtOnce) {
		return { admitted: false, status: 429, error: 'Too many callbacks at once; try again later', retryAfterSeconds: 1 };
	}
	guard.running++;
	let finished = false;
	return {
		admitted: true,
		finish(outcome) {
			if (finished) return;
			finished = true;
			guard.running--;
			if (outcome !== 'unknown') return;
			const at = Date.now();
			guard.misses.push(at);
			guard.unknownTasks.delete(id);
			guard.unknownTasks.set(id, at + limits.unknownTaskMemoryMs);
			// Oldest first (insertion order), so the bound drops the ones that expire soonest.
			for (const key of guard.unknownTasks.keys()) {
				if (guard.unknownTasks.size <= UNKNOWN_TASKS_KEPT) break;
				guard.unknownTasks.delete(key);
			}
		},
	};
}

function guardFor(scope: string, now: number): TriggerGuard {
	let guard = guards.get(scope);
	if (!guard) {
		// Guards of triggers idle for a while are dropped, so removed workflows leave nothing behind.
		for (const [key, other] of guards) {
			if (other.running === 0 && other.lastUsed < now - DEFAULT_GUARD_LIMITS.unknownTaskMemoryMs) guards.delete(key);
		}
		guard = { unknownTasks: new Map(), misses: [], running: 0, lastUsed: now };
		guards.set(scope, guard);
	}
	guard.lastUsed = now;
	return guard;
}
