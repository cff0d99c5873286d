import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { UNKNOWN_KIND, type TaskKinds } from '../tasks/kinds';
import { isTaskCompleted, type SelzyTask } from '../tasks/task';
import { claimTask, isClaimed, taskKey } from './duplicates';
import { handleCallback, triggerScope, type CallbackRules } from './handler';

/** The Selzy Trigger's callback: its settings as rules for the one callback handler. */
export async function handleTriggerCallback(context: IWebhookFunctions, kinds: TaskKinds): Promise<IWebhookResponseData> {
	return await handleCallback(context, triggerRules(context, kinds));
}

function triggerRules(context: IWebhookFunctions, kinds: TaskKinds): CallbackRules {
	const token = String(context.getNodeParameter('token', '') ?? '');
	const given = String((context.getQueryData() as IDataObject).token ?? '');
	const wanted = wantedTasks(
		kinds,
		context.getNodeParameter('taskTypes', [kinds.known[0].taskType]) as string[],
		context.getNodeParameter('includeUnfinished', false) as boolean,
	);
	const scope = triggerScope(context.getWorkflow().id, context.getNode().id);
	// Test webhooks run once each, so they keep no memory.
	const remembers = context.getMode() !== 'manual';
	return {
		unauthorized: token && !sameSecret(given, token) ? 'Missing or wrong token' : undefined,
		verify: context.getNodeParameter('verify', true) as boolean,
		// A completed task stays completed, so a repeat of one accepted already needs no API call.
		isRepeat: (taskUuid) => remembers && isClaimed(`${scope}:${taskKey({ task_uuid: taskUuid, status: 'completed' })}`),
		skip: wanted,
		linkUnused: context.getNodeParameter('output', 'file') === 'task',
		accept: { startExecution: (task) => !remembers || claimTask(`${scope}:${taskKey(task)}`) },
	};
}

/**
 * Which verified tasks start the workflow (Task Types, Include Unfinished Tasks): undefined for a
 * wanted task, otherwise why it is ignored. Selzy's spelling of task types is not documented, so
 * they are compared by kind (case, `async/` prefix ignored); a chosen type this package does not
 * know matches nothing, so it cannot let unknown tasks through.
 */
export function wantedTasks(kinds: TaskKinds, taskTypes: string[], includeUnfinished: boolean): (task: SelzyTask) => IDataObject | undefined {
	const chosen = new Set(taskTypes.map((taskType) => kinds.of(taskType)).filter((kind) => kind !== UNKNOWN_KIND));
	return (task) => {
		if (!taskTypes.includes('*') && task.task_type && !chosen.has(kinds.of(task.task_type))) {
			return { ignored: `task type ${task.task_type}` };
		}
		if (!isTaskCompleted(task) && !includeUnfinished) return { ignored: `status ${task.status}` };
		return undefined;
	};
}

/** Compares secrets in constant time, whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
	const digest = (text: string) => createHash('sha256').update(text).digest();
	return timingSafeEqual(digest(given), digest(expected));
}
