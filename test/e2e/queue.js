#!/usr/bin/env node
'use strict';
// `npm run e2e:queue`: both nodes in n8n's queue mode — Redis, Postgres, one main (`n8n start`),
// one worker (`n8n worker`) and one webhook process (`n8n webhook`), against the local Selzy
// sandbox. Every assertion reads execution data back from n8n (or the processes' logs and /proc).
// Scenarios: load (package in all three), a (1M-row summary/rows on the worker, its memory),
// b (file output vs the database binary-data cap), c (trigger Task Only → Get Result),
// d (wait for callback), e (duplicate callbacks), f (trigger File output in database mode); then
// an uncounted note on simultaneous duplicates sent to two processes.
//
// Env: QUEUE_ROWS (rows of the big report, default 1000000), QUEUE_DB_MAX_FILE_MB (the database
// binary-data cap given to n8n, default 16), QUEUE_ONLY=a,c (scenarios), E2E_SKIP_BUILD=1 (pack
// the existing dist/), E2E_KEEP=1 (keep the work folder), N8N_VERSION, SELZY_CACHE.

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { request } = require('undici');

const h = require('../tooling');
const { createSandbox } = require('../sandbox/server');
const { ensureDebianPackages, postgresBinDir, startQueueMode, stopQueueMode, killQueueMode } = h;

const OWNER = { email: 'queue-owner@example.com', password: 'Queue-Owner-Passw0rd', firstName: 'Queue', lastName: 'Owner' };
const ACTION = 'n8n-nodes-selzy.selzy';
const TRIGGER = 'n8n-nodes-selzy.selzyTrigger';
const ROWS = Number(process.env.QUEUE_ROWS || 1_000_000);
const DB_MAX_FILE_MB = Number(process.env.QUEUE_DB_MAX_FILE_MB || 16);
const BIG_CAMPAIGN = 3001;
const FILE_BELOW_CAMPAIGN = 3002;
const FILE_ABOVE_CAMPAIGN = 3003;
// Selzy's permanent failures; the node's "Hard Bounce" group.
const HARD_BOUNCES = ['err_user_unknown', 'err_user_inactive', 'err_domain_inactive', 'err_dest_invalid', 'err_not_available'];
// Peak worker memory a big summary may add over the 25-row control run.
const MEMORY_SLACK_MB = Number(process.env.QUEUE_MEMORY_SLACK_MB || 40);

// ── infrastructure: see test/tooling/queue-mode.js ──────────────────────────

/** One value from the test database (psql over TCP, trust auth). */
function psql(env, sql) {
	const result = spawnSync(
		path.join(postgresBinDir(), 'psql'),
		['-h', '127.0.0.1', '-p', String(env.postgres.port), '-U', 'postgres', '-d', env.postgres.database, '-tAc', sql],
		{ encoding: 'utf8' },
	);
	return result.status === 0 ? result.stdout.trim() : `psql failed: ${result.stderr.trim()}`;
}

// ── /proc memory of the worker ───────────────────────────────────────────────

