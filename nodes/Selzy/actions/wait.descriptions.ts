/**
 * How an async operation waits, described once for every task kind: the Wait choice, the Notify
 * URL, the notice for Until Selzy Notifies, and the waiting options.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { TaskKind } from '../tasks/kinds';
import { SELZY_CALLS_PER_MINUTE } from '../transport/rateLimit';

/** The first check comes soon, so a small task is back in about a second; the waits then grow. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 1;
export const DEFAULT_TIMEOUT_MINUTES = 30;
/** Ready files downloaded at once when several items wait together. */
export const DEFAULT_PARALLEL_DOWNLOADS = 2;
/**
 * Until Selzy Notifies checks the task itself first: n8n refuses a callback that arrives while
 * the execution still runs, so quick tasks are fetched here. The option "Check Before Waiting" sets how long.
 */
export const DEFAULT_CALLBACK_GRACE_SECONDS = 45;

export type WaitMode = 'poll' | 'callback' | 'none';

/** The Wait choice of an operation that starts a task of `kind`. */
export function waitProperty(kind: TaskKind): INodeProperties {
	return {
		displayName: 'Wait',
		name: 'waitMode',
		type: 'options',
		options: [
			{
				name: 'Poll Until Ready',
				value: 'poll',
				description: `Ask Selzy every few seconds until the ${kind.noun} is ready, then return it`,
			},
			{
				name: 'Until Selzy Notifies (No Worker Held)',
				value: 'callback',
				description: 'Park the execution until Selzy calls back; no worker is held meanwhile',
			},
			{
				name: "Don't Wait",
				value: 'none',
				description: `Return the task ID now; get the ${kind.noun} later (Task → Get Result)`,
			},
		],
		default: 'poll',
	};
}

export const callbackNoticeProperty: INodeProperties = {
	displayName:
		'The node checks the task for up to 45 seconds (Check Before Waiting), then the execution waits without holding a worker and resumes when Selzy calls back. n8n must be reachable from the internet (set WEBHOOK_URL), and each execution takes one input item. If the Timeout passes first, the workflow continues with the input items plus a selzyReport field naming the task: fetch it later with Task → Get Result. In queue mode the webhook process that gets the callback reads the file (Rows stop at 100,000 there): for large Rows use Don’t Wait with a Selzy Trigger, which reads it on a worker.',
	name: 'callbackNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { waitMode: ['callback'] } },
};

/** Notify URL for the modes that do not wait for a callback themselves. */
export function notifyUrlProperty(kind: TaskKind): INodeProperties {
	return {
		displayName: 'Notify URL',
		name: 'notifyUrl',
		type: 'string',
		default: '',
		placeholder: 'https://n8n.example.com/webhook/…/selzy',
		displayOptions: { hide: { waitMode: ['callback'] } },
		description: `Optional. Selzy POSTs the finished task here. Paste the Production URL of a Selzy Trigger in a published workflow, with Task Types including ${kind.label} (add ?token=… if it has a shared secret) to start a workflow when the ${kind.noun} is ready.`,
	};
}

/** The Check Before Waiting option. */
export const callbackGraceOption: INodeProperties = {
	displayName: 'Check Before Waiting (Seconds)',
	name: 'callbackGrace',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_CALLBACK_GRACE_SECONDS,
	displayOptions: { show: { '/waitMode': ['callback'] } },
	description:
		'Until Selzy Notifies: how long the node checks the task itself before the execution waits for the callback. n8n refuses a callback that arrives while the execution still runs, so quick tasks are fetched here instead.',
};

/** The API Calls per Minute option (read with callsPerMinuteFrom). */
export const callsPerMinuteOption: INodeProperties = {
	displayName: 'API Calls per Minute',
	name: 'callsPerMinute',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: SELZY_CALLS_PER_MINUTE },
	default: SELZY_CALLS_PER_MINUTE,
	description:
		'Most calls to Selzy this n8n makes per minute with this API key, shared by all items and workflows using it (Selzy allows 1,200; contact exports 20 per minute, subscriptions 300). Lower it when other software uses the same key.',
};

/** How the action node waits for its tasks; with several input items they are waited for together. */
export const waitingOptionFields: INodeProperties[] = [
	callsPerMinuteOption,
	{
		displayName: 'Parallel Downloads',
		name: 'parallelDownloads',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		default: DEFAULT_PARALLEL_DOWNLOADS,
		description:
			'With several input items, how many ready reports are downloaded and read at the same time. All tasks are requested and checked together; each download holds memory, so keep this small for Rows output.',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_POLL_INTERVAL_SECONDS,
		description:
			'First wait before checking whether a report is ready; each later wait is half as long again, up to one minute, so small reports return quickly and long ones cost few calls',
	},
	{
		displayName: 'Timeout (Minutes)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_TIMEOUT_MINUTES,
		description:
			'Give up waiting after this long, counted for the whole run (all items together). The error names each task ID, so a report can be fetched later with Task → Get Result.',
	},
];

