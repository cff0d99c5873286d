#!/usr/bin/env node
'use strict';
/**
 * `npm run bench:trigger`: a burst of Selzy callbacks against an active Selzy Trigger in a real
 * n8n, with n8n's Webhook node and the do-it-yourself workflow (Webhook → HTTP Request
 * getTaskResult → HTTP Request download → Extract From File) as controls, all in one run.
 *
 *   node bench/trigger-load.js [--rate 10] [--callbacks 240] [--burst-rate 30] [--burst-callbacks 360]
 *                              [--repeat-share 0.2] [--rows 1000] [--client-timeout 30] [--rounds 1]
 *                              [--only id,id] [--skip-build | --tarball n8n-nodes-selzy-x.y.z.tgz]
 *                              [--profile id,id] [--label text] [--keep] [--write-docs]
 *                              [--results-key triggerLoad] [--docs-block trigger-load] [--priority -10]
 *                              [--n8n-env NAME=value,NAME=value]   (extra settings for every n8n started)
 *   node bench/trigger-load.js --from-results [--write-docs]   (tables again from bench/results.json)
 *
 * Every scenario gets a fresh n8n (SQLite, regular mode, the package installed from its packed
 * tarball) with one active workflow, a warm-up of three callbacks, then the load: callbacks for
 * completed tasks of the in-process Selzy sandbox, sent open-loop at a steady rate over loopback
 * (a new connection each, as Selzy does), a share of them repeated. Per scenario:
 *  - each callback's answer time (client timeout --client-timeout s) and status;
 *  - peak RSS increase of n8n's main process from just before the load until its executions have
 *    finished (VmHWM with the high-water mark reset, backed by 100 ms samples), and its CPU seconds;
 *  - n8n's /healthz/readiness polled every second (a database health failure answers 503);
 *  - executions: count, failures, and for the trigger the distinct tasks they carry;
 *  - calls the sandbox received (getTaskResult, downloads) and n8n's expression-isolate counter.
 * With --priority N this process and everything it starts (n8n, its threads, the task runner) run at
 * that niceness, so a machine shared with other work disturbs the comparison less.
 * With --rounds N the list runs N times (every other round in reverse order) and each figure is the
 * median of the rounds; correctness (answers, executions, readiness) must hold in every round.
 * With --profile the listed scenarios run again with the inspector attached and record a CPU profile
 * of the load (kept apart from the timed runs). Results go to bench/results.json (key
 * "triggerLoad"); --write-docs replaces the generated block of docs/performance.md.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { request } = require('undici');

const h = require('../test/e2e/n8n');
const { createSandbox } = require('../test/sandbox/server');
const { phpJson } = require('../test/sandbox/data');
const bench = require('./run');
const { startProfile, summarize } = require('./cpu-profile');

const RESULTS_FILE = path.join(__dirname, 'results.json');
const DOCS_FILE = path.join(h.REPO, 'docs', 'performance.md');
const TRIGGER = 'n8n-nodes-selzy.selzyTrigger';
const LOAD_CAMPAIGN = 9101;
const WARMUP_CALLBACKS = 3;
const { fmt, count, round, mib, median } = bench;

// ── options ────────────────────────────────────────────────────────────────

function parseArgs(argv) {
	const options = {
		rate: 10,
		callbacks: 240,
		burstRate: 30,
		burstCallbacks: 360,
		repeatShare: 0.2,
		rows: 1000,
		clientTimeout: 30,
		drainTimeout: 300,
		rounds: 1,
		only: null,
		profile: new Set(),
		skipBuild: false,
		tarball: undefined,
		label: undefined,
		keep: false,
		writeDocs: false,
		fromResults: false,
		resultsKey: 'triggerLoad',
		priority: undefined,
		n8nEnv: {},
		docsBlock: 'trigger-load',
	};
	const numeric = {
		'--rate': 'rate',
		'--callbacks': 'callbacks',
		'--burst-rate': 'burstRate',
		'--burst-callbacks': 'burstCallbacks',
		'--repeat-share': 'repeatShare',
		'--rows': 'rows',
		'--client-timeout': 'clientTimeout',
		'--drain-timeout': 'drainTimeout',
		'--rounds': 'rounds',
	};
	const flags = { '--skip-build': 'skipBuild', '--keep': 'keep', '--write-docs': 'writeDocs', '--from-results': 'fromResults' };
	const list = (text) => new Set(text.split(',').map((id) => id.trim()).filter(Boolean));
	for (let i = 0; i < argv.length; i++) {
		let [name, value] = argv[i].split('=', 2);
		const take = () => {
			if (value === undefined) value = argv[++i];
			if (value === undefined) throw new Error(`${name} needs a value`);
			return value;
		};
		if (name in numeric) {
			const number = Number(take());
			if (!Number.isFinite(number) || number < 0) throw new Error(`${name}: not a number: ${value}`);
			options[numeric[name]] = number;
		} else if (name in flags) options[flags[name]] = true;
		else if (name === '--only') options.only = list(take());
		else if (name === '--profile') options.profile = list(take());
		else if (name === '--tarball') options.tarball = path.resolve(take());
		else if (name === '--label') options.label = take();
		else if (name === '--priority') {
			options.priority = Number(take());
			if (!Number.isInteger(options.priority) || options.priority < -20 || options.priority > 19) throw new Error('--priority: a niceness from -20 to 19');
		}
		else if (name === '--results-key') options.resultsKey = take();
		else if (name === '--n8n-env') {
			for (const pair of take().split(',').filter(Boolean)) {
				const at = pair.indexOf('=');
				if (at < 1) throw new Error(`--n8n-env: NAME=value expected, got ${pair}`);
				options.n8nEnv[pair.slice(0, at)] = pair.slice(at + 1);
			}
		}
		else if (name === '--docs-block') options.docsBlock = take();
		else if (name === '--help' || name === '-h') {
			process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
			process.exit(0);
		} else throw new Error(`unknown option ${name}; see node bench/trigger-load.js --help`);
	}
	return options;
}

// ── scenarios and workflows ────────────────────────────────────────────────

function scenarios(options) {
	const steady = { rate: options.rate, callbacks: options.callbacks, load: 'steady' };
	const burst = { rate: options.burstRate, callbacks: options.burstCallbacks, load: 'burst' };
	const all = [
		{ id: 'trigger-summary', label: 'Selzy Trigger, output Summary', kind: 'trigger', output: 'summary', verify: true, ...steady },
		{ id: 'trigger-task', label: 'Selzy Trigger, output Task Only', kind: 'trigger', output: 'task', verify: true, ...steady },
		{ id: 'trigger-task-unverified', label: 'Selzy Trigger, Task Only, verification off', kind: 'trigger', output: 'task', verify: false, ...steady },
		{ id: 'diy', label: 'Webhook → HTTP Request (getTaskResult) → HTTP Request (download) → Extract From File', kind: 'diy', ...steady },
		{ id: 'webhook', label: 'n8n’s Webhook node alone', kind: 'webhook', ...steady },
		// Webhook 1 takes an expression sandbox for its webhook call, as n8n does for every trigger but Webhook 2.
		{ id: 'webhook-v1', label: 'n8n’s Webhook node 1 alone', kind: 'webhook', webhookVersion: 1, ...steady },
		{ id: 'trigger-summary-burst', label: 'Selzy Trigger, output Summary', kind: 'trigger', output: 'summary', verify: true, ...burst },
		{ id: 'webhook-burst', label: 'n8n’s Webhook node alone', kind: 'webhook', ...burst },
	];
	return all.filter((scenario) => (options.only ? options.only.has(scenario.id) : scenario.id !== 'webhook-v1'));
}

function workflowFor(scenario, { credential, sandbox, nodeTypes }) {
	const webhookId = crypto.randomUUID();
	const webhookVersion = scenario.webhookVersion ?? bench.versionOf(nodeTypes, 'n8n-nodes-base.webhook', [2, 2.1]);
	const webhookNode = (name) =>
		bench.node(name, 'n8n-nodes-base.webhook', webhookVersion, [0, 0], { httpMethod: 'POST', path: webhookId, responseMode: 'onReceived', options: {} }, { webhookId });
	if (scenario.kind === 'trigger') {
		const parameters = { verify: scenario.verify, taskTypes: ['getCampaignDeliveryStats'], output: scenario.output, options: {} };
		const trigger = bench.node('Selzy Trigger', TRIGGER, 1, [0, 0], parameters, {
			webhookId,
			credentials: { selzyApi: { id: credential.id, name: credential.name } },
		});
		return { spec: { name: `load ${scenario.id}`, nodes: [trigger], connections: {} }, path: `/webhook/${webhookId}/selzy`, startNode: 'Selzy Trigger' };
	}
	if (scenario.kind === 'webhook') {
		return {
			spec: { name: `load ${scenario.id}`, nodes: [webhookNode('Webhook')], connections: {} },
			path: `/webhook/${webhookId}`,
			startNode: 'Webhook',
			nodeVersions: { webhook: webhookVersion },
		};
	}
	const httpVersion = bench.versionOf(nodeTypes, 'n8n-nodes-base.httpRequest', [4.2, 4.3, 4.4, 4.5]);
	const extractVersion = bench.versionOf(nodeTypes, 'n8n-nodes-base.extractFromFile', [1, 1.1]);
	const form = (pairs) => ({
		sendBody: true,
		contentType: 'form-urlencoded',
		specifyBody: 'keypair',
		bodyParameters: { parameters: pairs.map(([name, value]) => ({ name, value })) },
	});
	const nodes = [
		webhookNode('Webhook'),
		bench.node('Get Task', 'n8n-nodes-base.httpRequest', httpVersion, [220, 0], {
			method: 'POST',
			url: `${sandbox.url}/en/api/async/getTaskResult`,
			...form([['api_key', sandbox.apiKey], ['task_uuid', '={{ $json.body.result.task_uuid }}']]),
			options: {},
		}),
		bench.node('Download', 'n8n-nodes-base.httpRequest', httpVersion, [440, 0], {
			url: '={{ $json.result.file_to_download }}',
			options: { response: { response: { responseFormat: 'file' } } },
		}),
		bench.node('Extract CSV', 'n8n-nodes-base.extractFromFile', extractVersion, [660, 0], { operation: 'csv', options: {} }),
	];
	const connections = {
		Webhook: { main: [[bench.link('Get Task')]] },
		'Get Task': { main: [[bench.link('Download')]] },
		Download: { main: [[bench.link('Extract CSV')]] },
	};
	return {
		spec: { name: `load ${scenario.id}`, nodes, connections },
		path: `/webhook/${webhookId}`,
		startNode: 'Webhook',
		nodeVersions: { webhook: webhookVersion, httpRequest: httpVersion, extractFromFile: extractVersion },
	};
}

// ── the callbacks ──────────────────────────────────────────────────────────

/** Completed report tasks in the sandbox, with the body Selzy would POST for each. */
async function completedTasks(sandbox, howMany) {
	const tasks = [];
	for (let i = 0; i < howMany; i++) {
		const form = new URLSearchParams({ api_key: sandbox.apiKey, format: 'json', campaign_id: String(LOAD_CAMPAIGN) });
		const response = await request(`${sandbox.url}/en/api/async/getCampaignDeliveryStats`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: form.toString(),
		});
		const { result } = await response.body.json();
		tasks.push(result.task_uuid);
	}
	// readyAfterMs 0: each task completed on a timer right after it was created.
	await h.sleep(50);
	return tasks.map((uuid) => {
		const task = sandbox.tasks.find((t) => t.uuid === uuid);
		if (task?.status !== 'completed') throw new Error(`sandbox task ${uuid} did not complete`);
		const result = { task_uuid: uuid, task_type: 'getCampaignDeliveryStats', status: 'completed', file_to_download: task.fileUrl };
		return { uuid, body: phpJson({ result }) };
	});
}