function memoryOf(pid) {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
	return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/**
 * Measures one run: resets the process's peak RSS (VmHWM, via /proc/<pid>/clear_refs "5"),
 * takes the RSS then as the baseline and returns the peak increase afterwards. When the reset is
 * not possible, the peak is sampled every 100 ms instead.
 */
async function measurePeak(pid, run) {
	let resettable = true;
	try {
		fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
	} catch {
		resettable = false;
	}
	const baseline = memoryOf(pid);
	let sampledPeak = baseline.rssMb;
	const sampler = setInterval(() => {
		try {
			sampledPeak = Math.max(sampledPeak, memoryOf(pid).rssMb);
		} catch {
			// the process is gone; the run reports that
		}
	}, 100);
	try {
		const result = await run();
		const after = memoryOf(pid);
		const peakMb = resettable ? after.hwmMb : sampledPeak;
		return { result, baselineMb: baseline.rssMb, peakMb, increaseMb: peakMb - baseline.rssMb, afterMb: after.rssMb, method: resettable ? 'VmHWM' : 'sampled VmRSS' };
	} finally {
		clearInterval(sampler);
	}
}

const mb = (value) => `${value.toFixed(1)} MB`;

// ── workflow builders ──────────────────────────────────────────────────────

const credentialRef = (credential) => ({ selzyApi: { id: credential.id, name: credential.name } });
const campaign = (id) => ({ __rl: true, mode: 'id', value: String(id) });

function manualReportWorkflow(name, parameters, credential) {
	return {
		name,
		nodes: [
			{ id: crypto.randomUUID(), name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: crypto.randomUUID(),
				name: 'Selzy',
				type: ACTION,
				typeVersion: 1,
				position: [240, 0],
				parameters: { resource: 'campaign', operation: 'getDeliveryReport', ...parameters },
				credentials: credentialRef(credential),
			},
		],
		connections: { 'Manual Trigger': { main: [[{ node: 'Selzy', type: 'main', index: 0 }]] } },
	};
}

/** Selzy Trigger (output: task by default) → optionally Selzy → Task → Get Result. */
function triggerWorkflow(name, webhookId, credential, getResult, output = 'task') {
	const nodes = [
		{
			id: crypto.randomUUID(),
			name: 'Selzy Trigger',
			type: TRIGGER,
			typeVersion: 1,
			position: [0, 0],
			webhookId,
			parameters: { verify: true, taskTypes: ['getCampaignDeliveryStats'], output, options: {} },
			credentials: credentialRef(credential),
		},
	];
	const connections = {};
	if (getResult) {
		nodes.push({
			id: crypto.randomUUID(),
			name: 'Get Result',
			type: ACTION,
			typeVersion: 1,
			position: [240, 0],
			parameters: { resource: 'task', operation: 'getResult', taskUuid: '={{ $json.task_uuid }}', ...getResult },
			credentials: credentialRef(credential),
		});
		connections['Selzy Trigger'] = { main: [[{ node: 'Get Result', type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections };
}

// ── helpers over executions and logs ───────────────────────────────────────

async function runReport(env, name, parameters, { timeoutMs = 600_000 } = {}) {
	const workflow = await env.client.createWorkflow(manualReportWorkflow(name, parameters, env.good));
	const executionId = await env.client.runManually(workflow.id);
	return env.client.waitForExecution(executionId, { timeoutMs });
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

const waitUntil = h.waitUntil;

/** Finished executions of a workflow, with data, oldest first. */
async function finishedExecutions(env, workflowId) {
	const list = await env.client.executionsOf(workflowId);
	const finished = list.filter((execution) => execution.stoppedAt).sort((x, y) => Number(x.id) - Number(y.id));
	return Promise.all(finished.map((execution) => env.client.waitForExecution(execution.id)));
}

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

/** Which of the three processes logged a line containing `needle`. */
function processesLogging(env, needle) {
	return ['main', 'worker', 'webhook'].filter((name) => logText(env.processes[name].logFile).includes(needle));
}

/** The worker's own log lines for an execution: "Worker started/finished execution <id> (job …)". */
function workerRuns(env, executionId) {
	const log = logText(env.processes.worker.logFile);
	return {
		started: countIn(log, `Worker started execution ${executionId} `),
		finished: countIn(log, `Worker finished execution ${executionId} `),
	};
}

function assertOnWorker(env, executionId, { times = 1 } = {}) {
	const runs = workerRuns(env, executionId);
	assert.ok(runs.started >= times && runs.finished >= times, `the worker log shows execution ${executionId} started ${runs.started}× and finished ${runs.finished}× (expected ${times})`);
	for (const name of ['main', 'webhook']) {
		assert.ok(!logText(env.processes[name].logFile).includes(`Worker started execution ${executionId} `), `${name} claims to be a worker`);
	}
	return runs;
}

function assertWorkerAlive(env) {
	const { worker } = env.processes;
	assert.equal(worker.exited, null, `the worker exited: ${JSON.stringify(worker.exited)}`);
	fs.accessSync(`/proc/${worker.pid}/status`);
}

function downloadsOf(env, fileUrl) {
	const { pathname } = new URL(fileUrl);
	return env.sandbox.requests.filter((entry) => entry.apiMethod === 'download' && entry.path === pathname);
}

// ── set-up ─────────────────────────────────────────────────────────────────

async function setup(env) {
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	const runsDir = path.join(h.REPO, '.e2e-tmp');
	if (fs.existsSync(runsDir)) {
		const old = fs.readdirSync(runsDir).filter((name) => name.startsWith('queue-')).sort().slice(0, -3);
		for (const name of old) fs.rmSync(path.join(runsDir, name), { recursive: true, force: true });
	}
	env.workDir = path.join(runsDir, `queue-${stamp}`);
	fs.mkdirSync(env.workDir, { recursive: true });
	const timings = {};
	const time = async (label, fn) => {
		const started = Date.now();
		const result = await fn();
		timings[label] = Date.now() - started;
		return result;
	};

	env.debian = await time('apt', ensureDebianPackages);
	const [install, packed] = await Promise.all([
		time('n8n', () => h.ensureN8n()),
		time('pack', () => h.buildAndPack(path.join(env.workDir, 'pack'), { build: process.env.E2E_SKIP_BUILD !== '1' })),
	]);
	env.install = install;
	env.sandbox = await createSandbox({ port: 0 });
	env.sandbox.addCampaign({ id: BIG_CAMPAIGN, rows: ROWS, subject: 'Queue mode: the big one' });
	const started = await startQueueMode(env, {
		install,
		packed,
		workDir: env.workDir,
		env: {
			N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: String(DB_MAX_FILE_MB),
			N8N_LOG_LEVEL: 'debug',
			N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '1000',
		},
	});
	Object.assign(timings, started);

	const client = new h.N8nClient(env.processes.main.url);
	env.client = client;
	await client.ownerLogin(OWNER);
	await client.createApiKey('queue');
	const names = new Set((await client.nodeTypes()).map((type) => type.name));
	for (const expected of [ACTION, TRIGGER]) {
		if (!names.has(expected)) throw new Error(`main did not load ${expected}; log tail:\n${h.tailOf(env.processes.main.logFile)}`);
	}
	env.good = await client.createCredential({
		name: 'Selzy sandbox',
		type: 'selzyApi',
		data: { apiKey: env.sandbox.apiKey, baseUrl: env.sandbox.url, language: 'en' },
	});
	env.timings = timings;
	return { install, packed };
}

// ── scenarios ──────────────────────────────────────────────────────────────

const SCENARIOS = [
	{
		id: 'load',
		name: 'the community package loads in main, worker and webhook process',
		async run(env) {
			// n8n logs (debug) what it loaded from each package, in each process's own user folder.
			const counts = {};
			for (const [name, proc] of Object.entries(env.processes)) {
				const line = /Loaded all credentials and nodes from n8n-nodes-selzy\S*\s*\{ "credentials": (\d+), "nodes": (\d+)/.exec(logText(proc.logFile));
				assert.ok(line, `${name} did not log loading n8n-nodes-selzy`);
				assert.deepEqual([Number(line[1]), Number(line[2])], [1, 2], `${name}: credentials/nodes loaded`);
				counts[name] = `${line[2]} nodes`;
			}
			return Object.entries(counts)
				.map(([name, count]) => `${name} (pid ${env.processes[name].pid}): ${count}`)
				.join(', ');
		},
	},
	{
		id: 'a',
		name: `poll mode on a ${ROWS.toLocaleString('en')}-row report: summary and hard-bounce rows complete on the worker, worker memory flat`,
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null, callbackTimes: 1, callbackFormat: 'json' });
			const truth = env.sandbox.groundTruth({ campaignId: BIG_CAMPAIGN });
			const { size } = await truth.sha256AndSize();
			const pid = env.processes.worker.pid;
			const summaryOf = (campaignId, name) =>
				runReport(env, name, { campaignId: campaign(campaignId), waitMode: 'poll', output: 'summary', options: { pollInterval: 1, timeout: 10 } });
			// Control: the same workflow on a 25-row report, so what any execution costs the worker
			// is not counted against the report's size.
			await summaryOf(1001, 'queue a: warm-up');
			await h.sleep(1000);
			const controlRun = await measurePeak(pid, () => summaryOf(1001, 'queue a: control (25 rows)'));
			expectSuccess(controlRun.result);
			await h.sleep(1000);

			const summaryRun = await measurePeak(pid, () => summaryOf(BIG_CAMPAIGN, 'queue a: summary'));
			const [summary] = expectSuccess(summaryRun.result);
			assert.equal(summary.json.total, ROWS, 'summary total');
			assert.deepEqual(summary.json.bySendResult, truth.bySendResult, 'summary bySendResult');
			assertOnWorker(env, summaryRun.result.id);
			assert.deepEqual(processesLogging(env, `Selzy task ${summary.json.task_uuid}: summarised`), ['worker'], 'the summary was computed on the worker');

			await h.sleep(1000);
			const rowsRun = await measurePeak(pid, () =>
				runReport(env, 'queue a: hard-bounce rows', {
					campaignId: campaign(BIG_CAMPAIGN),
					waitMode: 'poll',
					output: 'rows',
					options: { pollInterval: 1, timeout: 10, statusGroups: ['hard_bounce'] },
				}),
			);
			const rows = expectSuccess(rowsRun.result);
			const expected = HARD_BOUNCES.reduce((sum, code) => sum + (truth.bySendResult[code] ?? 0), 0);
			assert.equal(rows.length, expected, 'hard-bounce rows');
			assert.equal(rows.length, summary.json.byGroup.hard_bounce, 'rows match the summary’s hard_bounce count');
			assert.ok(rows.every((row) => row.json.status_group === 'hard_bounce' && HARD_BOUNCES.includes(row.json.send_result)), 'every row is a hard bounce');
			assertOnWorker(env, rowsRun.result.id);
			const rowsTask = env.sandbox.tasks.filter((t) => t.campaignId === BIG_CAMPAIGN).at(-1).uuid;
			assert.deepEqual(processesLogging(env, `Selzy task ${rowsTask}: ${rows.length} rows kept`), ['worker'], 'the rows were parsed on the worker');

			// "Flat": beyond what the 25-row control run cost, the summary of the big report adds
			// less than MEMORY_SLACK_MB — far below the report's own size at a million rows, so the
			// file is never held. The rows run also holds its output items (≈5% of the rows) and
			// n8n's serialised copy of them when the worker saves the execution.
			const fileMb = size / 1024 / 1024;
			const extraMb = summaryRun.increaseMb - controlRun.increaseMb;
			env.memory = { fileMb, control: controlRun, summary: summaryRun, rows: rowsRun, rowsKept: rows.length };
			assert.ok(extraMb < MEMORY_SLACK_MB, `summary: worker peak rose ${mb(summaryRun.increaseMb)} (control ${mb(controlRun.increaseMb)}) on a ${mb(fileMb)} report`);
			assert.ok(rowsRun.increaseMb < Math.max(250, 3 * fileMb), `rows: worker peak rose ${mb(rowsRun.increaseMb)} on a ${mb(fileMb)} report`);
			assertWorkerAlive(env);
			const took = (execution) => `${((Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt)) / 1000).toFixed(1)} s`;
			return (
				`report ${mb(fileMb)}; worker ${summaryRun.method} − baseline RSS: control (25 rows) ${mb(controlRun.baselineMb)} → +${mb(controlRun.increaseMb)}; ` +
				`summary ${mb(summaryRun.baselineMb)} → +${mb(summaryRun.increaseMb)} ` +
				`(${took(summaryRun.result)}); rows (${rows.length} kept) ${mb(rowsRun.baselineMb)} → +${mb(rowsRun.increaseMb)} (${took(rowsRun.result)})`
			);
		},
	},
	{
		id: 'b',
		name: `file output in database binary mode: below the ${DB_MAX_FILE_MB} MiB cap it is stored, above it fails with a clear error`,
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null, callbackTimes: 1, callbackFormat: 'json' });
			// ~61 bytes a row in the sandbox's csv: 60% and 140% of the cap.
			const capBytes = DB_MAX_FILE_MB * 1024 * 1024;
			env.sandbox.addCampaign({ id: FILE_BELOW_CAMPAIGN, rows: Math.floor((capBytes * 0.6) / 61) });
			env.sandbox.addCampaign({ id: FILE_ABOVE_CAMPAIGN, rows: Math.ceil((capBytes * 1.4) / 61) });
			const below = await env.sandbox.groundTruth({ campaignId: FILE_BELOW_CAMPAIGN }).sha256AndSize();
			const above = await env.sandbox.groundTruth({ campaignId: FILE_ABOVE_CAMPAIGN }).sha256AndSize();
			assert.ok(below.size < capBytes && above.size > capBytes, `sizes ${below.size} / ${above.size} around the cap ${capBytes}`);

			const ok = await runReport(env, 'queue b: file below the cap', {
				campaignId: campaign(FILE_BELOW_CAMPAIGN),
				waitMode: 'poll',
				output: 'file',
				options: { pollInterval: 1, timeout: 5 },
			});
			const [item] = expectSuccess(ok);
			const binary = item.binary?.data;
			assert.ok(binary?.id, `no binary on the item: ${JSON.stringify(item).slice(0, 300)}`);
			assert.match(binary.id, /^database/, `binary data mode of ${binary.id}`);
			const bytes = await env.client.downloadBinary(binary.id);
			assert.equal(bytes.length, below.size, 'stored size');
			assert.equal(h.sha256(bytes), below.sha256, 'stored sha256');
			assertOnWorker(env, ok.id);

			const tooBig = await runReport(env, 'queue b: file above the cap', {
				campaignId: campaign(FILE_ABOVE_CAMPAIGN),
				waitMode: 'poll',
				output: 'file',
				options: { pollInterval: 1, timeout: 5 },
			});
			assert.equal(tooBig.status, 'error', `execution above the cap ended ${tooBig.status}`);
			const error = h.nodeError(tooBig, 'Selzy') ?? tooBig.data?.resultData?.error;
			const text = `${error?.message ?? ''} ${error?.description ?? ''}`;
			env.fileCapError = { message: error?.message, description: error?.description };
			assert.match(text, /N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE/, `the error names the setting: ${text}`);
			assert.match(String(error?.description ?? ''), /Rows or Summary/, `the error suggests Rows or Summary: ${error?.description}`);
			assert.doesNotMatch(String(error?.description ?? ''), /not in a format this node understands/, `misleading description: ${error?.description}`);
			assertOnWorker(env, tooBig.id);
			assertWorkerAlive(env);

			// The worker keeps serving.
			const after = await runReport(env, 'queue b: worker still serves', {
				campaignId: campaign(1001),
				waitMode: 'poll',
				output: 'summary',
				options: { pollInterval: 1, timeout: 2 },
			});
			expectSuccess(after);
			assertOnWorker(env, after.id);
			return `stored ${below.size} B as ${binary.id.split(':')[0]}; ${above.size} B → error "${error?.message}" — ${error?.description}`;
		},
	},
	{
		id: 'c',
		name: "trigger (output: task) answers on the webhook process; Task → Get Result downloads on the worker",
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 300, callbackTimes: 1, callbackFormat: 'json' });
			const webhookId = `queue-c-${crypto.randomUUID()}`;
			const workflow = await env.client.createWorkflow(
				triggerWorkflow('queue c: trigger → get result', webhookId, env.good, { waitMode: 'none', output: 'summary', options: {} }),
			);
			await env.client.activate(workflow.id);
			const triggerUrl = `${env.webhookUrl}/webhook/${webhookId}/selzy`;
			await waitForWebhook(env, triggerUrl);

			const request = await runReport(env, 'queue c: request with notify url', {
				campaignId: campaign(1004),
				waitMode: 'none',
				notifyUrl: triggerUrl,
			});
			const [task] = expectSuccess(request);
			const uuid = task.json.task_uuid;
			await waitUntil(async () => (await finishedExecutions(env, workflow.id)).length >= 1, 120_000, 'the trigger execution');
			const [run] = await finishedExecutions(env, workflow.id);
			const [summary] = expectSuccess(run, 'Get Result');
			const truth = env.sandbox.groundTruth({ campaignId: 1004 });
			assert.equal(summary.json.task_uuid, uuid, 'Get Result ran for the requested task');
			assert.equal(summary.json.total, truth.total, 'summary total');
			assert.deepEqual(summary.json.bySendResult, truth.bySendResult, 'summary bySendResult');
			assert.equal(h.nodeOutput(run, 'Selzy Trigger')?.[0]?.json?.task_uuid, uuid, 'trigger output is the task');

			const callbacks = env.sandbox.callbacks.filter((c) => c.taskUuid === uuid);
			assert.equal(callbacks.length, 1, 'one callback');
			assert.equal(new URL(callbacks[0].url).origin, env.webhookUrl, 'the callback went to the webhook process');
			assert.equal(callbacks[0].status, 200, 'the webhook process answered 200');
			assertOnWorker(env, run.id);
			const sbTask = env.sandbox.tasks.find((t) => t.uuid === uuid);
			const downloads = downloadsOf(env, sbTask.fileUrl);
			assert.equal(downloads.length, 1, 'the report was downloaded once');
			assert.deepEqual(processesLogging(env, `Selzy task ${uuid}: summarised`), ['worker'], 'the download was parsed on the worker');
			return `callback → ${new URL(callbacks[0].url).host} (${callbacks[0].status}); execution ${run.id} on the worker; 1 download`;
		},
	},
	{
		id: 'd',
		name: "wait 'Until Selzy Notifies': parks (waiting), the callback reaches the webhook process, a worker finishes",
		async run(env) {
			// The node polls 45 s in-process before it parks; the report is ready later.
			env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 55_000, callbackTimes: 1, callbackFormat: 'json' });
			const workflow = await env.client.createWorkflow(
				manualReportWorkflow(
					'queue d: wait for callback',
					{ campaignId: campaign(1004), waitMode: 'callback', output: 'summary', options: { pollInterval: 5, timeout: 5 } },
					env.good,
				),
			);
			const executionId = await env.client.runManually(workflow.id);
			await waitUntil(
				async () => (await env.client.publicApi(`/executions/${executionId}`).catch(() => undefined))?.status === 'waiting',
				54_000,
				'the execution to wait for the callback',
			);
			const parked = workerRuns(env, executionId);
			assert.ok(parked.started >= 1, 'the first part ran on the worker');
			const task = env.sandbox.tasks.at(-1);
			const resumeUrl = new URL(String(task.params.notify_url));
			assert.equal(resumeUrl.origin, env.webhookUrl, 'the resume URL points at the webhook process (WEBHOOK_URL)');
			assert.match(resumeUrl.pathname, new RegExp(`^/webhook-waiting/${executionId}$`), 'notify_url is the resume URL');
			assert.notEqual(task.status, 'completed', 'the report was not ready when the execution parked');

			const execution = await env.client.waitForExecution(executionId, { timeoutMs: 120_000 });
			const [summary] = expectSuccess(execution);
			const truth = env.sandbox.groundTruth({ campaignId: 1004 });
			assert.equal(summary.json.task_uuid, task.uuid, 'summary of the requested task');
			assert.equal(summary.json.total, truth.total, 'summary total');
			const callback = env.sandbox.callbacks.find((c) => c.taskUuid === task.uuid);
			assert.equal(callback?.status, 200, 'the webhook process accepted the callback');
			const runs = assertOnWorker(env, executionId, { times: 2 });
			const downloadedBy = processesLogging(env, `Selzy task ${task.uuid}: summarised`);
			env.resumeDownloadedBy = downloadedBy;
			return `callback ${callback.status} on ${resumeUrl.host}; worker ran it ${runs.started}×; report downloaded & summarised on: ${downloadedBy.join(', ') || 'unknown'}`;
		},
	},
	{
		id: 'e',
		name: 'duplicate callbacks (sandbox sends each twice, then once more to main) return the task once',
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 300, callbackTimes: 2, callbackFormat: 'json' });
			const webhookId = `queue-e-${crypto.randomUUID()}`;
			const workflow = await env.client.createWorkflow(triggerWorkflow('queue e: duplicates', webhookId, env.good));
			await env.client.activate(workflow.id);
			const webhookPath = `/webhook/${webhookId}/selzy`;
			await waitForWebhook(env, env.webhookUrl + webhookPath);
			env.dedup = { workflow, webhookPath };

			const request = await runReport(env, 'queue e: request (callback twice)', {
				campaignId: campaign(1001),
				waitMode: 'none',
				notifyUrl: env.webhookUrl + webhookPath,
			});
			const uuid = expectSuccess(request)[0].json.task_uuid;
			await waitUntil(() => env.sandbox.callbacks.filter((c) => c.taskUuid === uuid && (c.status || c.error)).length === 2, 30_000, 'two callbacks sent');
			const sent = env.sandbox.callbacks.filter((c) => c.taskUuid === uuid);
			// The same body once more, to the *main* process this time (n8n's main also serves
			// production webhooks unless N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true).
			await h.sleep(1500);
			const replay = await request_(env.processes.main.url + webhookPath, sent[0]);
			await h.sleep(3000);
			const runs = (await finishedExecutions(env, workflow.id)).filter((e) => h.nodeOutput(e, 'Selzy Trigger')?.[0]?.json?.task_uuid === uuid);
			env.dedup.sequential = { statuses: sent.map((c) => c.status), replay: replay.status, executions: runs.length };
			assert.deepEqual(sent.map((c) => c.status), [200, 200], 'both callbacks acknowledged');
			assert.equal(replay.status, 200, 'the replay to main acknowledged');
			assert.equal(runs.length, 1, `executions returning task ${uuid} (twice to the webhook process, then once to main)`);
			return `callbacks ${sent.map((c) => c.status).join('/')} (webhook process) + replay ${replay.status} (main): ${runs.length} execution returns the task`;
		},
	},
	{
		id: 'f',
		name: 'trigger with output file: the worker downloads and stores the file in the database, the next node reads it (Crypto → SHA256)',
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 300, callbackTimes: 1, callbackFormat: 'json' });
			const webhookId = `queue-f-${crypto.randomUUID()}`;
			const workflow = triggerWorkflow('queue f: trigger file → hash', webhookId, env.good, undefined, 'file');
			workflow.nodes.push({
				id: crypto.randomUUID(),
				name: 'Hash',
				type: 'n8n-nodes-base.crypto',
				typeVersion: 2,
				position: [240, 0],
				parameters: { action: 'hash', binaryData: true, binaryPropertyName: 'data', type: 'SHA256', dataPropertyName: 'sha256', encoding: 'hex' },
			});
			workflow.connections['Selzy Trigger'] = { main: [[{ node: 'Hash', type: 'main', index: 0 }]] };
			const created = await env.client.createWorkflow(workflow);
			await env.client.activate(created.id);
			const triggerUrl = `${env.webhookUrl}/webhook/${webhookId}/selzy`;
			await waitForWebhook(env, triggerUrl);
			const request = await runReport(env, 'queue f: request with notify url', { campaignId: campaign(1002), waitMode: 'none', notifyUrl: triggerUrl });
			const uuid = expectSuccess(request)[0].json.task_uuid;
			await waitUntil(async () => (await finishedExecutions(env, created.id)).length >= 1, 120_000, 'the trigger execution');
			const [run] = await finishedExecutions(env, created.id);
			const [item] = expectSuccess(run, 'Selzy Trigger');
			const [hashed] = expectSuccess(run, 'Hash');
			const truth = await env.sandbox.groundTruth({ campaignId: 1002 }).sha256AndSize();
			const binary = item.binary?.data;
			assert.match(String(binary?.id), /^database:/, `binary id ${binary?.id}`);
			assert.equal(hashed.json.sha256, truth.sha256, 'the next node read the stored file');
			assert.deepEqual(processesLogging(env, `Selzy task ${uuid}: stored`), ['worker'], 'stored by the worker, not the webhook process');
			assertOnWorker(env, run.id);

			// Stored by the execution itself, so n8n links it to the execution (and prunes it with it).
			const download = await env.client
				.call('GET', `/rest/binary-data?${new URLSearchParams({ id: binary.id, action: 'download' })}`, { raw: true, expect: null })
				.catch((error) => ({ status: error.message }));
			const fileId = binary.id.slice('database:'.length);
			const row = psql(env, `select "sourceType" || ':' || "sourceId" from binary_data where "fileId" = '${fileId}'`);
			env.triggerFile = { downloadStatus: download.status, source: row };
			assert.equal(row, `execution:${run.id}`, 'the binary_data row belongs to the execution');
			return `worker hashed ${truth.size} B = ground truth; editor download of ${binary.id.slice(0, 18)}… → HTTP ${download.status}; binary_data row source ${row || '(none)'}`;
		},
	},
];

