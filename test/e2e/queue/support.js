'use strict';
// What the queue-mode scenarios share: workflows, executions, callbacks sent by hand, each
// process's own log and memory, and the test database.

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { request } = require('undici');

const h = require('../../tooling');
const { ACTION, TRIGGER, node, link, manualTrigger, credentialRef } = require('../../../bench/lib/workflows');

const TASK_TYPE = 'getCampaignDeliveryStats';

// ── the test database ───────────────────────────────────────────────────────

/** One value (or rows, `|`-separated) from the test database (psql over TCP, trust auth). */
function psql(env, sql) {
	const result = spawnSync(
		path.join(h.postgresBinDir(), 'psql'),
		['-h', '127.0.0.1', '-p', String(env.postgres.port), '-U', 'postgres', '-d', env.postgres.database, '-tAc', sql],
		{ encoding: 'utf8' },
	);
	if (result.status !== 0) throw new Error(`psql failed: ${result.stderr.trim()}`);
	return result.stdout.trim();
}

/** The database's size in MiB. */
function databaseMb(env) {
	return Number(psql(env, 'select pg_database_size(current_database())')) / 1024 / 1024;
}

// ── memory, from /proc ─────────────────────────────────────────────────────

function memoryOf(pid) {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
	return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/**
 * Measures one run in several processes at once (name → pid): resets each one's peak RSS
 * (VmHWM, via /proc/<pid>/clear_refs "5"), takes its RSS then as the baseline and returns, per
 * process, the peak increase afterwards. When the reset is not possible, the peak is sampled
 * every 100 ms instead.
 */
async function measurePeaks(pids, run) {
	const readings = {};
	for (const [name, pid] of Object.entries(pids)) {
		let resettable = true;
		try {
			fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		} catch {
			resettable = false;
		}
		const baseline = memoryOf(pid);
		readings[name] = { pid, resettable, baselineMb: baseline.rssMb, sampledPeak: baseline.rssMb };
	}
	const sampler = setInterval(() => {
		for (const reading of Object.values(readings)) {
			try {
				reading.sampledPeak = Math.max(reading.sampledPeak, memoryOf(reading.pid).rssMb);
			} catch {
				// the process is gone; the run reports that
			}
		}
	}, 100);
	const started = Date.now();
	try {
		const result = await run();
		const memory = {};
		for (const [name, reading] of Object.entries(readings)) {
			const after = memoryOf(reading.pid);
			const peakMb = reading.resettable ? after.hwmMb : reading.sampledPeak;
			memory[name] = {
				baselineMb: reading.baselineMb,
				peakMb,
				increaseMb: peakMb - reading.baselineMb,
				afterMb: after.rssMb,
				method: reading.resettable ? 'VmHWM' : 'sampled VmRSS',
			};
		}
		return { result, memory, ms: Date.now() - started };
	} finally {
		clearInterval(sampler);
	}
}

/** Every n8n process of the set-up: name → pid. */
function allPids(env) {
	return Object.fromEntries(Object.entries(env.processes).map(([name, proc]) => [name, proc.pid]));
}

const mb = (value) => `${value.toFixed(1)} MiB`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** "webhook +12.3 MiB, worker +40.1 MiB, …" for a measurePeaks result. */
function describeMemory(memory) {
	return Object.entries(memory)
		.map(([name, m]) => `${name} ${mb(m.baselineMb)} +${mb(m.increaseMb)}`)
		.join(', ');
}

/** The load average now (1, 5, 15 minutes), as figures are only comparable with it. */
function loadAverage() {
	return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

// ── each process's own log ─────────────────────────────────────────────────

/** A process's log without colour codes (n8n colours its log in some environments). */
function logText(file) {
	try {
		return fs.readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
	} catch {
		return '';
	}
}

function countIn(text, needle) {
	return text.split(needle).length - 1;
}

/** Which processes logged a line containing `needle`. */
function processesLogging(env, needle) {
	return Object.keys(env.processes).filter((name) => logText(env.processes[name].logFile).includes(needle));
}

/** Where the package read a task's file: the processes that logged "Selzy task <uuid>: <what>". */
function readBy(env, uuid, what) {
	return processesLogging(env, `Selzy task ${uuid}: ${what}`);
}

const workerNames = (env) => Object.keys(env.processes).filter((name) => name.startsWith('worker'));

/** Which workers ran an execution, from their own "Worker started/finished execution <id>" lines. */
function workersRunning(env, executionId) {
	return workerNames(env).filter((name) => {
		const log = logText(env.processes[name].logFile);
		return countIn(log, `Worker started execution ${executionId} `) > 0 && countIn(log, `Worker finished execution ${executionId} `) > 0;
	});
}

/**
 * Asserts that workers (and nothing else) ran the execution; returns their names. A worker logs
 * "finished" a moment after n8n reports the execution done, so its log is read again for a while.
 */
async function assertOnWorker(env, executionId) {
	const deadline = Date.now() + 10_000;
	let ran = workersRunning(env, executionId);
	while (ran.length === 0 && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 250));
		ran = workersRunning(env, executionId);
	}
	assert.ok(ran.length >= 1, `no worker log shows execution ${executionId} started and finished`);
	for (const name of Object.keys(env.processes).filter((n) => !n.startsWith('worker'))) {
		assert.ok(!logText(env.processes[name].logFile).includes(`Worker started execution ${executionId} `), `${name} claims to be a worker`);
	}
	return ran;
}

