import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { ReportOutput } from '../delivery/settings';
import { isTaskCompleted, taskKindOf } from '../transport/tasks';
import { handleCallback, type CallbackRules } from './handler';

/** The Selzy Trigger's callback: its settings as rules for the one callback handler. */
export async function handleTriggerCallback(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	return await handleCallback(context, triggerRules(context));
}

function triggerRules(context: IWebhookFunctions): CallbackRules {
	const token = String(context.getNodeParameter('token', '') ?? '');
	const given = String((context.getQueryData() as IDataObject).token ?? '');
	const taskTypes = context.getNodeParameter('taskTypes', ['getCampaignDeliveryStats']) as string[];
	// Selzy's spelling of task types is not documented: compared by kind (case, `async/` prefix ignored).
	const kinds = new Set(taskTypes.map(taskKindOf));
	const includeUnfinished = context.getNodeParameter('includeUnfinished', false) as boolean;
	return {
		unauthorized: token && !sameSecret(given, token) ? 'Missing or wrong token' : undefined,
		verify: context.getNodeParameter('verify', true) as boolean,
		skip(task) {
			if (!taskTypes.includes('*') && task.task_type && !kinds.has(taskKindOf(task.task_type))) {
				return { ignored: `task type ${task.task_type}` };
			}
			if (!isTaskCompleted(task) && !includeUnfinished) return { ignored: `status ${task.status}` };
			return undefined;
		},
		remembersDeliveries: true,
		output: context.getNodeParameter('output', 'file') as ReportOutput | 'task',
	};
}

/** Compares secrets in constant time, whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
	const digest = (text: string) => createHash('sha256').update(text).digest();
	return timingSafeEqual(digest(given), digest(expected));
}