/** Same task delivered at the same instant to both processes: records what n8n does. */
async function simultaneousDuplicates(env) {
	const { workflow, webhookPath } = env.dedup;
	env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 100, callbackTimes: 1, callbackFormat: 'json' });
	// A completed task without a notify_url: nobody has called the trigger for it yet.
	const request = await runReport(env, 'queue e2: task for simultaneous callbacks', { campaignId: campaign(1001), waitMode: 'none' });
	const uuid = expectSuccess(request)[0].json.task_uuid;
	await waitUntil(() => env.sandbox.tasks.find((t) => t.uuid === uuid)?.status === 'completed', 10_000, 'task completed');
	const body = { contentType: 'application/json', body: JSON.stringify({ result: { task_uuid: uuid, task_type: 'getCampaignDeliveryStats', status: 'completed' } }) };
	const answers = await Promise.all([
		request_(env.webhookUrl + webhookPath, body),
		request_(env.processes.main.url + webhookPath, body),
	]);
	await h.sleep(4000);
	const runs = (await finishedExecutions(env, workflow.id)).filter((e) => h.nodeOutput(e, 'Selzy Trigger')?.[0]?.json?.task_uuid === uuid);
	return { statuses: answers.map((a) => `${a.status} ${a.text.slice(0, 60)}`), executions: runs.length };
}