function assertAlive(env) {
	for (const [name, proc] of Object.entries(env.processes)) {
		assert.equal(proc.exited, null, `${name} exited: ${JSON.stringify(proc.exited)}`);
		fs.accessSync(`/proc/${proc.pid}/status`);
	}
}

// ── workflows ──────────────────────────────────────────────────────────────

const campaign = (id) => ({ __rl: true, mode: 'id', value: String(id) });

function manualWorkflow(name, parameters, credential) {
	const selzy = node('Selzy', ACTION, 1, [240, 0], { resource: 'campaign', operation: 'getDeliveryReport', ...parameters }, { credentials: credentialRef(credential) });
	return { name, nodes: [manualTrigger(), selzy], connections: { 'Manual Trigger': { main: [[link('Selzy')]] } } };
}

/** Selzy Trigger with `output` (and its options) → optionally Selzy → Task → Get Result. */
function triggerWorkflow(name, webhookId, credential, { output = 'task', options = {}, getResult } = {}) {
	const parameters = { verify: true, taskTypes: [TASK_TYPE], output, options };
	const nodes = [node('Selzy Trigger', TRIGGER, 1, [0, 0], parameters, { webhookId, credentials: credentialRef(credential) })];
	const connections = {};
	if (getResult) {
		const getResultParameters = { resource: 'task', operation: 'getResult', taskUuid: '={{ $json.task_uuid }}', ...getResult };
		nodes.push(node('Get Result', ACTION, 1, [240, 0], getResultParameters, { credentials: credentialRef(credential) }));
		connections['Selzy Trigger'] = { main: [[link('Get Result')]] };
	}
	return { name, nodes, connections };
}

// ── executions ─────────────────────────────────────────────────────────────

/** Starts a manual workflow of the Selzy node with `parameters`; returns the execution id. */
async function startManual(env, name, parameters) {
	const workflow = await env.client.createWorkflow(manualWorkflow(name, parameters, env.good));
	return env.client.runManually(workflow.id);
}

async function runManual(env, name, parameters, { timeoutMs = 600_000 } = {}) {
	return env.client.waitForExecution(await startManual(env, name, parameters), { timeoutMs });
}

const FINISHED = (execution) => execution && execution.stoppedAt && !['new', 'running', 'waiting', 'unknown'].includes(execution.status);

/**
 * Waits until an execution has finished, reading only its status: reading its data makes main
 * load and parse it, which a measurement of main's memory must not count.
 */
async function waitUntilFinished(env, executionId, timeoutMs = 600_000) {
	await h.waitUntil(async () => FINISHED(await env.client.publicApi(`/executions/${executionId}`).catch(() => undefined)), timeoutMs, `execution ${executionId} to finish`, 250);
	return executionId;
}

/** Ids of a workflow's finished executions, oldest first, read without their data. */
async function finishedIds(env, workflowId) {
	const list = await env.client.executionsOf(workflowId);
	return list.filter(FINISHED).map((execution) => String(execution.id)).sort((x, y) => Number(x) - Number(y));
}

/** Waits (without reading execution data) until a workflow has `count` finished executions; returns the newest id. */
async function waitForFinishedCount(env, workflowId, count, timeoutMs = 600_000) {
	let ids = [];
	await h.waitUntil(async () => (ids = await finishedIds(env, workflowId)).length >= count, timeoutMs, `${count} execution(s) of workflow ${workflowId}`, 250);
	return ids.at(-1);
}