/** Small deterministic generator, so every scenario and every run sends the same sequence. */
function seeded(seed) {
	let state = seed >>> 0;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

/**
 * The order of callbacks: every task once, plus repeats of `repeatShare` of them, each repeat
 * 1–30 callbacks after the first delivery (some while the first is still being handled).
 */
function callbackPlan(tasks, repeatShare, seed = 18) {
	const random = seeded(seed);
	const entries = tasks.map((task, index) => ({ key: index, task, repeat: false }));
	const repeats = Math.round(tasks.length * repeatShare);
	const step = tasks.length / Math.max(1, repeats);
	for (let r = 0; r < repeats; r++) {
		const index = Math.floor(r * step);
		entries.push({ key: index + 1 + Math.floor(random() * 30) + 0.5, task: tasks[index], repeat: true });
	}
	return entries.sort((a, b) => a.key - b.key);
}

/** POSTs one callback on a fresh connection; resolves with its status and answer time. */
function sendCallback(url, body, timeoutMs) {
	return new Promise((resolve) => {
		const started = performance.now();
		const done = (outcome) => resolve({ ...outcome, ms: round(performance.now() - started, 1) });
		const req = http.request(
			url,
			{ method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'selzy-load' } },
			(res) => {
				res.resume();
				res.on('end', () => done({ status: res.statusCode }));
				res.on('error', (error) => done({ error: error.message }));
			},
		);
		req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
		req.on('error', (error) => done({ error: error.message }));
		req.end(body);
	});
}

