import type { SelzyTask } from '../transport/tasks';

/**
 * Which deliveries a trigger has made, so a repeated callback starts nothing.
 *
 * Two memories: the workflow's static data (the last REMEMBERED_DELIVERIES deliveries, saved by
 * n8n when the trigger finishes handling a callback) and claims held by this n8n process. The
 * static data is saved only after webhook() returns, and each request reads its own copy of the
 * saved data. The trigger answers Selzy before downloading, so a second callback for the same
 * task can arrive while the first download still runs; the static data cannot see it, a claim
 * can. A finished delivery stays claimed for a short grace period, which covers the time n8n
 * needs to save the static data.
 */

/** Deliveries remembered in the workflow's static data, bounded so it never grows. */
export const REMEMBERED_DELIVERIES = 500;

const CLAIM_GRACE_MS = 60_000;

export interface TriggerState {
	recentDeliveries?: string[];
}

export function deliveryKey(task: Pick<SelzyTask, 'task_uuid' | 'status'>): string {
	return `${task.task_uuid.toLowerCase()}:${String(task.status).toLowerCase()}`;
}

export function wasDelivered(state: TriggerState, key: string): boolean {
	return state.recentDeliveries?.includes(key) ?? false;
}

export function rememberDelivery(state: TriggerState, key: string): void {
	const recent = state.recentDeliveries ?? [];
	recent.push(key);
	state.recentDeliveries = recent.slice(-REMEMBERED_DELIVERIES);
}

/** scope → time the claim ends (Infinity while the delivery runs) */
const claims = new Map<string, number>();

function prune(now: number): void {
	for (const [scope, endsAt] of claims) {
		if (endsAt <= now) claims.delete(scope);
	}
}

/** Claims a delivery; false when this process is handling (or just handled) the same one. */
export function claimDelivery(scope: string): boolean {
	prune(Date.now());
	if (claims.has(scope)) return false;
	claims.set(scope, Number.POSITIVE_INFINITY);
	return true;
}

/** Ends a claim: a delivered one is kept for the grace period, a failed one is released at once. */
export function finishDelivery(scope: string, delivered: boolean): void {
	if (delivered) claims.set(scope, Date.now() + CLAIM_GRACE_MS);
	else claims.delete(scope);
}

/** Whether this process is handling (or just handled) the delivery. */
export function isClaimed(scope: string): boolean {
	prune(Date.now());
	return claims.has(scope);
}
