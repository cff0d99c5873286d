/**
 * Which callbacks this n8n process accepted lately, so a repeat arriving soon after starts no
 * second execution (trigger) or download (resumed execution). A memory shared by every process
 * lives in the execution itself (n8n's deduplication store, see ./triggeredTasks.ts); this one
 * only spares the repeat an API call and the work. A claim is released when its work fails in
 * this process, so Selzy's repeat of a failed one is taken again.
 */

/** How long an accepted callback is remembered. */
const CLAIM_MS = 15 * 60_000;
/** Claims kept at most, oldest dropped first. */
const MAX_CLAIMS = 10_000;

/** scope → when the claim ends */
const claims = new Map<string, number>();

/** The key of a task in a trigger's memories: its ID and status, whatever their case. */
export function taskKey(task: { task_uuid: string; status: string }): string {
	return `${task.task_uuid.toLowerCase()}:${String(task.status).toLowerCase()}`;
}

function prune(now: number): void {
	for (const [scope, endsAt] of claims) {
		if (endsAt > now && claims.size <= MAX_CLAIMS) break;
		claims.delete(scope);
	}
}

/** Claims a task for an execution; false when this process accepted the same one lately. */
export function claimTask(scope: string, now = Date.now()): boolean {
	prune(now);
	const endsAt = claims.get(scope);
	if (endsAt !== undefined && endsAt > now) return false;
	claims.delete(scope); // re-inserted last, so the map stays in order of expiry
	claims.set(scope, now + CLAIM_MS);
	return true;
}

/** Whether this process accepted the task lately. */
export function isClaimed(scope: string, now = Date.now()): boolean {
	const endsAt = claims.get(scope);
	return endsAt !== undefined && endsAt > now;
}

/** Forgets a claim: its execution failed, so a repeat of the callback must start the workflow again. */
export function releaseTask(scope: string): void {
	claims.delete(scope);
}