/** Sends the plan open-loop at `rate` per second; resolves when every callback has an outcome. */
async function sendAtRate(url, plan, rate, timeoutMs) {
	const started = performance.now();
	const pending = plan.map(async (entry, index) => {
		const due = started + (index * 1000) / rate;
		const wait = due - performance.now();
		if (wait > 0) await h.sleep(wait);
		const outcome = await sendCallback(url, entry.task.body, timeoutMs);
		return { ...outcome, repeat: entry.repeat, uuid: entry.task.uuid, sentAt: round((due - started) / 1000, 2) };
	});
	return Promise.all(pending);
}

// ── n8n side readings ──────────────────────────────────────────────────────

/** Polls /healthz/readiness every second; stop() returns the failures seen. */
function watchReadiness(baseUrl) {
	const failures = [];
	let checks = 0;
	let stopped = false;
	const loop = (async () => {
		while (!stopped) {
			const at = Date.now();
			checks++;
			try {
				const response = await request(`${baseUrl}/healthz/readiness`, { headersTimeout: 5000, bodyTimeout: 5000 });
				const text = await response.body.text();
				if (response.statusCode !== 200) failures.push({ at, status: response.statusCode, body: text.slice(0, 200) });
			} catch (error) {
				failures.push({ at, error: error.message });
			}
			await h.sleep(Math.max(0, 1000 - (Date.now() - at)));
		}
	})();
	return {
		async stop() {
			stopped = true;
			await loop;
			return { checks, failures };
		},
	};
}

