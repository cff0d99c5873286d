/**
 * The one poll loop. Many input items, one run: every item's task is started (a few at a time),
 * all pending tasks are polled in one loop (one getTaskResult per task per round, each with its
 * own backoff), and each file is downloaded as soon as it is ready, at most `parallelDownloads`
 * at once. So a run takes about as long as its slowest task, not the sum of all of them, and
 * holds only the files being downloaded. Output keeps the order of the input items. Until Selzy
 * Notifies is a run of one task whose time is the grace period before the execution parks.
 * A job may first wait for something else (a campaign to finish sending): that is checked in the
 * same loop, with the same backoff, within the same Timeout, and the task starts once it holds.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { TaskKind } from '../tasks/kinds';
import { getTaskResult, isTaskCompleted, isTaskPending, taskFailedError, type SelzyTask } from '../tasks/task';
import { selzyCodeOf } from '../transport/errors';
import { waitUnlessCancelled } from '../transport/wait';
import { DEFAULT_PARALLEL_DOWNLOADS, DEFAULT_POLL_INTERVAL_SECONDS, DEFAULT_TIMEOUT_MINUTES, type WaitMode } from './wait.descriptions';

/** As an AI agent's tool the node waits at most this long, then returns the pending task. */
export const TOOL_WAIT_MS = 60_000;

/** One input item's task, as its operation describes it. */
export interface TaskJob {
	itemIndex: number;
	/** The task's kind, for its errors (known once Selzy describes the task). */
	kindOf(task: SelzyTask): TaskKind;
	/** Starts the task in Selzy, or looks it up; resolves to the task as Selzy describes it. */
	start(signal: AbortSignal): Promise<SelzyTask>;
	/** Whether `start` already asked Selzy for the task's status (else it is checked at once). */
	startChecksStatus: boolean;
	/** Poll Until Ready: wait for the task to complete before finishing it. */
	waitUntilReady: boolean;
	/** The longest wait for this task, counted from the start of the run. */
	timeoutMs: number;
	/** The first wait before checking a pending task; it grows by half each round up to a minute. */
	firstCheckMs: number;
	/** Items for a task still pending when its time is up (a tool call, a parked execution), instead of a timeout error. */
	stillPending?(task: SelzyTask): Promise<INodeExecutionData[]>;
	/** The items for a task: its file when completed, otherwise the task as it stands. */
	finish(task: SelzyTask, signal: AbortSignal): Promise<INodeExecutionData[]>;
	/** What must hold before the task is started; checked at once, then with the task's backoff. */
	startWhen?: StartCondition;
}

/** Something a job waits for before starting its task, such as its campaign finishing. */
export interface StartCondition {
	/** Checks once, within `maxTotalMs`; `status` names the state for the log and the error. */
	check(signal: AbortSignal, maxTotalMs: number): Promise<{ met: boolean; status: string }>;
	/** The error when the time is up first. */
	notMetError(status: string, waitedMs: number): Error;
	/** The longest wait for it, from the start of the run; the task's own time ends there too. */
	timeoutMs: number;
}

export interface TaskRunSettings {
	/** Files downloaded (and read) at the same time. */
	parallelDownloads: number;
	/** Calls per minute the API key may make. */
	callsPerMinute?: number;
}

/** How a run of several items waits: from the node's options. */
export function taskRunSettingsFrom(options: IDataObject): TaskRunSettings {
	const parallel = Math.floor(Number(options.parallelDownloads ?? DEFAULT_PARALLEL_DOWNLOADS));
	return {
		parallelDownloads: Number.isFinite(parallel) && parallel >= 1 ? parallel : DEFAULT_PARALLEL_DOWNLOADS,
		callsPerMinute: callsPerMinuteFrom(options),
	};
}

export interface PollSettings {
	firstDelayMs: number;
	timeoutMs: number;
}

