import { sleep } from 'n8n-workflow';

/** A signal that aborts when any of the given ones does (Stop, or the end of a run). */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
	const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
	return present.length > 1 ? AbortSignal.any(present) : present[0];
}

/**
 * Waits `ms`, ending at once when `signal` aborts. Resolves to whether the whole time passed
 * (false: the execution was cancelled). n8n-workflow 1.x's `sleep` ignores a signal, so the
 * abort is raced here as well.
 */
export async function waitUnlessCancelled(ms: number, signal?: AbortSignal): Promise<boolean> {
	if (!signal) {
		await sleep(ms);
		return true;
	}
	if (signal.aborted) return false;
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<void>((resolve) => {
		onAbort = resolve;
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms, signal).catch(() => undefined), aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
	return !signal.aborted;
}