/** n8n's expression-isolate counter (Prometheus, N8N_METRICS=true); undefined when absent. */
async function isolatesAcquired(baseUrl) {
	try {
		const response = await request(`${baseUrl}/metrics`, { headersTimeout: 10_000 });
		const text = await response.body.text();
		const match = /^n8n_expression_pool_acquired_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(text);
		return match ? Number(match[1]) : undefined;
	} catch {
		return undefined;
	}
}

/** Waits until the workflow's executions stop changing and none runs; returns them. */
async function drain(client, workflowId, expected, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	let stableSince = Date.now();
	for (;;) {
		const list = await client.executionsOf(workflowId).catch(() => undefined);
		if (list) {
			const running = list.filter((execution) => !execution.stoppedAt).length;
			const signature = `${list.length}/${running}`;
			if (signature !== last) {
				last = signature;
				stableSince = Date.now();
			}
			const settled = running === 0 && (list.length >= expected || Date.now() - stableSince > 15_000);
			if (settled || Date.now() > deadline) return { executions: list, timedOut: !settled };
		}
		await h.sleep(500);
	}
}

/** Task IDs that the trigger's executions started with (read with their data, after the measurement). */
async function triggerTasks(client, executions) {
	const uuids = [];
	for (const { id } of executions) {
		const execution = await client.waitForExecution(id, { timeoutMs: 30_000 }).catch(() => undefined);
		const item = h.nodeOutput(execution, 'Selzy Trigger')?.[0];
		if (item?.json?.task_uuid) uuids.push(String(item.json.task_uuid));
	}
	return uuids;
}

// ── one scenario ───────────────────────────────────────────────────────────

