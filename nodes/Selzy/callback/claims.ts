/**
 * Deliveries this n8n process is handling, or handled moments ago.
 *
 * The remembered deliveries in static data are saved only after webhook() returns, and each
 * request reads its own copy of the saved data. The trigger answers Selzy before downloading,
 * so a second callback for the same task can arrive while the first download still runs; the
 * static data cannot see it, this can. A finished delivery stays claimed for a short grace
 * period, which covers the time n8n needs to save the static data.
 */
const GRACE_MS = 60_000;

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
	if (delivered) claims.set(scope, Date.now() + GRACE_MS);
	else claims.delete(scope);
}

/** Whether this process is handling (or just handled) the delivery. */
export function isClaimed(scope: string): boolean {
	prune(Date.now());
	return claims.has(scope);
}
