import type { IWebhookFunctions } from 'n8n-workflow';

import { forgetSelzyCredentials, hasReusedCredentials } from '../transport/credentials';
import { selzyCodeOf } from '../transport/errors';
import type { RetryPolicy } from '../transport/request';
import { getTaskResult, type SelzyTask } from '../tasks/task';

/** Selzy waits for the answer to its callback, so verification retries only briefly (~5 s in all). */
export const VERIFY_RETRY: Partial<RetryPolicy> = { maxAttempts: 3, maxDelayMs: 2000, maxTotalMs: 5000 };

/** Selzy's answers that say the key itself is refused: a credential reused from earlier is read again once. */
const CREDENTIAL_REFUSED = new Set(['invalid_api_key', 'access_denied']);

/** A flood of callbacks while Selzy fails must not flood the log: one line per trigger per period. */
const FAILURE_LOG_PERIOD_MS = 60_000;

/** trigger → when its last failure was logged, and the failures since then */
const failureLog = new Map<string, { loggedAt: number; unlogged: number }>();

export type Verification =
	| { task: SelzyTask }
	| { rejection: { status: 404 | 503; error: string; unknownTask?: boolean } };

/**
 * Confirms a callback's task with Selzy's API and returns the task as the API knows it, so
 * neither its data nor its download link can be forged. An unknown task is 404; an API
 * failure is 503, which invites the caller to try again later. The call goes ahead of calls
 * that runs have queued under the key's rate limit: Selzy waits for the answer.
 */
export async function verifyTask(context: IWebhookFunctions, claimed: SelzyTask): Promise<Verification> {
	for (let attempt = 1; ; attempt++) {
		const reused = hasReusedCredentials(context);
		try {
			const task = await getTaskResult.call(context, claimed.task_uuid, { retry: VERIFY_RETRY, urgent: true });
			return { task: { ...task, task_type: task.task_type ?? claimed.task_type } };
		} catch (error) {
			const code = selzyCodeOf(error) ?? '';
			if (code === 'invalid_arg') return { rejection: { status: 404, error: 'Unknown task', unknownTask: true } };
			// Only a refused key means the credential may have changed; other failures keep it.
			if (CREDENTIAL_REFUSED.has(code)) {
				forgetSelzyCredentials(context);
				if (reused && attempt === 1) continue;
			}
			logFailure(context, `Selzy: could not verify task ${claimed.task_uuid}: ${(error as Error).message}`);
			return { rejection: { status: 503, error: 'Could not verify the task with Selzy; try again later' } };
		}
	}
}

function logFailure(context: IWebhookFunctions, message: string): void {
	const trigger = `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
	const now = Date.now();
	for (const [key, entry] of failureLog) if (entry.loggedAt <= now - FAILURE_LOG_PERIOD_MS && !entry.unlogged) failureLog.delete(key);
	const entry = failureLog.get(trigger);
	if (entry && entry.loggedAt > now - FAILURE_LOG_PERIOD_MS) {
		entry.unlogged++;
		return;
	}
	const more = entry?.unlogged ? ` (and ${entry.unlogged} more since the last such message)` : '';
	context.logger.error(`${message}${more}`);
	failureLog.set(trigger, { loggedAt: now, unlogged: 0 });
}