async function runScenario(ctx, scenario, { profile = false } = {}) {
	const { options, sandbox, install, packed } = ctx;
	const id = profile ? `${scenario.id}-profile` : scenario.id;
	const workDir = path.join(ctx.workRoot, id);
	fs.rmSync(workDir, { recursive: true, force: true });
	const userFolder = path.join(workDir, 'user');
	const logFile = path.join(workDir, 'n8n.log');
	await h.installPackage(userFolder, packed);
	const inspectPort = profile ? await h.freePort() : undefined;
	const result = { id: scenario.id, label: scenario.label, kind: scenario.kind, rate: scenario.rate, callbacks: scenario.callbacks, load: scenario.load };
	if (scenario.kind === 'trigger') Object.assign(result, { output: scenario.output, verify: scenario.verify });

	const n8n = await h.startN8n({
		install,
		userFolder,
		logFile,
		nodeArgs: profile ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
		env: { N8N_LOG_LEVEL: 'info', N8N_METRICS: 'true', N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '1000', ...options.n8nEnv },
	});
	ctx.running = n8n;
	try {
		const client = new h.N8nClient(n8n.url, { version: install.version });
		await client.ownerLogin(bench.OWNER);
		await client.createApiKey('load');
		const nodeTypes = await client.nodeTypes();
		if (!nodeTypes.some((t) => t.name === TRIGGER)) throw new Error(`n8n did not load ${TRIGGER}; log tail:\n${h.tailOf(logFile)}`);
		const credential = await client.createCredential({
			name: 'Selzy sandbox',
			type: 'selzyApi',
			data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, language: 'en' },
		});
		const built = workflowFor(scenario, { credential, sandbox, nodeTypes });
		if (built.nodeVersions) result.nodeVersions = built.nodeVersions;
		const workflow = await client.createWorkflow(built.spec);
		await client.activate(workflow.id);
		const url = n8n.url + built.path;

		// Warm-up: loads node code and n8n's lazily built parts before the measurement.
		const warmTasks = await completedTasks(sandbox, WARMUP_CALLBACKS);
		for (const task of warmTasks) {
			const outcome = await sendCallback(url, task.body, 60_000);
			if (outcome.status !== 200) throw new Error(`warm-up callback answered ${outcome.status ?? outcome.error}`);
		}
		const warm = await drain(client, workflow.id, WARMUP_CALLBACKS, 60_000);
		const before = warm.executions.length;
		await h.sleep(3000);

		const plan = callbackPlan(ctx.tasks.slice(0, Math.round(scenario.callbacks / (1 + options.repeatShare))), options.repeatShare);
		const distinct = new Set(plan.map((entry) => entry.task.uuid)).size;
		const expected = scenario.kind === 'trigger' ? distinct : plan.length;
		const sandboxBefore = sandbox.requests.length;
		const isolatesBefore = await isolatesAcquired(n8n.url);
		const pid = n8n.pid;
		const baseline = bench.procStatus(pid);
		const peakReset = bench.resetPeak(pid);
		const cpuBefore = bench.cpuSeconds(pid);
		const sampler = bench.startSampler(pid);
		const readiness = watchReadiness(n8n.url);
		const profiler = profile ? await startProfile(inspectPort) : undefined;

		const loadStarted = Date.now();
		const answers = await sendAtRate(url, plan, scenario.rate, options.clientTimeout * 1000);
		const answeredAfter = (Date.now() - loadStarted) / 1000;
		const drained = await drain(client, workflow.id, before + expected, options.drainTimeout * 1000);
		const settledAfter = (Date.now() - loadStarted) / 1000;

		const rawProfile = await profiler?.stop();
		const health = await readiness.stop();
		const sampled = sampler.stop();
		const after = bench.procStatus(pid);
		const peak = Math.max(peakReset ? after.hwm : 0, sampled.maxSampledRss);
		const isolatesAfter = await isolatesAcquired(n8n.url);

		const times = answers.filter((a) => a.status !== undefined).map((a) => a.ms);
		const byStatus = {};
		for (const answer of answers) {
			const key = answer.status ?? (answer.error === 'client timeout' ? 'timeout' : 'error');
			byStatus[key] = (byStatus[key] ?? 0) + 1;
		}
		const executions = drained.executions.slice(0, drained.executions.length - before);
		const calls = sandbox.requests.slice(sandboxBefore);
		Object.assign(result, {
			status: 'done',
			distinctTasks: distinct,
			answered: times.length,
			answersByStatus: byStatus,
			answerMs: { p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), max: times.length ? Math.max(...times) : undefined },
			answeredAfterSeconds: round(answeredAfter, 1),
			settledAfterSeconds: round(settledAfter, 1),
			drainTimedOut: drained.timedOut,
			baselineRssMiB: mib(baseline.rss),
			peakIncreaseMiB: mib(peak - baseline.rss),
			rssAfterMiB: mib(after.rss),
			cpuSeconds: round(bench.cpuSeconds(pid) - cpuBefore, 1),
			rssTimelineMiB: sampled.timeline,
			readinessChecks: health.checks,
			readinessFailures: health.failures.length,
			readinessFailureSamples: health.failures.slice(0, 3),
			executions: executions.length,
			executionsFailed: executions.filter((execution) => execution.status !== 'success').length,
			getTaskResultCalls: calls.filter((call) => call.apiMethod === 'async/getTaskResult').length,
			downloads: calls.filter((call) => call.apiMethod === 'download').length,
			isolatesAcquired: isolatesBefore !== undefined && isolatesAfter !== undefined ? isolatesAfter - isolatesBefore : undefined,
		});
		if (scenario.kind === 'trigger') {
			const uuids = await triggerTasks(client, executions);
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
	} catch (error) {
		result.status = 'error';
		result.error = String(error.message).split('\n')[0].slice(0, 300);
		result.logTail = h.tailOf(logFile, 15).split('\n');
	} finally {
		if (n8n.exited) result.n8nExit = n8n.exited;
		await n8n.stop();
		ctx.running = null;
	}
	if (!options.keep) fs.rmSync(workDir, { recursive: true, force: true });
	return result;
}

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

/** How far a run is from correct: unanswered callbacks, missing or failed executions, readiness failures. */
function severity(r) {
	if (r.status !== 'done') return Infinity;
	const expected = r.kind === 'trigger' ? r.distinctTasks : r.callbacks;
	const unanswered = (r.answersByStatus?.timeout ?? 0) + (r.answersByStatus?.error ?? 0);
	return unanswered + Math.abs(expected - r.executions) + r.executionsFailed + r.readinessFailures;
}

