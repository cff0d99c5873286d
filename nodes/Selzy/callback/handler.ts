/**
 * The one way a Selzy callback is handled, for the Selzy Trigger and for an execution waiting
 * for its report: authorize, parse, (verify), decide, answer Selzy, then deliver the report.
 * What differs between the two is given as CallbackRules (./trigger.ts, ./resume.ts).
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { itemsFromFile } from '../results/fileItems';
import type { Output } from '../results/settings';
import type { TaskKind } from '../tasks/kinds';
import { isTaskCompleted, type SelzyTask } from '../tasks/task';
import { downloadLinkProblem } from '../transport/downloadGuard';
import {
	claimStart,
	startKey,
	finishStart,
	isClaimed,
	rememberStart,
	wasStarted,
	type TriggerState,
} from './duplicates';
import { admitVerification } from './guard';
import { parseCallback } from './parse';
import { verifyTask } from './verify';

export interface CallbackRules {
	/** Set when the caller lacks the shared or per-execution secret: the error answered with 401. */
	unauthorized?: string;
	/** The only task accepted (an execution waits for one); any task when undefined. */
	expectedTaskUuid?: string;
	/** Confirm the task with Selzy's API (always for a resumed execution). */
	verify: boolean;
	/** The task's kind, which shapes its file. */
	kindOf(task: SelzyTask): TaskKind;
	/** Why a verified task starts nothing (answered 200 with this body), or undefined to go on. */
	skip(task: SelzyTask): IDataObject | undefined;
	/** Remember deliveries so that repeats start nothing (n8n itself refuses a second resume). */
	remembersDeliveries: boolean;
	/** The task's type when Selzy's answer names none (an execution knows what it waits for). */
	taskType?: string;
	/** What the workflow gets: the file as an output, or the task alone. */
	output: Output | 'task';
}

type RawRequest = ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };

/** Answers the caller now; the node returns `noWebhookResponse` so n8n sends nothing more. */
export function respond(
	context: IWebhookFunctions,
	status: number,
	body: IDataObject,
	headers: Record<string, string> = {},
): IWebhookResponseData {
	const response = context.getResponseObject();
	for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
	response.status(status).json(body);
	return { noWebhookResponse: true };
}

export async function handleCallback(context: IWebhookFunctions, rules: CallbackRules): Promise<IWebhookResponseData> {
	if (rules.unauthorized) return respond(context, 401, { error: rules.unauthorized });

	const parsed = parseCallback(context.getBodyData(), (context.getRequestObject() as RawRequest).rawBody);
	if ('problem' in parsed) return respond(context, 400, { error: `Not a Selzy callback: ${parsed.problem}` });
	if (rules.expectedTaskUuid && parsed.task.task_uuid.toLowerCase() !== rules.expectedTaskUuid.toLowerCase()) {
		return respond(context, 404, { error: 'This execution waits for a different task' });
	}

	const trigger = `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
	const state = context.getWorkflowStaticData('node') as TriggerState;
	// A completed task stays completed, so a repeat of one delivered already needs no API call.
	const completedKey = startKey({ task_uuid: parsed.task.task_uuid, status: 'completed' });
	if (rules.remembersDeliveries && (wasStarted(state, completedKey) || isClaimed(`${trigger}:${completedKey}`))) {
		return respond(context, 200, { received: true, duplicate: true });
	}

	let task = parsed.task;
	if (rules.verify) {
		const verified = await verifyWithinBounds(context, trigger, task);
		if ('answer' in verified) return verified.answer;
		task = verified.task;
	}
	if (!task.task_type && rules.taskType) task = { ...task, task_type: rules.taskType };
	const skipped = rules.skip(task);
	if (skipped) return respond(context, 200, { received: true, ...skipped });

	const downloads = rules.output !== 'task' && isTaskCompleted(task) && Boolean(task.file_to_download);
	if (!rules.verify && downloads) {
		const problem = await downloadLinkProblem(context, task.file_to_download);
		if (problem) return respond(context, 400, { error: problem });
	}

	// Saved because the node answers itself (noWebhookResponse); see the README on duplicates.
	// The static data is saved only when webhook() returns, so a twin callback arriving during
	// the download is caught by the claim this process holds meanwhile.
	const key = startKey(task);
	const claim = `${trigger}:${key}`;
	if (rules.remembersDeliveries) {
		if (wasStarted(state, key) || !claimStart(claim)) return respond(context, 200, { received: true, duplicate: true });
		rememberStart(state, key);
	}

	// Answer before the download so a large file never keeps Selzy's request open.
	respond(context, 200, { received: true, task_uuid: task.task_uuid });

	let delivered = false;
	try {
		const items = downloads
			? await itemsFromFile(context, task, rules.kindOf(task), rules.output as Output, context.getNodeParameter('options', {}) as IDataObject)
			: [{ json: task }];
		delivered = true;
		return { noWebhookResponse: true, workflowData: [items] };
	} finally {
		// Test webhooks never save static data, so they keep no memory here either.
		if (rules.remembersDeliveries) finishStart(claim, delivered && context.getMode() !== 'manual');
	}
}

/** Verification, within the per-trigger bounds that keep forged callbacks from spending the key's quota. */
async function verifyWithinBounds(
	context: IWebhookFunctions,
	trigger: string,
	claimed: SelzyTask,
): Promise<{ task: SelzyTask } | { answer: IWebhookResponseData }> {
	const admission = admitVerification(trigger, claimed.task_uuid);
	if (!admission.admitted) {
		const headers = admission.retryAfterSeconds ? { 'Retry-After': String(admission.retryAfterSeconds) } : undefined;
		return { answer: respond(context, admission.status, { error: admission.error }, headers) };
	}
	const verified = await verifyTask(context, claimed);
	if ('rejection' in verified) {
		admission.finish(verified.rejection.unknownTask ? 'unknown' : 'failed');
		return { answer: respond(context, verified.rejection.status, { error: verified.rejection.error }) };
	}
	admission.finish('found');
	return verified;
}
