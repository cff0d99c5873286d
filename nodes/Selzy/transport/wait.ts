import { sleep } from 'n8n-workflow';

export class CancelledError extends Error {
	constructor() {
		super('The execution was cancelled');
		this.name = 'CancelledError';
	}
}

/**
 * Waits `ms`, ending at once when `signal` aborts (then rejects with CancelledError).
 * n8n-workflow 1.x's `sleep` ignores a signal, so the abort is raced here as well.
 */
export async function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
	if (!signal) {
		await sleep(ms);
		return;
	}
	if (signal.aborted) throw new CancelledError();
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(new CancelledError());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms, signal).catch(() => undefined), aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
	if (signal.aborted) throw new CancelledError();
}