/** One result per scenario: medians of the figures over the rounds, the counts of the worst round. */
function combineRounds(list, runs) {
	const combined = [];
	for (const scenario of list) {
		const own = runs.filter((r) => r.id === scenario.id);
		if (!own.length) continue;
		const done = own.filter((r) => r.status === 'done');
		const worst = own.reduce((a, b) => (severity(b) > severity(a) ? b : a));
		if (own.length === 1 || done.length < own.length) {
			combined.push({ ...worst, rounds: own.length, perRound: own.map(roundFigures) });
			continue;
		}
		const mid = (get) => median(done.map(get).filter(Number.isFinite));
		combined.push({
			...worst,
			answerMs: { p50: mid((r) => r.answerMs.p50), p90: mid((r) => r.answerMs.p90), p99: mid((r) => r.answerMs.p99), max: Math.max(...done.map((r) => r.answerMs.max)) },
			peakIncreaseMiB: mid((r) => r.peakIncreaseMiB),
			cpuSeconds: mid((r) => r.cpuSeconds),
			isolatesAcquired: mid((r) => r.isolatesAcquired),
			getTaskResultCalls: mid((r) => r.getTaskResultCalls),
			rounds: own.length,
			perRound: own.map(roundFigures),
		});
	}
	return combined;
}

function roundFigures(r) {
	return {
		round: r.round,
		status: r.status,
		p50: r.answerMs?.p50,
		p99: r.answerMs?.p99,
		peakIncreaseMiB: r.peakIncreaseMiB,
		cpuSeconds: r.cpuSeconds,
		executions: r.executions,
		answersByStatus: r.answersByStatus,
		readinessFailures: r.readinessFailures,
		readinessChecks: r.readinessChecks,
		rssTimelineMiB: r.rssTimelineMiB,
	};
}

/** Native work of the expression sandboxes (isolated-vm), by self time on the main thread. */
const PROFILE_SELF_GROUPS = {
	'sandbox create/dispose (isolated-vm: Isolate, createContext, eval, evalClosureSync, dispose)': /^(Isolate|createContext|eval|evalClosureSync|dispose)$/,
};

