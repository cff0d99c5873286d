import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { parkUntilCallback, type CallbackTarget } from '../callback/resume';
import { pollTask, type SelzyTask } from '../transport/tasks';
import { pollSettingsFrom } from './polling';

/**
 * Until Selzy Notifies checks the task itself first: n8n refuses a callback that arrives while
 * the execution still runs, so quick tasks are fetched here. The option "Check Before Waiting" sets how long.
 */
const DEFAULT_CALLBACK_GRACE_SECONDS = 45;

export const callbackNoticeProperty: INodeProperties = {
	displayName:
		'The execution waits without holding a worker and resumes when Selzy calls back. n8n must be reachable from the internet (set WEBHOOK_URL). If the Timeout passes first, the workflow continues with the input items plus a selzyReport field naming the task: fetch it later with Task → Get Result.',
	name: 'callbackNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { waitMode: ['callback'] } },
};

/** Notify URL for the modes that do not wait for a callback themselves; `description` says where to paste it from. */
export function notifyUrlProperty(description: string): INodeProperties {
	return {
		displayName: 'Notify URL',
		name: 'notifyUrl',
		type: 'string',
		default: '',
		placeholder: 'https://n8n.example.com/webhook/…/selzy',
		displayOptions: { hide: { waitMode: ['callback'] } },
		description,
	};
}

/** The Check Before Waiting option; `why` ends its description. */
export function callbackGraceOption(why = ''): INodeProperties {
	return {
		displayName: 'Check Before Waiting (Seconds)',
		name: 'callbackGrace',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_CALLBACK_GRACE_SECONDS,
		displayOptions: { show: { '/waitMode': ['callback'] } },
		description: `Until Selzy Notifies: how long the node checks the task itself before the execution waits for the callback${why}`,
	};
}

/**
 * Until Selzy Notifies, once the task was started with `target`'s notify URL: checks it for a
 * while and delivers it if ready; otherwise parks the execution until Selzy's callback resumes it.
 */
export async function deliverOrWaitForCallback(
	context: IExecuteFunctions,
	itemIndex: number,
	taskJson: IDataObject,
	target: CallbackTarget,
	deliver: (task: SelzyTask) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const graceMs = Math.max(1, Number(options.callbackGrace ?? DEFAULT_CALLBACK_GRACE_SECONDS)) * 1000;
	const poll = pollSettingsFrom(options, itemIndex, graceMs);
	const outcome = await pollTask.call(context, String(taskJson.task_uuid), poll);
	if (outcome.task.file_to_download) return await deliver(outcome.task);

	const fullTimeout = pollSettingsFrom(options, itemIndex).timeoutMs;
	await parkUntilCallback(context, itemIndex, taskJson, target.secretDigest, Math.max(60_000, fullTimeout - poll.timeoutMs));
	return context.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }));
}
