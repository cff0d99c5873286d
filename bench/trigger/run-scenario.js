'use strict';
// One scenario of `npm run bench:trigger`: fresh n8n processes (one `n8n start`, or queue mode:
// main, a webhook process and workers over Postgres and Redis), one active workflow, a warm-up,
// then the load and the readings of the process that received it.

const fs = require('node:fs');
const path = require('node:path');

const h = require('../../test/tooling');
const { percentile, round } = require('../lib/format');
const { prepareN8n } = require('../lib/n8n');
const { watchProcess } = require('../lib/sampling');
const { TRIGGER } = require('../lib/workflows');
const { startProfile, summarize } = require('../cpu-profile');
const { callbackPlan, completedTasks, sendAtRate, sendCallback } = require('./callbacks');
const { runEventsLoad, isEventsScenario } = require('./events');
const { drain, isolatesAcquired, readExecutions, watchReadiness } = require('./readings');
const { workflowFor } = require('./scenarios');

const WARMUP_CALLBACKS = 3;

/** Frames whose inclusive time the profile summary reports. */
const PROFILE_FRAMES = [
	/^getDecrypted$/,
	/^_getCredentials$/,
	/^acquireIsolate$/,
	/^releaseIsolate$/,
	/^(initialize|loadVendorLibraries|createBridge)$/,
	/^httpRequestWithAuthentication$/,
	/^webhook$/,
	/^executeWebhook$/,
];

/** Native work of the expression sandboxes (isolated-vm), by self time on the main thread. */
const PROFILE_SELF_GROUPS = {
	'sandbox create/dispose (isolated-vm: Isolate, createContext, eval, evalClosureSync, dispose)': /^(Isolate|createContext|eval|evalClosureSync|dispose)$/,
};

const N8N_ENV = { N8N_LOG_LEVEL: 'info', N8N_METRICS: 'true', N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '1000' };

/**
 * Starts what the scenario runs on. Returns { main (API), receiver (gets the callbacks),
 * receiverName, processes: name → handle, stop(), killNow() }; ctx.running holds it meanwhile.
 */
async function startTarget(ctx, scenario, workDir, { inspectPort } = {}) {
	const { options, install, packed } = ctx;
	if (scenario.mode === 'queue') {
		const handles = {};
		ctx.running = { stop: (graceMs) => h.stopQueueMode(handles, graceMs), killNow: () => h.killQueueMode(handles) };
		await h.ensureDebianPackages();
		await h.startQueueMode(handles, { install, packed, workDir, workers: options.workers, env: { ...N8N_ENV, ...options.n8nEnv } });
		const { main, webhook } = handles.processes;
		return { ...ctx.running, main, receiver: webhook, receiverName: 'webhook', processes: handles.processes };
	}
	const userFolder = path.join(workDir, 'user');
	await h.installPackage(userFolder, packed);
	const n8n = await h.startN8n({
		install,
		userFolder,
		logFile: path.join(workDir, 'n8n.log'),
		nodeArgs: inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
		env: { ...N8N_ENV, ...options.n8nEnv },
		onSpawn: (handle) => (ctx.running = handle),
	});
	return { main: n8n, receiver: n8n, receiverName: 'main', processes: { main: n8n }, stop: (graceMs) => n8n.stop(graceMs), killNow: () => n8n.killNow() };
}

/** Sends a warm-up callback until the workflow's webhook answers 200 (a webhook process learns of activations by polling). */
async function warmUp(url, tasks) {
	const deadline = Date.now() + 60_000;
	for (const task of tasks) {
		for (;;) {
			const outcome = await sendCallback(url, task.body, 60_000);
			if (outcome.status === 200) break;
			if (outcome.status !== 404 || Date.now() > deadline) throw new Error(`warm-up callback answered ${outcome.status ?? outcome.error}`);
			await h.sleep(500);
		}
	}
}