function percentile(values, p) {
	if (!values.length) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// ── reporting ──────────────────────────────────────────────────────────────

function table(results) {
	const lines = [
		'| Workflow | Callbacks | Answer p50 / p99 (ms) | Answers | n8n peak memory increase (MiB) | n8n CPU (s) | Executions | getTaskResult calls | Isolates acquired | Readiness failures | p99 (ms) / peak (MiB) / readiness failures per round |',
		'|---|---|---:|---|---:|---:|---|---:|---:|---:|---|',
	];
	for (const r of results) {
		if (r.status !== 'done') {
			lines.push(`| ${r.label} | ${count(r.callbacks)} at ${r.rate}/s | **${r.status}**: ${r.error ?? ''} | | | | | | | | |`);
			continue;
		}
		const answers = Object.entries(r.answersByStatus).map(([status, n]) => `${n}× ${status}`).join(', ');
		const executions =
			r.kind === 'trigger'
				? `${r.executions} for ${r.executionTasksDistinct} of ${r.distinctTasks} tasks${r.executionTasksDuplicated ? `, ${r.executionTasksDuplicated} doubled` : ''}`
				: `${r.executions}`;
		const failed = r.executionsFailed ? `, **${r.executionsFailed} failed**` : '';
		lines.push(
			`| ${r.label} | ${count(r.callbacks)} at ${r.rate}/s | ${fmt(r.answerMs.p50, 0)} / ${fmt(r.answerMs.p99, 0)} | ${answers} | ${fmt(r.peakIncreaseMiB, 0)} | ${fmt(r.cpuSeconds)} | ${executions}${failed}${r.drainTimedOut ? ' (still running)' : ''} | ${count(r.getTaskResultCalls)} | ${r.isolatesAcquired ?? '—'} | ${r.readinessFailures} of ${r.readinessChecks} | ${(r.perRound ?? []).map((x) => `${fmt(x.p99, 0)} / ${fmt(x.peakIncreaseMiB, 0)} / ${x.readinessFailures}`).join('; ')} |`,
		);
	}
	return lines.join('\n');
}

function targets(results) {
	const find = (id) => results.find((r) => r.id === id && r.status === 'done');
	const checks = [];
	const webhook = find('webhook');
	const diy = find('diy');
	for (const id of ['trigger-summary', 'trigger-task']) {
		const trigger = find(id);
		if (!trigger) continue;
		if (webhook) {
			const ratio = trigger.answerMs.p99 / webhook.answerMs.p99;
			checks.push({ name: `${trigger.label}: answer p99 ≤ 2× the Webhook node’s (${trigger.rate}/s)`, met: ratio <= 2, measured: `${fmt(trigger.answerMs.p99, 0)} ms vs ${fmt(webhook.answerMs.p99, 0)} ms = ${fmt(ratio, 2)}×` });
		}
		if (diy) {
			const ratio = trigger.peakIncreaseMiB / diy.peakIncreaseMiB;
			checks.push({ name: `${trigger.label}: peak memory ≤ 2× the do-it-yourself workflow’s`, met: ratio <= 2, measured: `${fmt(trigger.peakIncreaseMiB, 0)} MiB vs ${fmt(diy.peakIncreaseMiB, 0)} MiB = ${fmt(ratio, 2)}×` });
		}
		checks.push(executionCheck(trigger));
	}
	const burst = find('trigger-summary-burst');
	if (burst) {
		const all = burst.answered === burst.callbacks && !burst.answersByStatus.timeout && !burst.answersByStatus.error;
		checks.push({ name: `${burst.label} at ${burst.rate}/s: every callback answered`, met: all, measured: Object.entries(burst.answersByStatus).map(([s, n]) => `${n}× ${s}`).join(', ') });
		const failures = (burst.perRound ?? [burst]).map((x) => x.readinessFailures);
		checks.push({
			name: `${burst.label} at ${burst.rate}/s: no readiness (database health) failure`,
			met: failures.every((n) => n === 0),
			measured: failures.length > 1 ? `${failures.join(' / ')} checks failed in the rounds (about one check a second)` : `${burst.readinessFailures} of ${burst.readinessChecks} checks failed`,
		});
		checks.push(executionCheck(burst));
	}
	return checks;
}

function executionCheck(r) {
	const met = r.executions === r.distinctTasks && r.executionTasksDistinct === r.distinctTasks && r.executionsFailed === 0;
	return {
		name: `${r.label} at ${r.rate}/s: executions = distinct tasks, none failed`,
		met,
		measured: `${r.executions} executions for ${r.executionTasksDistinct} of ${r.distinctTasks} tasks, ${r.executionsFailed} failed`,
	};
}

function report(run) {
	const m = run.machine;
	const parts = [
		`Run ${run.startedAt}${run.label ? ` (${run.label})` : ''}, total ${fmt(run.totalSeconds / 60, 1)} min. Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM; n8n ${m.n8n} on Node ${m.n8nNode}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
		`Callbacks for completed tasks of a ${count(run.options.rows)}-row report, ${Math.round(run.options.repeatShare * 100)} % of the tasks delivered twice; client timeout ${run.options.clientTimeout} s.` +
			(run.options.priority !== undefined ? ` The bench and n8n ran at niceness ${run.options.priority} (the machine was shared with other work).` : '') +
			(Object.keys(run.options.n8nEnv ?? {}).length ? ` n8n settings: ${Object.entries(run.options.n8nEnv).map(([k, v]) => `\`${k}=${v}\``).join(', ')}.` : ''),
		'',
		table(run.results),
		'',
		`${run.results[0]?.rounds > 1 ? `Figures are medians of ${run.results[0].rounds} rounds (each round a fresh n8n per workflow); answers, executions and readiness are those of the worst round. ` : ''}` +
			'Answer = from sending the callback to the end of n8n’s answer. Peak memory increase = n8n’s main process, from just before the load until its executions finished. ' +
			'Isolates acquired = n8n’s `n8n_expression_pool_acquired_total` during the load (expression sandboxes taken from or created for its pool). Readiness = `/healthz/readiness` polled every second.',
	];
	const checks = targets(run.results);
	if (checks.length) {
		parts.push('', '| Target | Measured | |', '|---|---|---|', ...checks.map((c) => `| ${c.name} | ${c.measured} | ${c.met ? 'met' : '**missed**'} |`));
	}
	const profiled = run.profiles ?? [];
	for (const r of profiled.filter((p) => p.profile)) {
		parts.push('', `CPU profile of “${r.label}” at ${r.rate}/s (${r.profileFile}; main thread, ${fmt(r.profile.busyMs / 1000)} s busy of ${fmt(r.profile.wallMs / 1000)} s):`, '');
		parts.push(
			'| Under frame | ms |',
			'|---|---:|',
			...Object.entries(r.profile.inclusive).map(([frame, ms]) => `| \`${frame}\` | ${count(ms)} |`),
			...Object.entries(r.profile.selfGroups ?? {}).map(([group, ms]) => `| ${group}, self | ${count(ms)} |`),
		);
	}
	return parts.join('\n');
}

function writeDocs(markdown, marker = 'trigger-load') {
	const start = `<!-- ${marker}:start -->`;
	const end = `<!-- ${marker}:end -->`;
	const text = fs.readFileSync(DOCS_FILE, 'utf8');
	const from = text.indexOf(start);
	const to = text.indexOf(end);
	if (from < 0 || to < from) throw new Error(`${DOCS_FILE} has no ${start} … ${end} block`);
	fs.writeFileSync(DOCS_FILE, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
}

/** Stores this run under "triggerLoad" (--results-key) in bench/results.json, next to bench/run.js's results. */
function writeResults(run) {
	const stored = fs.existsSync(RESULTS_FILE) ? JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) : {};
	const slim = (r) => ({
		...r,
		rssTimelineMiB: bench.downsample(r.rssTimelineMiB),
		perRound: r.perRound?.map((x) => ({ ...x, rssTimelineMiB: bench.downsample(x.rssTimelineMiB, 40) })),
	});
	stored[run.options.resultsKey] = { ...run, options: { ...run.options, only: run.options.only && [...run.options.only], profile: [...run.options.profile] }, results: run.results.map(slim), profiles: run.profiles?.map(slim) };
	fs.writeFileSync(RESULTS_FILE, `${bench.compactPairs(JSON.stringify(stored, null, '\t'))}\n`);
}

