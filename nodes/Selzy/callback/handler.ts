/**
 * The one way a Selzy callback is handled, for the Selzy Trigger and for an execution waiting
 * for its task: authorize, parse, (verify), decide, then hand the task on. The trigger starts an
 * execution with the verified task (its first node reads the file, where n8n runs executions);
 * a resumed execution gets the file here. What differs is given as CallbackRules (./trigger.ts,
 * ./resume.ts).
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { itemsFromFile } from '../results/fileItems';
import type { Output } from '../results/settings';
import type { TaskKind } from '../tasks/kinds';
import { isTaskReady, isUnverified, unverifiedTask, type SelzyTask } from '../tasks/task';
import { downloadLinkProblem } from '../transport/downloadGuard';
import { claimTask, releaseTask, taskKey } from './duplicates';
import { admitVerification, noteRefusal } from './guard';
import { parseCallback } from './parse';
import { verifyTask } from './verify';

export interface CallbackRules {
	/** Set when the caller lacks the shared or per-execution secret: the error answered with 401. */
	unauthorized?: string;
	/** The only task accepted (an execution waits for one); any task when undefined. */
	expectedTaskUuid?: string;
	/** Confirm the task with Selzy's API (always for a resumed execution). */
	verify: boolean;
	/** Why a verified task starts nothing (answered 200 with this body), or undefined to go on. */
	skip(task: SelzyTask): IDataObject | undefined;
	/** The task's type when Selzy's answer names none (an execution knows what it waits for). */
	taskType?: string;
	/** A repeat of a callback accepted lately: answered 200 without asking Selzy. */
	isRepeat?(taskUuid: string): boolean;
	/** The workflow gets the task alone, so its link is not followed (trigger output Task Only). */
	linkUnused?: boolean;
	/**
	 * How an accepted task goes on: the trigger starts an execution with it (false when this
	 * callback repeats one accepted already); a resumed execution takes the file as `output`,
	 * read with the file `options`.
	 */
	accept:
		| { startExecution(task: SelzyTask): boolean }
		| { output: Output; options: IDataObject; kindOf(task: SelzyTask): TaskKind; resumes: string };
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

/** The key of a scope (one trigger of one workflow) in the per-process bounds and memories. */
export function triggerScope(workflowId: string | undefined, nodeId: string): string {
	return `${workflowId ?? ''}:${nodeId}`;
}

export async function handleCallback(context: IWebhookFunctions, rules: CallbackRules): Promise<IWebhookResponseData> {
	if (rules.unauthorized) return respond(context, 401, { error: rules.unauthorized });

	const parsed = parseCallback(context.getBodyData(), (context.getRequestObject() as RawRequest).rawBody);
	if ('problem' in parsed) return respond(context, 400, { error: `Not a Selzy callback: ${parsed.problem}` });
	if (rules.expectedTaskUuid && parsed.task.task_uuid.toLowerCase() !== rules.expectedTaskUuid.toLowerCase()) {
		return respond(context, 404, { error: 'This execution waits for a different task' });
	}

	if (rules.isRepeat?.(parsed.task.task_uuid)) return respond(context, 200, { received: true, duplicate: true });

	let task = parsed.task;
	if (rules.verify) {
		const canDefer = 'startExecution' in rules.accept;
		const verified = await verifyWithinBounds(context, triggerScope(context.getWorkflow().id, context.getNode().id), task, canDefer);
		if ('answer' in verified) return verified.answer;
		if ('deferred' in verified) return startExecution(context, rules, verified.deferred);
		task = verified.task;
	}
	if (!task.task_type && rules.taskType) task = { ...task, task_type: rules.taskType };
	const skipped = rules.skip(task);
	if (skipped) return respond(context, 200, { received: true, ...skipped });

	if (!rules.verify && !rules.linkUnused && isTaskReady(task)) {
		const problem = await downloadLinkProblem(context, task.file_to_download);
		if (problem) return respond(context, 400, { error: problem });
	}

	const { accept } = rules;
	if ('startExecution' in accept) return startExecution(context, rules, task);
	// A resumed execution continues with the file as this node's output: answered first, so a
	// large file never keeps Selzy's request open. Meanwhile a repeat of the callback is answered
	// as one (n8n would refuse its resume anyway), and released again if this one fails.
	const claim = `${accept.resumes}:${taskKey(task)}`;
	if (!claimTask(claim)) return respond(context, 200, { received: true, duplicate: true });
	respond(context, 200, { received: true, task_uuid: task.task_uuid });
	let items: INodeExecutionData[] | undefined;
	try {
		items = await itemsFromFile(context, task, accept.kindOf(task), accept.output, accept.options);
	} finally {
		if (!items) releaseTask(claim);
	}
	return { noWebhookResponse: true, workflowData: [items] };
}

/** The trigger hands the task to n8n, which saves an execution with it and then answers Selzy. */
function startExecution(context: IWebhookFunctions, rules: CallbackRules, task: SelzyTask): IWebhookResponseData {
	const { accept } = rules;
	if (!('startExecution' in accept) || !accept.startExecution(task)) return respond(context, 200, { received: true, duplicate: true });
	// Named in n8n's log too, so the task can be found should n8n stop before it saves the execution.
	const verifiedLater = isUnverified(task) ? ' (verified there first)' : '';
	context.logger.info(`Selzy Trigger: callback for task ${task.task_uuid} accepted; the execution it starts reads the file${verifiedLater}`);
	// n8n 2.x answers once the execution is saved, so Selzy hears "received" only then.
	return { workflowData: [[{ json: task }]], webhookResponse: { received: true, task_uuid: task.task_uuid } };
}

/**
 * Verification, within the per-trigger bounds that keep forged callbacks from spending the key's
 * quota. A trigger's callback those bounds refuse may be deferred: it starts an execution with
 * only its task ID, and the execution verifies the task before anything else (./triggeredTasks.ts).
 */
async function verifyWithinBounds(
	context: IWebhookFunctions,
	trigger: string,
	claimed: SelzyTask,
	canDefer: boolean,
): Promise<{ task: SelzyTask } | { deferred: SelzyTask } | { answer: IWebhookResponseData }> {
	const admission = admitVerification(trigger, claimed.task_uuid, { canDefer });
	if (!admission.admitted && admission.deferred) return { deferred: unverifiedTask(claimed) };
	if (!admission.admitted) {
		if (admission.status !== 404) logRefusal(context, trigger, claimed, admission.status);
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

/** Refusals are logged with their task, so a genuine one can be fetched later (Task → Get Result). */
function logRefusal(context: IWebhookFunctions, trigger: string, claimed: SelzyTask, status: number): void {
	const { log, unlogged } = noteRefusal(trigger);
	if (!log) return;
	const more = unlogged ? ` (${unlogged} more refused since the last such line)` : '';
	context.logger.warn(
		`Selzy Trigger: callback for task ${claimed.task_uuid} refused with ${status} (too many unverified callbacks)${more}; if it was genuine, fetch it with Task → Get Result`,
	);
}