async function runScenario(ctx, scenario, { profile = false } = {}) {
	const { options, sandbox, install } = ctx;
	const id = profile ? `${scenario.id}-profile` : scenario.id;
	const workDir = path.join(ctx.workRoot, id);
	fs.rmSync(workDir, { recursive: true, force: true });
	fs.mkdirSync(workDir, { recursive: true });
	const inspectPort = profile && scenario.mode !== 'queue' ? await h.freePort() : undefined;
	const result = { id: scenario.id, label: scenario.label, kind: scenario.kind, rate: scenario.rate, callbacks: scenario.callbacks, load: scenario.load, mode: scenario.mode ?? 'regular' };
	if (scenario.kind === 'trigger') Object.assign(result, { output: scenario.output, verify: scenario.verify });
	if (isEventsScenario(scenario)) Object.assign(result, { perRequest: scenario.perRequest, seconds: scenario.seconds });

	let target;
	try {
		target = await startTarget(ctx, scenario, workDir, { inspectPort });
		result.receiver = target.receiverName;
		const { client, nodeTypes, credential } = await prepareN8n(target.main, { install, sandbox, nodeType: TRIGGER, label: 'load' });
		const built = workflowFor(scenario, { credential, sandbox, nodeTypes });
		if (built.nodeVersions) result.nodeVersions = built.nodeVersions;
		const workflow = await client.createWorkflow(built.spec);
		await client.activate(workflow.id);
		if (isEventsScenario(scenario)) {
			Object.assign(result, await runEventsLoad(ctx, scenario, { target, client, workflow, path: built.path, startNode: built.startNode }));
		} else {
			const url = target.receiver.url + built.path;
			// Warm-up: loads node code and n8n's lazily built parts before the measurement.
			await warmUp(url, await completedTasks(sandbox, ctx.campaignId, WARMUP_CALLBACKS));
			const warm = await drain(client, workflow.id, WARMUP_CALLBACKS, 60_000);
			await h.sleep(3000);
			Object.assign(result, await measureLoad(ctx, scenario, { target, client, workflow, url, before: warm.executions.length, inspectPort }));
		}
	} catch (error) {
		result.status = 'error';
		result.error = String(error.message).split('\n')[0].slice(0, 300);
		result.errorAt = String(error.stack).split('\n').slice(1, 4).map((line) => line.trim());
		const logFile = target?.receiver?.logFile ?? path.join(workDir, 'n8n.log');
		result.logTail = h.tailOf(logFile, 15).split('\n');
	} finally {
		const exited = Object.entries(target?.processes ?? {}).filter(([, p]) => p.exited);
		if (exited.length) result.n8nExit = Object.fromEntries(exited.map(([name, p]) => [name, p.exited]));
		await (target ?? ctx.running)?.stop();
		ctx.running = null;
	}
	if (!options.keep) fs.rmSync(workDir, { recursive: true, force: true });
	return result;
}

