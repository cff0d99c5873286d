import type { SelzyTask } from '../tasks/task';

/**
 * Which tasks a trigger has started its workflow with, so a repeated callback starts nothing.
 *
 * Two memories: the workflow's static data (the last REMEMBERED_STARTS tasks, saved by n8n when
 * the trigger finishes handling a callback) and claims held by this n8n process. The static data
 * is saved only after webhook() returns, and each request reads its own copy of the saved data.
 * The trigger answers Selzy before downloading, so a second callback for the same task can arrive
 * while the first download still runs; the static data cannot see it, a claim can. A finished
 * start stays claimed for a short grace period, which covers the time n8n needs to save the
 * static data.
 */

/** Starts remembered in the workflow's static data, bounded so it never grows. */
export const REMEMBERED_STARTS = 500;

const CLAIM_GRACE_MS = 60_000;

export interface TriggerState {
	/** Keys of the tasks started recently (the name is kept: workflows saved it before). */
	recentDeliveries?: string[];
}

export function startKey(task: Pick<SelzyTask, 'task_uuid' | 'status'>): string {
	return `${task.task_uuid.toLowerCase()}:${String(task.status).toLowerCase()}`;
}

export function wasStarted(state: TriggerState, key: string): boolean {
	return state.recentDeliveries?.includes(key) ?? false;
}

export function rememberStart(state: TriggerState, key: string): void {
	const recent = state.recentDeliveries ?? [];
	recent.push(key);
	state.recentDeliveries = recent.slice(-REMEMBERED_STARTS);
}

/** scope → time the claim ends (Infinity while the delivery runs) */
const claims = new Map<string, number>();

function prune(now: number): void {
	for (const [scope, endsAt] of claims) {
		if (endsAt <= now) claims.delete(scope);
	}
}

/** Claims a delivery; false when this process is handling (or just handled) the same one. */
export function claimStart(scope: string): boolean {
	prune(Date.now());
	if (claims.has(scope)) return false;
	claims.set(scope, Number.POSITIVE_INFINITY);
	return true;
}

/** Ends a claim: a start that happened is kept for the grace period, a failed one is released at once. */
export function finishStart(scope: string, started: boolean): void {
	if (started) claims.set(scope, Date.now() + CLAIM_GRACE_MS);
	else claims.delete(scope);
}

/** Whether this process is handling (or just handled) the delivery. */
export function isClaimed(scope: string): boolean {
	prune(Date.now());
	return claims.has(scope);
}
