'use strict';
// One execution of a workflow in a running n8n; with `measure`, the memory and CPU it cost n8n's
// processes (/proc readings, see ../lib/sampling).

const h = require('../../test/tooling');
const { executionError } = require('../lib/n8n');
const { mib, round } = require('../lib/format');
const { cpuSeconds, groupMembers, procStatus, resetPeak, startSampler } = require('../lib/sampling');

/** Runs a workflow once; with `measure`, resets peak RSS before and reads it after. */
async function runOnce(ctx, n8n, client, workflowId, timeoutMs, { measure = false } = {}) {
	const pid = n8n.pid;
	const before = {};
	let sampler;
	const others = new Map();
	if (measure) {
		const status = procStatus(pid);
		before.rss = status.rss;
		before.hwm = status.hwm;
		before.peakReset = resetPeak(pid);
		for (const [member, command] of groupMembers(pid)) {
			const memberStatus = procStatus(member);
			if (!memberStatus) continue;
			resetPeak(member);
			others.set(member, { command, rssBefore: memberStatus.rss });
		}
		before.cpu = cpuSeconds(pid);
		sampler = startSampler(pid);
	}
	const requested = Date.now();
	const run = { status: 'unknown' };
	try {
		const executionId = await client.runManually(workflowId);
		run.executionId = executionId;
		const execution = await waitForEnd(client, n8n, executionId, timeoutMs);
		run.observedSeconds = (Date.now() - requested) / 1000;
		run.status = execution.status;
		if (execution.startedAt && execution.stoppedAt) {
			run.wallSeconds = (Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt)) / 1000;
			// Where the execution sits on the RSS timeline (seconds since the run was requested).
			run.executionSpanSeconds = [Date.parse(execution.startedAt), Date.parse(execution.stoppedAt)].map((t) => round((t - requested) / 1000, 2));
		}
		if (execution.status !== 'success') run.error = await executionError(client, executionId);
	} catch (error) {
		run.observedSeconds = (Date.now() - requested) / 1000;
		run.status = error.kind ?? 'error';
		run.error = String(error.message).split('\n')[0].slice(0, 300);
	}
	if (measure) {
		const sampled = sampler.stop();
		const after = procStatus(pid);
		run.cpuSeconds = round(cpuSeconds(pid) - before.cpu, 1);
		run.baselineRssMiB = mib(before.rss);
		run.baselineHwmMiB = mib(before.hwm);
		run.peakResetWorked = before.peakReset;
		if (after) {
			// Without a reset the high-water mark may still be the start-up peak; the 100 ms samples
			// back it up either way.
			const peak = Math.max(before.peakReset ? after.hwm : 0, sampled.maxSampledRss);
			run.peakRssMiB = mib(peak);
			run.peakIncreaseMiB = mib(peak - before.rss);
			run.rssAfterMiB = mib(after.rss);
		} else {
			run.peakIncreaseMiB = mib(sampled.maxSampledRss - before.rss);
			run.peakIncreaseNote = 'n8n exited; increase from 100 ms samples';
		}
		run.rssTimelineMiB = sampled.timeline;
		if (run.executionSpanSeconds) {
			// The part of the peak reached before the execution record's stoppedAt; what follows is
			// n8n finishing the execution (serialising and saving its data).
			const offset = requested - sampler.started;
			const [from, to] = run.executionSpanSeconds.map((seconds) => seconds * 1000 + offset);
			run.peakIncreaseDuringExecutionMiB = mib(sampled.maxBetween(from, to) - before.rss);
		}
		run.otherProcesses = [];
		const members = new Set([...others.keys(), ...sampled.others.keys()]);
		for (const member of members) {
			const known = others.get(member);
			const seen = sampled.others.get(member);
			const status = procStatus(member);
			const peak = Math.max(status?.hwm ?? 0, seen?.maxRss ?? 0);
			run.otherProcesses.push({
				command: known?.command ?? seen?.command,
				rssBeforeMiB: known ? mib(known.rssBefore) : 0,
				peakIncreaseMiB: mib(peak - (known?.rssBefore ?? 0)),
				startedDuringRun: !known,
				endedDuringRun: !status,
			});
		}
	}
	return run;
}

async function waitForEnd(client, n8n, executionId, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (n8n.exited) {
			const error = new Error(`n8n exited during the run (${JSON.stringify(n8n.exited)})`);
			error.kind = 'crashed';
			throw error;
		}
		let execution;
		try {
			execution = await client.publicApi(`/executions/${executionId}`);
		} catch (error) {
			// 404: not saved yet. Connection errors (a kept-alive socket n8n just closed, or a busy
			// n8n) are retried; whether n8n is still alive is checked above.
			if (error instanceof h.HttpError && error.status !== 404) throw error;
		}
		if (execution && execution.stoppedAt && !['new', 'running', 'waiting', 'unknown'].includes(execution.status)) return execution;
		if (Date.now() > deadline) {
			const error = new Error(`not finished after ${Math.round(timeoutMs / 60_000)} min (status ${execution?.status ?? 'unknown'})`);
			error.kind = 'timeout';
			throw error;
		}
		await h.sleep(1000);
	}
}

module.exports = { runOnce, waitForEnd };