async function request_(url, { contentType, body }) {
	const response = await request(url, { method: 'POST', headers: { 'content-type': contentType }, body, headersTimeout: 60_000 });
	const text = await response.body.text();
	return { status: response.statusCode, text };
}

/** Activation is asynchronous and the webhook process looks webhooks up itself: wait until it answers. */
async function waitForWebhook(env, url) {
	await waitUntil(
		async () => {
			const answer = await request_(url, { contentType: 'application/json', body: '{"hello":"world"}' }).catch(() => ({ status: 0 }));
			return answer.status === 400; // the trigger's own answer to a body that is not a callback
		},
		60_000,
		`the trigger to answer at ${url}`,
	);
}

// ── the run ────────────────────────────────────────────────────────────────

async function main() {
	const startedAt = Date.now();
	const env = {};
	const only = process.env.QUEUE_ONLY ? new Set(['load', ...process.env.QUEUE_ONLY.split(',')]) : null;
	const selected = SCENARIOS.filter((scenario) => !only || only.has(scenario.id));
	let passed = 0;
	let failed = 0;

	let stopping;
	const stopAll = (graceMs) =>
		(stopping ??= (async () => {
			await stopQueueMode(env, graceMs);
			await env.sandbox?.close().catch(() => {});
		})());
	process.on('exit', () => killQueueMode(env));
	process.on('SIGINT', () => {
		console.log('\ninterrupted; stopping n8n, Redis and Postgres');
		stopAll(5000).finally(() => process.exit(130));
	});

	try {
		const setupStart = Date.now();
		let ready = false;
		try {
			const { install, packed } = await setup(env);
			ready = true;
			const t = env.timings;
			console.log(
				`  n8n ${install.version} queue mode: main ${env.processes.main.url}, webhook ${env.webhookUrl}, worker pid ${env.processes.worker.pid}; ` +
					`Postgres :${env.postgres.port}, Redis :${env.redis.port}; ${path.basename(packed.tarball)}; ` +
					`setup ${((Date.now() - setupStart) / 1000).toFixed(1)} s (apt: ${env.debian}; n8n ${t.n8n} ms, pack ${t.pack} ms, ` +
					`services ${t.services} ms, main ${t.main} ms, worker+webhook ${t['worker+webhook']} ms)`,
			);
		} catch (error) {
			console.log(`✗ setup: ${error.message}`);
			failed = selected.length;
		}
		for (const scenario of ready ? selected : []) {
			const label = `${scenario.id}. ${scenario.name}`;
			const start = Date.now();
			try {
				const note = await scenario.run(env);
				passed++;
				console.log(`✓ ${label} (${Date.now() - start} ms)${note ? ` — ${note}` : ''}`);
			} catch (error) {
				failed++;
				console.log(`✗ ${label}: ${String(error.message).replace(/\s*\n\s*/g, ' ')}`);
			}
		}
		if (env.dedup) {
			// Not counted: n8n gives a trigger no cross-process lock; the README states this.
			try {
				const outcome = await simultaneousDuplicates(env);
				console.log(
					`  note (documented limitation): the same callback at the same instant to the webhook process and to main → ` +
						`answers [${outcome.statuses.join(' | ')}], ${outcome.executions} execution(s)`,
				);
			} catch (error) {
				console.log(`  note: simultaneous duplicates could not be measured: ${error.message}`);
			}
		}
	} finally {
		await stopAll();
		if (failed === 0 && process.env.E2E_KEEP !== '1' && env.workDir) fs.rmSync(env.workDir, { recursive: true, force: true });
		else if (env.workDir) console.log(`  kept ${path.relative(h.REPO, env.workDir)} (logs: main.log, worker.log, webhook.log)`);
	}
	console.log(`  total ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
	console.log(`${passed} passed, ${failed} failed`);
	if (failed) process.exitCode = 1;
}

main().catch((error) => {
	console.error(error);
	console.log('0 passed, 1 failed');
	process.exitCode = 1;
});
