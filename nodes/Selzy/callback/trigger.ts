import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { ReportOutput } from '../report/output';
import { apiBaseUrl } from '../transport/request';
import { readSelzyCredential, selzyCredentialData } from '../transport/credentials';
import { isTaskCompleted } from '../transport/tasks';
import { claimDelivery, finishDelivery, isClaimed } from './claims';
import { admitVerification } from './guard';
import { deliverFromCallback, respond, verifyTask } from './handling';
import { deliveryKey, parseCallback, rememberDelivery, wasDelivered, type TriggerState } from './parse';

type RawRequest = ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };

/**
 * The Selzy Trigger's answer to one callback: check the secret and the body, skip repeats,
 * verify the task with Selzy (bounded against forged calls), answer, then deliver the report.
 */
export async function handleTriggerCallback(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const answer = (status: number, body: IDataObject, headers?: Record<string, string>) =>
		respond(context, status, body, headers);

	const token = String(context.getNodeParameter('token', '') ?? '');
	if (token && !sameSecret(String((context.getQueryData() as IDataObject).token ?? ''), token)) {
		return answer(401, { error: 'Missing or wrong token' });
	}

	const parsed = parseCallback(context.getBodyData(), (context.getRequestObject() as RawRequest).rawBody);
	if ('problem' in parsed) return answer(400, { error: `Not a Selzy callback: ${parsed.problem}` });

	const trigger = `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
	const state = context.getWorkflowStaticData('node') as TriggerState;
	// A completed task stays completed, so a repeat of one delivered already needs no API call.
	const completedKey = deliveryKey({ task_uuid: parsed.task.task_uuid, status: 'completed' });
	if (wasDelivered(state, completedKey) || isClaimed(`${trigger}:${completedKey}`)) {
		return answer(200, { received: true, duplicate: true });
	}

	let task = parsed.task;
	const verify = context.getNodeParameter('verify', true) as boolean;
	if (verify) {
		const admission = admitVerification(trigger, task.task_uuid);
		if (!admission.admitted) {
			const headers = admission.retryAfterSeconds ? { 'Retry-After': String(admission.retryAfterSeconds) } : undefined;
			return answer(admission.status, { error: admission.error }, headers);
		}
		const verified = await verifyTask(context, task);
		if ('rejection' in verified) {
			admission.finish(verified.rejection.unknownTask ? 'unknown' : 'failed');
			return answer(verified.rejection.status, { error: verified.rejection.error });
		}
		admission.finish('found');
		task = verified.task;
	}

	const taskTypes = context.getNodeParameter('taskTypes', ['getCampaignDeliveryStats']) as string[];
	if (!taskTypes.includes('*') && task.task_type && !taskTypes.includes(task.task_type)) {
		return answer(200, { received: true, ignored: `task type ${task.task_type}` });
	}
	const completed = isTaskCompleted(task);
	if (!completed && !(context.getNodeParameter('includeUnfinished', false) as boolean)) {
		return answer(200, { received: true, ignored: `status ${task.status}` });
	}
	const output = context.getNodeParameter('output', 'file') as ReportOutput | 'task';
	const downloads = output !== 'task' && completed && Boolean(task.file_to_download);
	if (!verify && downloads) {
		const problem = await unsafeLinkProblem(context, task.file_to_download);
		if (problem) return answer(400, { error: problem });
	}

	// Saved because the node answers itself (noWebhookResponse); see the README on duplicates.
	// The static data is saved only when webhook() returns, so a twin callback arriving during
	// the download is caught by the claim this process holds meanwhile.
	const key = deliveryKey(task);
	const claim = `${trigger}:${key}`;
	if (wasDelivered(state, key) || !claimDelivery(claim)) return answer(200, { received: true, duplicate: true });
	rememberDelivery(state, key);

	// Answer before the download so a large report never keeps Selzy's request open.
	answer(200, { received: true, task_uuid: task.task_uuid });

	let delivered = false;
	try {
		const result: IWebhookResponseData = downloads
			? await deliverFromCallback(context, task, output as ReportOutput)
			: { noWebhookResponse: true, workflowData: [[{ json: task }]] };
		delivered = true;
		return result;
	} finally {
		// Test webhooks never save static data, so they keep no memory here either.
		finishDelivery(claim, delivered && context.getMode() !== 'manual');
	}
}

/** Compares secrets in constant time, whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
	const digest = (text: string) => createHash('sha256').update(text).digest();
	return timingSafeEqual(digest(given), digest(expected));
}

/** Without verification only https links are fetched (http only when the API itself is plain http). */
async function unsafeLinkProblem(context: IWebhookFunctions, link: string | undefined): Promise<string | undefined> {
	if (!link) return undefined;
	let url: URL;
	try {
		url = new URL(link);
	} catch {
		return 'file_to_download is not a URL';
	}
	if (url.protocol === 'https:') return undefined;
	const credentials = selzyCredentialData(await readSelzyCredential(context));
	if (url.protocol === 'http:' && apiBaseUrl(credentials).startsWith('http:')) return undefined;
	return 'file_to_download must be an https link';
}