/** The load itself and everything read around it. */
async function measureLoad(ctx, scenario, { target, client, workflow, url, before, inspectPort }) {
	const { options, sandbox } = ctx;
	const plan = callbackPlan(ctx.tasks.slice(0, Math.round(scenario.callbacks / (1 + options.repeatShare))), options.repeatShare);
	const distinct = new Set(plan.map((entry) => entry.task.uuid)).size;
	const expected = scenario.kind === 'trigger' ? distinct : plan.length;
	const sandboxBefore = sandbox.requests.length;
	const receiverUrl = target.receiver.url;
	const isolatesBefore = await isolatesAcquired(receiverUrl);
	const watched = Object.entries(target.processes).map(([name, p]) => [name, watchProcess(p.pid)]);
	const readiness = watchReadiness(receiverUrl);
	const profiler = inspectPort ? await startProfile(inspectPort) : undefined;

	const benchCpuBefore = process.cpuUsage();
	const loadStarted = Date.now();
	const answers = await sendAtRate(url, plan, scenario.rate, options.clientTimeout * 1000);
	const answeredAfter = (Date.now() - loadStarted) / 1000;
	const drained = await drain(client, workflow.id, before + expected, options.drainTimeout * 1000);
	const settledAfter = (Date.now() - loadStarted) / 1000;
	const benchCpu = process.cpuUsage(benchCpuBefore);

	const rawProfile = await profiler?.stop();
	const health = await readiness.stop();
	const readings = Object.fromEntries(watched.map(([name, watch]) => [name, watch.stop()]));
	const receiver = readings[target.receiverName];
	const isolatesAfter = await isolatesAcquired(receiverUrl);

	const times = answers.filter((a) => a.status !== undefined).map((a) => a.ms);
	const byStatus = {};
	for (const answer of answers) {
		const key = answer.status ?? (answer.error === 'client timeout' ? 'timeout' : 'error');
		byStatus[key] = (byStatus[key] ?? 0) + 1;
	}
	const executions = drained.executions.slice(0, drained.executions.length - before);
	const calls = sandbox.requests.slice(sandboxBefore);
	const result = {
		status: 'done',
		distinctTasks: distinct,
		answered: times.length,
		answersByStatus: byStatus,
		answerMs: { p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), max: times.length ? Math.max(...times) : undefined },
		answeredAfterSeconds: round(answeredAfter, 1),
		settledAfterSeconds: round(settledAfter, 1),
		drainTimedOut: drained.timedOut,
		baselineRssMiB: receiver.baselineRssMiB,
		peakIncreaseMiB: receiver.peakIncreaseMiB,
		rssAfterMiB: receiver.rssAfterMiB,
		cpuSeconds: receiver.cpuSeconds,
		rssTimelineMiB: receiver.rssTimelineMiB,
		readinessChecks: health.checks,
		readinessFailures: health.failures.length,
		readinessFailureSamples: health.failures.slice(0, 3),
		executions: executions.length,
		executionsFailed: executions.filter((execution) => execution.status !== 'success').length,
		getTaskResultCalls: calls.filter((call) => call.apiMethod === 'async/getTaskResult').length,
		downloads: calls.filter((call) => call.apiMethod === 'download').length,
		// This process sends the load and serves the sandbox (it generates every report it serves) on the same cores as n8n.
		benchCpuSeconds: round((benchCpu.user + benchCpu.system) / 1e6, 1),
		isolatesAcquired: isolatesBefore !== undefined && isolatesAfter !== undefined ? isolatesAfter - isolatesBefore : undefined,
	};
	if (scenario.mode === 'queue') {
		result.processes = Object.fromEntries(
			Object.entries(readings).map(([name, r]) => [name, { baselineRssMiB: r.baselineRssMiB, peakIncreaseMiB: r.peakIncreaseMiB, cpuSeconds: r.cpuSeconds }]),
		);
	}
	const read = await readExecutions(client, executions);
	result.failureSamples = [...new Set(read.errors)].slice(0, 5);
	result.executionsUnreadable = read.unreadable.length;
	result.unreadableSamples = read.unreadable.slice(0, 3);
	if (scenario.kind === 'trigger') {
		const { uuids } = read;
		const sent = new Set(plan.map((entry) => entry.task.uuid));
		result.executionTasksDistinct = new Set(uuids).size;
		result.executionTasksDuplicated = uuids.length - new Set(uuids).size;
		result.executionTasksUnknown = uuids.filter((uuid) => !sent.has(uuid)).length;
	}
	if (rawProfile) {
		const file = path.join(ctx.profileDir, `${scenario.id}.cpuprofile`);
		fs.writeFileSync(file, JSON.stringify(rawProfile));
		result.profileFile = path.relative(h.REPO, file);
		result.profile = summarize(rawProfile, { inclusivePatterns: PROFILE_FRAMES, selfGroups: PROFILE_SELF_GROUPS });
	}
	return result;
}

module.exports = { runScenario, WARMUP_CALLBACKS };