// ── main ───────────────────────────────────────────────────────────────────

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.fromResults) {
		const stored = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8'))[options.resultsKey];
		if (!stored) throw new Error(`bench/results.json has no "${options.resultsKey}" run yet`);
		const markdown = report(stored);
		process.stdout.write(`${markdown}\n`);
		if (options.writeDocs) writeDocs(markdown, options.docsBlock);
		return;
	}
	const started = Date.now();
	const ctx = { options, running: null };
	const log = (text) => process.stderr.write(`[load ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${text}\n`);
	process.on('exit', () => ctx.running?.killNow());
	process.on('SIGINT', () => {
		log('interrupted; stopping n8n');
		Promise.resolve(ctx.running?.stop(5000)).finally(() => process.exit(130));
	});

	// Children inherit the niceness of the thread that starts them.
	if (options.priority !== undefined) os.setPriority(options.priority);
	const install = await h.ensureN8n();
	ctx.install = install;
	ctx.workRoot = path.join(h.REPO, '.e2e-tmp', `load-${new Date(started).toISOString().replace(/[:.]/g, '-')}`);
	ctx.profileDir = path.join(ctx.workRoot, 'profiles');
	fs.mkdirSync(ctx.profileDir, { recursive: true });
	if (options.tarball) {
		const { stdout } = await h.runCommand('tar', ['-xzOf', options.tarball, 'package/package.json']);
		ctx.packed = { tarball: options.tarball, version: JSON.parse(stdout).version };
	} else {
		log(options.skipBuild ? 'packing the existing dist/' : 'building and packing the package');
		ctx.packed = await h.buildAndPack(path.join(ctx.workRoot, 'pack'), { build: !options.skipBuild });
	}

	const sandbox = await createSandbox({ port: 0 });
	ctx.sandbox = sandbox;
	sandbox.configure({ readyAfterPolls: 0, readyAfterMs: 0 });
	sandbox.addCampaign({ id: LOAD_CAMPAIGN, rows: options.rows });
	const list = scenarios(options);
	const most = Math.max(...list.map((s) => Math.round(s.callbacks / (1 + options.repeatShare))));
	ctx.tasks = await completedTasks(sandbox, most);

	const results = [];
	const profiles = [];
	const runs = [];
	const run = { startedAt: new Date(started).toISOString(), label: options.label, options, machine: bench.machine(install), results, profiles };
	const rounds = Math.max(1, Math.floor(options.rounds));
	try {
		for (let round = 1; round <= rounds; round++) {
			for (const scenario of round % 2 ? list : [...list].reverse()) {
				log(`round ${round}/${rounds}, ${scenario.id}: ${scenario.label}, ${scenario.callbacks} callbacks at ${scenario.rate}/s — fresh n8n`);
				const result = { ...(await runScenario(ctx, scenario)), round };
				runs.push(result);
				log(
					`${scenario.id}: ${result.status}${result.error ? ` (${result.error})` : ''}; p50/p99 ${fmt(result.answerMs?.p50, 0)}/${fmt(result.answerMs?.p99, 0)} ms; ` +
						`peak +${fmt(result.peakIncreaseMiB, 0)} MiB; executions ${result.executions} (${result.executionsFailed} failed); answers ${JSON.stringify(result.answersByStatus)}`,
				);
				results.splice(0, results.length, ...combineRounds(list, runs));
				writeResults({ ...run, totalSeconds: (Date.now() - started) / 1000, partial: true });
			}
		}
		for (const scenario of list.filter((s) => options.profile.has(s.id))) {
			log(`${scenario.id}: again with a CPU profile`);
			profiles.push(await runScenario(ctx, scenario, { profile: true }));
		}
	} finally {
		await sandbox.close();
	}
	run.totalSeconds = (Date.now() - started) / 1000;
	writeResults(run);
	const markdown = report(run);
	process.stdout.write(`${markdown}\n`);
	if (options.writeDocs) writeDocs(markdown, options.docsBlock);
	if (!options.keep) {
		// Profiles are kept; the n8n user folders are not.
		fs.rmSync(path.join(ctx.workRoot, 'pack'), { recursive: true, force: true });
		if (!profiles.length) fs.rmSync(ctx.workRoot, { recursive: true, force: true });
	}
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exitCode = 1;
	});
}

module.exports = { callbackPlan, parseArgs, percentile };