/** Poll settings from the node's options; `capMs` shortens the wait (tool mode, callback grace). */
export function pollSettingsFrom(options: IDataObject, capMs?: number): PollSettings {
	const timeoutMs = Math.max(1, Number(options.timeout ?? DEFAULT_TIMEOUT_MINUTES)) * 60_000;
	return {
		firstDelayMs: Math.max(0.2, Number(options.pollInterval ?? DEFAULT_POLL_INTERVAL_SECONDS)) * 1000,
		timeoutMs: capMs ? Math.min(capMs, timeoutMs) : timeoutMs,
	};
}

/** The API Calls per Minute option. */
export function callsPerMinuteFrom(options: IDataObject): number | undefined {
	const value = Number(options.callsPerMinute);
	return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A task the job starts itself: checked at once, then waited for unless the mode is Don't Wait. */
export function newTaskTiming(
	waitMode: WaitMode,
	poll: PollSettings,
): Pick<TaskJob, 'startChecksStatus' | 'waitUntilReady' | 'timeoutMs' | 'firstCheckMs'> {
	return { startChecksStatus: false, waitUntilReady: waitMode !== 'none', timeoutMs: poll.timeoutMs, firstCheckMs: poll.firstDelayMs };
}

/** A task not ready within the Timeout: the error names the task, to fetch it later. */
function notReadyError(node: INode, task: SelzyTask, kind: TaskKind, timeoutMs: number, itemIndex: number): NodeOperationError {
	const minutes = Math.round(timeoutMs / 60_000);
	const waited = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(timeoutMs / 1000)} seconds`;
	return new NodeOperationError(node, `The ${kind.noun} was not ready after ${waited} (task ${task.task_uuid}, status "${task.status}")`, {
		itemIndex,
		description: `Selzy is still preparing it. Fetch it later with Task → Get Result and task ID ${task.task_uuid}, or raise the Timeout option.`,
	});
}

/** Start requests sent at the same time (each one call; the rate limiter spaces them further). */
const PARALLEL_STARTS = 4;
const MAX_CHECK_DELAY_MS = 60_000;
/** The last check before a task's time is up still gets this long to be answered. */
const LAST_CHECK_MS = 5_000;

interface PendingTask {
	job: TaskJob;
	task: SelzyTask;
	nextCheckAt: number;
	delayMs: number;
	deadline: number;
	checks: number;
	/** Set while the job waits for its start condition (there is no task yet). */
	condition?: StartCondition;
}

/**
 * Runs the jobs together. With Continue On Fail a failed job becomes one error item and the others
 * go on; otherwise the first failure stops the whole run (downloads included) and is thrown.
 */
export async function runTaskJobs(
	context: IExecuteFunctions,
	jobs: TaskJob[],
	settings: TaskRunSettings,
): Promise<Map<number, INodeExecutionData[]>> {
	const run = new TaskRun(context, settings);
	return await run.execute(jobs);
}

class TaskRun {
	private readonly stop = new AbortController();
	private readonly signal: AbortSignal;
	private readonly continueOnFail: boolean;
	private readonly startedAt = Date.now();
	private readonly results = new Map<TaskJob, INodeExecutionData[]>();
	private readonly failures = new Map<TaskJob, Error>();
	private firstFailure?: Error;
	private readonly finishing: Array<Promise<void>> = [];
	private readonly downloadSlots: Semaphore;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly settings: TaskRunSettings,
	) {
		const cancel = context.getExecutionCancelSignal();
		this.signal = cancel ? AbortSignal.any([cancel, this.stop.signal]) : this.stop.signal;
		this.continueOnFail = context.continueOnFail();
		this.downloadSlots = new Semaphore(Math.max(1, settings.parallelDownloads));
	}

	async execute(jobs: TaskJob[]): Promise<Map<number, INodeExecutionData[]>> {
		const pending = await this.startAll(jobs);
		await this.pollTogether(pending);
		await Promise.all(this.finishing);
		if (this.firstFailure && !this.continueOnFail) throw this.firstFailure;
		const byItem = new Map<number, INodeExecutionData[]>();
		for (const job of jobs) {
			const failure = this.failures.get(job);
			byItem.set(
				job.itemIndex,
				failure ? [{ json: { error: failure.message }, pairedItem: { item: job.itemIndex } }] : (this.results.get(job) ?? []),
			);
		}
		return byItem;
	}

	private fail(job: TaskJob, error: unknown): void {
		const failure =
			error instanceof Error
				? error
				: new NodeOperationError(this.context.getNode(), String(error), { itemIndex: job.itemIndex });
		this.failures.set(job, failure);
		if (!this.firstFailure && !this.signal.aborted) this.firstFailure = failure;
		if (!this.continueOnFail) this.stop.abort();
	}

	private async startAll(jobs: TaskJob[]): Promise<PendingTask[]> {
		const pending: PendingTask[] = [];
		for (const job of jobs) {
			const { startWhen: condition } = job;
			if (!condition) continue;
			const task: SelzyTask = { task_uuid: '', status: 'not started' };
			pending.push({ job, task, condition, delayMs: job.firstCheckMs, nextCheckAt: Date.now(), deadline: this.startedAt + condition.timeoutMs, checks: 0 });
		}
		const now = jobs.filter((job) => !job.startWhen);
		await forEachAtMost(now, PARALLEL_STARTS, async (job) => await this.start(job, pending, this.startedAt + job.timeoutMs));
		if (now.length > 1) this.context.logger.info(`Selzy: ${now.length} tasks started, ${pending.length} being prepared`);
		return pending;
	}

	/** Starts a job's task; a task still being prepared joins `pending`, to be checked until `deadline`. */
	private async start(job: TaskJob, pending: PendingTask[], deadline: number): Promise<void> {
		if (this.signal.aborted) return;
		try {
			const task = await job.start(this.signal);
			if (job.waitUntilReady && !isTaskCompleted(task) && !isTaskPending(task)) {
				this.fail(job, taskFailedError(this.context.getNode(), task, job.kindOf(task).noun, job.itemIndex));
			} else if (job.waitUntilReady && !isTaskCompleted(task)) {
				const firstCheckAt = job.startChecksStatus ? Date.now() + job.firstCheckMs : Date.now();
				pending.push({ job, task, delayMs: job.firstCheckMs, nextCheckAt: firstCheckAt, deadline, checks: 0 });
			} else {
				this.finish(job, task);
			}
		} catch (error) {
			this.fail(job, error);
		}
	}

	/** One loop for every pending task: each is checked when its own backoff says so. */
	private async pollTogether(pending: PendingTask[]): Promise<void> {
		while (pending.length > 0 && !this.signal.aborted) {
			const now = Date.now();
			const due = pending.filter((entry) => entry.nextCheckAt <= now);
			if (due.length === 0) {
				const next = Math.min(...pending.map((entry) => Math.min(entry.nextCheckAt, entry.deadline)));
				if (!(await waitUnlessCancelled(Math.max(1, next - now), this.signal))) break;
				continue;
			}
			await Promise.all(due.map(async (entry) => {
				const settled = entry.condition ? await this.checkCondition(entry, pending) : await this.check(entry);
				if (settled) pending.splice(pending.indexOf(entry), 1);
			}));
		}
	}

	/** Checks one task once; true when it left the pending list (ready, failed or out of time). */
	private async check(entry: PendingTask): Promise<boolean> {
		const { job } = entry;
		const previousStatus = entry.task.status;
		const left = entry.deadline - Date.now();
		try {
			if (left > 0) {
				entry.task = await getTaskResult.call(this.context, entry.task.task_uuid, {
					itemIndex: job.itemIndex,
					signal: this.signal,
					callsPerMinute: this.settings.callsPerMinute,
					// A check that hangs must not stretch the wait past the task's time.
					retry: { maxTotalMs: Math.max(left, LAST_CHECK_MS) },
				});
			}
		} catch (error) {
			if (this.signal.aborted) return true;
			// A check cut short by the task's time is treated like a task that is still pending.
			if (Date.now() < entry.deadline || selzyCodeOf(error) !== 'timeout') {
				this.fail(job, error);
				return true;
			}
		}
		const { task } = entry;
		entry.checks++;
		if (task.status !== previousStatus) {
			const seconds = Math.round((Date.now() - this.startedAt) / 1000);
			this.context.logger.info(`Selzy task ${task.task_uuid}: ${task.status} (check ${entry.checks}, ${seconds} s)`);
		}
		if (isTaskCompleted(task)) {
			this.finish(job, task);
			return true;
		}
		if (!isTaskPending(task)) {
			this.fail(job, taskFailedError(this.context.getNode(), task, job.kindOf(task).noun, job.itemIndex));
			return true;
		}
		if (Date.now() >= entry.deadline) {
			if (job.stillPending) await this.settle(job, async () => await job.stillPending!(task));
			else this.fail(job, notReadyError(this.context.getNode(), task, job.kindOf(task), job.timeoutMs, job.itemIndex));
			return true;
		}
		this.scheduleNext(entry);
		return false;
	}

	/**
	 * Checks a job's start condition once; true when the job left the waiting (its task started,
	 * joining `pending` if it is still being prepared, or it failed).
	 */
	private async checkCondition(entry: PendingTask, pending: PendingTask[]): Promise<boolean> {
		const { job, condition } = entry;
		const left = entry.deadline - Date.now();
		let outcome: { met: boolean; status: string };
		try {
			outcome = await condition!.check(this.signal, Math.max(left, LAST_CHECK_MS));
		} catch (error) {
			if (!this.signal.aborted) this.fail(job, error);
			return true;
		}
		entry.checks++;
		if (outcome.status !== entry.task.status) {
			const seconds = Math.round((Date.now() - this.startedAt) / 1000);
			this.context.logger.info(`Selzy item ${job.itemIndex}: waiting to start, ${outcome.status} (check ${entry.checks}, ${seconds} s)`);
			entry.task = { ...entry.task, status: outcome.status };
		}
		if (outcome.met) {
			// The task gets its own time from now, within the same overall limit.
			await this.start(job, pending, Math.min(entry.deadline, Date.now() + job.timeoutMs));
			return true;
		}
		if (Date.now() >= entry.deadline) {
			this.fail(job, condition!.notMetError(outcome.status, Date.now() - this.startedAt));
			return true;
		}
		this.scheduleNext(entry);
		return false;
	}

	private scheduleNext(entry: PendingTask): void {
		entry.nextCheckAt = Math.min(Date.now() + entry.delayMs, entry.deadline);
		entry.delayMs = Math.min(MAX_CHECK_DELAY_MS, Math.round(entry.delayMs * 1.5));
	}

	/** Finishes a job as soon as a download slot is free; polling goes on meanwhile. */
	private finish(job: TaskJob, task: SelzyTask): void {
		this.finishing.push(this.downloadSlots.use(async () => await this.settle(job, async () => await job.finish(task, this.signal))));
	}

	/** The job's items from `work`, or its failure. */
	private async settle(job: TaskJob, work: () => Promise<INodeExecutionData[]>): Promise<void> {
		if (this.signal.aborted) return;
		try {
			this.results.set(job, await work());
		} catch (error) {
			if (!this.signal.aborted || !this.firstFailure) this.fail(job, error);
		}
	}
}

/** At most `limit` of `work` at once. */
class Semaphore {
	private running = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	async use<T>(work: () => Promise<T>): Promise<T> {
		if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
		this.running++;
		try {
			return await work();
		} finally {
			this.running--;
			this.waiting.shift()?.();
		}
	}
}

async function forEachAtMost<T>(values: T[], limit: number, work: (value: T) => Promise<void>): Promise<void> {
	const slots = new Semaphore(limit);
	await Promise.all(values.map(async (value) => await slots.use(async () => await work(value))));
}