function expectSuccess(execution, nodeName = 'Selzy') {
	if (execution.status !== 'success') {
		const error = execution.data?.resultData?.error;
		throw new Error(`execution ${execution.id} ended ${execution.status}: ${error?.message ?? 'no error message'} ${error?.description ?? ''}`);
	}
	const items = h.nodeOutput(execution, nodeName);
	if (!items) throw new Error(`node ${nodeName} did not run in execution ${execution.id}`);
	return items;
}

/** Finished executions of a workflow, with data, oldest first. */
async function finishedExecutions(env, workflowId) {
	const list = await env.client.executionsOf(workflowId);
	const finished = list.filter((execution) => execution.stoppedAt).sort((x, y) => Number(x.id) - Number(y.id));
	return Promise.all(finished.map((execution) => env.client.waitForExecution(execution.id)));
}

/** Waits until a workflow has `count` finished executions and returns them, oldest first. */
async function waitForExecutions(env, workflowId, count, timeoutMs = 300_000) {
	let finished = [];
	await h.waitUntil(async () => (finished = await finishedExecutions(env, workflowId)).length >= count, timeoutMs, `${count} execution(s) of workflow ${workflowId}`, 500);
	return finished;
}

/** Publishes a trigger workflow and waits until every webhook process answers its URL. */
async function publishTrigger(env, workflow) {
	const created = await env.client.createWorkflow(workflow);
	await env.client.activate(created.id);
	const webhookId = workflow.nodes[0].webhookId;
	const urls = env.webhookUrls.map((base) => `${base}/webhook/${webhookId}/selzy`);
	for (const url of urls) await waitForWebhook(url);
	return { workflow: created, urls, path: `/webhook/${webhookId}/selzy` };
}

/** Activation is asynchronous and a webhook process looks webhooks up itself: wait until it answers. */
async function waitForWebhook(url) {
	await h.waitUntil(
		async () => (await postJson(url, '{"hello":"world"}').catch(() => ({ status: 0 }))).status === 400, // the trigger's answer to a body that is not a callback
		60_000,
		`the trigger to answer at ${url}`,
		250,
	);
}

// ── tasks and callbacks ─────────────────────────────────────────────────────

/** Asks the sandbox for a report with the Selzy node (Don't Wait, no Notify URL); returns its task once completed. */
async function completedTask(env, campaignId) {
	env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 100, callbackTimes: 1, callbackFormat: 'json' });
	const request = await runManual(env, `queue: request a report of ${campaignId}`, { campaignId: campaign(campaignId), waitMode: 'none' });
	const uuid = expectSuccess(request)[0].json.task_uuid;
	await h.waitUntil(() => env.sandbox.tasks.find((t) => t.uuid === uuid)?.status === 'completed', 20_000, `task ${uuid} to complete`);
	return env.sandbox.tasks.find((t) => t.uuid === uuid);
}

/** Selzy's callback for a task, as the sandbox sends it. */
function callbackBody(uuid) {
	return JSON.stringify({ result: { task_uuid: uuid, task_type: TASK_TYPE, status: 'completed' } });
}

/** POSTs a JSON body; returns { status, text, ms } (ms: until the whole answer arrived). */
async function postJson(url, body) {
	const started = Date.now();
	const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, headersTimeout: 120_000 });
	const text = await response.body.text();
	return { status: response.statusCode, text, ms: Date.now() - started };
}

function downloadsOf(env, task) {
	const { pathname } = new URL(task.fileUrl);
	return env.sandbox.requests.filter((entry) => entry.apiMethod === 'download' && entry.path === pathname).length;
}

/** Executions of the trigger workflow that returned the task (its first item), and all of them for the task. */
function returningTask(executions, uuid) {
	return executions.filter((execution) => (h.nodeOutput(execution, 'Selzy Trigger') ?? []).some((item) => item.json?.task_uuid === uuid));
}

module.exports = {
	ACTION,
	TRIGGER,
	psql,
	databaseMb,
	memoryOf,
	measurePeaks,
	allPids,
	mb,
	seconds,
	describeMemory,
	loadAverage,
	logText,
	processesLogging,
	readBy,
	workerNames,
	workersRunning,
	assertOnWorker,
	assertAlive,
	campaign,
	manualWorkflow,
	triggerWorkflow,
	startManual,
	runManual,
	waitUntilFinished,
	finishedIds,
	waitForFinishedCount,
	expectSuccess,
	finishedExecutions,
	waitForExecutions,
	publishTrigger,
	completedTask,
	callbackBody,
	postJson,
	downloadsOf,
	returningTask,
};
