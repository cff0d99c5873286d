#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: the report parser micro-benchmark, then million-row delivery reports in a
 * real n8n — the Selzy node's outputs against the do-it-yourself workflow of core n8n nodes.
 *
 *   node bench/run.js [--rows 1000000] [--big-rows 4000000] [--diy-filter-rows N]
 *                     [--diy-small-rows N] [--only a,b,c,d,e-c-small,e-c,e-d,a-big,b-big]
 *                     [--skip-diy] [--skip-parser]
 *                     [--repeat 3] [--timeout-min 15] [--diy-timeout-min 30]
 *                     [--fields 101,104] [--skip-build | --tarball n8n-nodes-selzy-x.y.z.tgz]
 *                     [--keep] [--write-docs]
 *   node bench/run.js --from-results [--write-docs]   (tables again from bench/results.json)
 *
 * Every n8n scenario gets a fresh n8n process and user folder (filesystem binary data mode,
 * SQLite), a warm-up execution of the same workflow on a 1,000-row campaign, then the measured
 * execution(s) — up to --repeat runs while a run takes under 30 s. Per scenario:
 *  - wall time: the execution record's stoppedAt − startedAt (median over the runs), and the
 *    time until n8n reports the execution finished, which includes saving its data;
 *  - peak RSS increase of n8n's main process: VmHWM after the run − VmRSS right before it,
 *    with the high-water mark reset (/proc/<pid>/clear_refs) just before the run, backed by
 *    100 ms samples; the samples also give the part reached before stoppedAt. The other
 *    processes of n8n's process group (the task runner) are sampled too;
 *  - CPU seconds n8n's main process spent on the run (the machine may be shared);
 *  - the output item count, checked against the sandbox's ground truth after n8n stopped.
 * The Selzy sandbox runs inside this process, so its memory is not n8n's.
 * Prints Markdown tables, writes bench/results.json; --write-docs also replaces the generated
 * block of docs/performance.md. MB = 2^20 bytes for memory, 10^6 bytes for file sizes.
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('../test/tooling');
const { createSandbox } = require('../test/sandbox/server');

const REPO = h.REPO;
const RESULTS_FILE = path.join(__dirname, 'results.json');
const DOCS_FILE = path.join(REPO, 'docs', 'performance.md');
const OWNER = { email: 'bench-owner@example.com', password: 'Bench-Owner-Passw0rd', firstName: 'Bench', lastName: 'Owner' };
const ACTION = 'n8n-nodes-selzy.selzy';
const WARMUP_CAMPAIGN = 1002; // 1,000 rows, seeded by the sandbox
const MAIN_CAMPAIGN = 9001;
const BIG_CAMPAIGN = 9004;
const DIY_FILTER_CAMPAIGN = 9010; // used when --diy-filter-rows differs from --rows
const DIY_SMALL_CAMPAIGN = 9011;
const MIB = 1024 * 1024;

// ── options ────────────────────────────────────────────────────────────────

function parseArgs(argv) {
	const options = {
		rows: 1_000_000,
		bigRows: 4_000_000,
		diyFilterRows: undefined,
		diySmallRows: undefined,
		only: null,
		skipDiy: false,
		skipParser: false,
		repeat: 3,
		timeoutMin: 15,
		diyTimeoutMin: 30,
		fields: [101, 104],
		skipBuild: false,
		tarball: undefined,
		keep: false,
		writeDocs: false,
		fromResults: false,
	};
	const numeric = { '--rows': 'rows', '--big-rows': 'bigRows', '--diy-filter-rows': 'diyFilterRows', '--diy-small-rows': 'diySmallRows', '--repeat': 'repeat', '--timeout-min': 'timeoutMin', '--diy-timeout-min': 'diyTimeoutMin' };
	const flags = { '--from-results': 'fromResults', '--skip-diy': 'skipDiy', '--skip-parser': 'skipParser', '--skip-build': 'skipBuild', '--keep': 'keep', '--write-docs': 'writeDocs' };
	for (let i = 0; i < argv.length; i++) {
		let [name, value] = argv[i].split('=', 2);
		const takeValue = () => {
			if (value === undefined) value = argv[++i];
			if (value === undefined) throw new Error(`${name} needs a value`);
			return value;
		};
		if (name in numeric) {
			const number = Number(takeValue().replace(/_/g, ''));
			if (!Number.isFinite(number) || number < 0) throw new Error(`${name}: not a number: ${value}`);
			options[numeric[name]] = number;
		} else if (name in flags) options[flags[name]] = true;
		else if (name === '--only') options.only = new Set(takeValue().split(',').map((id) => id.trim()).filter(Boolean));
		else if (name === '--tarball') options.tarball = path.resolve(takeValue());
		else if (name === '--fields') options.fields = takeValue().split(',').filter(Boolean).map(Number);
		else if (name === '--help' || name === '-h') {
			process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
			process.exit(0);
		} else throw new Error(`unknown option ${name}; see node bench/run.js --help`);
	}
	options.diyFilterRows ??= options.rows;
	options.diySmallRows ??= options.rows >= 200_000 ? Math.round(options.rows / 10) : 0;
	options.repeat = Math.max(1, Math.floor(options.repeat));
	return options;
}

// ── /proc readings ─────────────────────────────────────────────────────────

function procStatus(pid) {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
		return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
	} catch {
		return null;
	}
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
	} catch {
		return NaN;
	}
}

/** Processes in a process group other than its leader: pid → command line. */
function groupMembers(pgid) {
	const members = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === pgid) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) !== pgid) continue;
			const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
			members.set(Number(entry), cmd.map((part) => path.basename(part)).slice(0, 3).join(' '));
		} catch {
			// gone meanwhile
		}
	}
	return members;
}

/** Resets a process's peak RSS (VmHWM) to its current RSS; false when the kernel refuses. */
function resetPeak(pid) {
	try {
		fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

/**
 * Samples RSS every `everyMs`: the main process (kept, to split the peak into the execution
 * and what follows it) and, every 5th sample, the other processes of n8n's group, so that a
 * helper process that starts and ends during the run is seen too.
 */
function startSampler(pid, everyMs = 100) {
	const started = Date.now();
	const samples = [];
	const others = new Map(); // pid → { command, maxRss }
	let tick = 0;
	const timer = setInterval(() => {
		const status = procStatus(pid);
		if (status) samples.push([Date.now() - started, status.rss]);
		if (tick++ % 5 !== 0) return;
		for (const [member, command] of groupMembers(pid)) {
			const memberStatus = procStatus(member);
			if (!memberStatus) continue;
			const known = others.get(member) ?? { command, maxRss: 0 };
			known.maxRss = Math.max(known.maxRss, memberStatus.rss);
			others.set(member, known);
		}
	}, everyMs);
	timer.unref();
	return {
		started,
		stop() {
			clearInterval(timer);
			const timeline = [];
			let lastKept = -Infinity;
			for (const [at, rss] of samples) {
				if (at - lastKept < 250) continue;
				timeline.push([Math.round(at / 100) / 10, Math.round(rss / MIB)]);
				lastKept = at;
			}
			const maxBetween = (from, to) => samples.reduce((max, [at, rss]) => (at >= from && at <= to ? Math.max(max, rss) : max), 0);
			return { maxSampledRss: maxBetween(0, Infinity), maxBetween, timeline, others };
		},
	};
}

// ── workflows ──────────────────────────────────────────────────────────────

const node = (name, type, typeVersion, position, parameters, extra = {}) => ({
	id: crypto.randomUUID(),
	name,
	type,
	typeVersion,
	position,
	parameters,
	...extra,
});
const manualTrigger = () => node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, [0, 0], {});
const link = (to, index = 0) => ({ node: to, type: 'main', index });

function selzyWorkflow(name, { campaignId, output, statusGroups, fields, credential }) {
	const options = { pollInterval: 1, timeout: 10, additionalFields: fields.map(String) };
	if (statusGroups) options.statusGroups = statusGroups;
	return {
		name,
		nodes: [
			manualTrigger(),
			node(
				'Selzy',
				ACTION,
				1,
				[240, 0],
				{
					resource: 'campaign',
					operation: 'getDeliveryReport',
					campaignId: { __rl: true, mode: 'id', value: String(campaignId) },
					waitMode: 'poll',
					output,
					options,
				},
				{ credentials: { selzyApi: { id: credential.id, name: credential.name } } },
			),
		],
		connections: { 'Manual Trigger': { main: [[link('Selzy')]] } },
		lastNode: 'Selzy',
	};
}

/** Picks the newest version of a node type that n8n offers and that we know how to configure. */
function versionOf(nodeTypes, type, known) {
	const offered = new Set(
		nodeTypes.filter((t) => t.name === type).flatMap((t) => (Array.isArray(t.version) ? t.version : [t.version])),
	);
	const usable = known.filter((version) => offered.has(version));
	if (usable.length === 0) throw new Error(`n8n offers ${type} in versions ${[...offered].join(', ')}; this script knows ${known.join(', ')}`);
	return Math.max(...usable);
}

function condition(leftValue, rightValue, operation, filterVersion) {
	return {
		options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: filterVersion },
		combinator: 'and',
		conditions: [{ id: crypto.randomUUID(), leftValue, rightValue, operator: { type: 'string', operation } }],
	};
}

/**
 * The do-it-yourself workflow: request the report, wait, ask for the task, loop until it is
 * completed, download the file, extract the CSV and (optionally) filter hard bounces.
 */
function diyWorkflow(name, { campaignId, fields, hardBounceCodes, withFilter, sandbox, nodeTypes }) {
	const http = versionOf(nodeTypes, 'n8n-nodes-base.httpRequest', [4.2, 4.3, 4.4, 4.5]);
	const wait = versionOf(nodeTypes, 'n8n-nodes-base.wait', [1.1]);
	const ifVersion = versionOf(nodeTypes, 'n8n-nodes-base.if', [2.2, 2.3]);
	const extract = versionOf(nodeTypes, 'n8n-nodes-base.extractFromFile', [1, 1.1]);
	const filter = versionOf(nodeTypes, 'n8n-nodes-base.filter', [2.2, 2.3]);
	const conditionsVersion = (version) => (version >= 2.3 ? 3 : 2);
	const form = (pairs) => ({
		sendBody: true,
		contentType: 'form-urlencoded',
		specifyBody: 'keypair',
		bodyParameters: { parameters: pairs.map(([n, value]) => ({ name: n, value })) },
	});
	const api = (method) => `${sandbox.url}/en/api/${method}`;
	const nodes = [
		manualTrigger(),
		node('Start Report', 'n8n-nodes-base.httpRequest', http, [220, 0], {
			method: 'POST',
			url: api('async/getCampaignDeliveryStats'),
			...form([['api_key', sandbox.apiKey], ['campaign_id', String(campaignId)], ...fields.map((id) => ['field_ids[]', String(id)])]),
			options: {},
		}),
		node('Wait', 'n8n-nodes-base.wait', wait, [440, 0], { resume: 'timeInterval', amount: 1, unit: 'seconds' }),
		node('Get Task', 'n8n-nodes-base.httpRequest', http, [660, 0], {
			method: 'POST',
			url: api('async/getTaskResult'),
			...form([['api_key', sandbox.apiKey], ['task_uuid', '={{ $json.result.task_uuid }}']]),
			options: {},
		}),
		node('Completed?', 'n8n-nodes-base.if', ifVersion, [880, 0], {
			conditions: condition('={{ $json.result.status }}', 'completed', 'equals', conditionsVersion(ifVersion)),
			options: {},
		}),
		node('Download', 'n8n-nodes-base.httpRequest', http, [1100, -100], {
			url: '={{ $json.result.file_to_download }}',
			options: { response: { response: { responseFormat: 'file' } } },
		}),
		node('Extract CSV', 'n8n-nodes-base.extractFromFile', extract, [1320, -100], { operation: 'csv', options: {} }),
	];
	const connections = {
		'Manual Trigger': { main: [[link('Start Report')]] },
		'Start Report': { main: [[link('Wait')]] },
		Wait: { main: [[link('Get Task')]] },
		'Get Task': { main: [[link('Completed?')]] },
		'Completed?': { main: [[link('Download')], [link('Wait')]] },
		Download: { main: [[link('Extract CSV')]] },
	};
	let lastNode = 'Extract CSV';
	if (withFilter) {
		const pattern = `^(${hardBounceCodes.join('|')})$`;
		nodes.push(
			node('Hard Bounces', 'n8n-nodes-base.filter', filter, [1540, -100], {
				conditions: condition('={{ $json.send_result }}', pattern, 'regex', conditionsVersion(filter)),
				options: {},
			}),
		);
		connections['Extract CSV'] = { main: [[link('Hard Bounces')]] };
		lastNode = 'Hard Bounces';
	}
	return {
		name,
		nodes,
		connections,
		lastNode,
		versions: { httpRequest: http, wait, if: ifVersion, extractFromFile: extract, filter: withFilter ? filter : undefined },
	};
}

// ── scenarios ──────────────────────────────────────────────────────────────

function scenarios(options) {
	const { rows, bigRows, diyFilterRows } = options;
	const list = [
		{ id: 'a', label: 'Selzy node, output File', kind: 'selzy', output: 'file', rows, campaignId: MAIN_CAMPAIGN },
		{ id: 'b', label: 'Selzy node, output Summary', kind: 'selzy', output: 'summary', rows, campaignId: MAIN_CAMPAIGN },
		{ id: 'c', label: 'Selzy node, Rows, Status Groups = Hard Bounce', kind: 'selzy', output: 'rows', filter: true, rows, campaignId: MAIN_CAMPAIGN },
		{ id: 'd', label: 'Selzy node, Rows, no filter', kind: 'selzy', output: 'rows', rows, campaignId: MAIN_CAMPAIGN },
		{
			id: 'e-c',
			label: 'DIY: HTTP → Wait → HTTP → IF → HTTP (file) → Extract From File → Filter',
			kind: 'diy',
			filter: true,
			rows: diyFilterRows,
			campaignId: diyFilterRows === rows ? MAIN_CAMPAIGN : DIY_FILTER_CAMPAIGN,
			diy: true,
		},
		{ id: 'e-d', label: 'DIY: HTTP → Wait → HTTP → IF → HTTP (file) → Extract From File', kind: 'diy', rows, campaignId: MAIN_CAMPAIGN, diy: true },
	];
	if (options.diySmallRows > 0) {
		// The same DIY-with-Filter workflow on a tenth of the report: a finished run even if the
		// full-size one runs out of memory or time, and a look at how its cost scales.
		list.splice(list.findIndex((s) => s.id === 'e-c'), 0, {
			id: 'e-c-small',
			label: 'DIY with Filter (as e-c), smaller report',
			kind: 'diy',
			filter: true,
			rows: options.diySmallRows,
			campaignId: DIY_SMALL_CAMPAIGN,
			diy: true,
		});
	}
	if (bigRows > 0) {
		list.push(
			{ id: 'a-big', label: 'Selzy node, output File', kind: 'selzy', output: 'file', rows: bigRows, campaignId: BIG_CAMPAIGN },
			{ id: 'b-big', label: 'Selzy node, output Summary', kind: 'selzy', output: 'summary', rows: bigRows, campaignId: BIG_CAMPAIGN },
		);
	}
	return list.filter((s) => (!options.only || options.only.has(s.id)) && !(options.skipDiy && s.diy));
}

// ── one scenario in a fresh n8n ────────────────────────────────────────────

async function runScenario(ctx, scenario) {
	const { options, sandbox, install, packed } = ctx;
	const workDir = path.join(ctx.workRoot, scenario.id);
	const userFolder = path.join(workDir, 'user');
	const logFile = path.join(workDir, 'n8n.log');
	fs.rmSync(workDir, { recursive: true, force: true });
	fs.mkdirSync(workDir, { recursive: true });
	await h.installPackage(userFolder, packed);

	const result = { id: scenario.id, label: scenario.label, kind: scenario.kind, output: scenario.output ?? 'items', filter: Boolean(scenario.filter), rows: scenario.rows };
	let toVerify;
	const n8n = await h.startN8n({ install, userFolder, logFile, env: { N8N_LOG_LEVEL: 'info' } });
	ctx.running = n8n;
	try {
		const client = new h.N8nClient(n8n.url);
		await client.ownerLogin(OWNER);
		await client.createApiKey('bench');
		const nodeTypes = await client.nodeTypes();
		if (!nodeTypes.some((t) => t.name === ACTION)) throw new Error(`n8n did not load ${ACTION}; log tail:\n${h.tailOf(logFile)}`);
		const credential = await client.createCredential({
			name: 'Selzy sandbox',
			type: 'selzyApi',
			data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, language: 'en' },
		});

		const build = (campaignId, name) =>
			scenario.kind === 'selzy'
				? selzyWorkflow(name, {
						campaignId,
						output: scenario.output,
						statusGroups: scenario.filter ? ['hard_bounce'] : undefined,
						fields: options.fields,
						credential,
					})
				: diyWorkflow(name, {
						campaignId,
						fields: options.fields,
						hardBounceCodes: ctx.hardBounceCodes,
						withFilter: scenario.filter,
						sandbox,
						nodeTypes,
					});
		const warmupSpec = build(WARMUP_CAMPAIGN, `bench ${scenario.id} warm-up`);
		const measuredSpec = build(scenario.campaignId, `bench ${scenario.id}`);
		if (measuredSpec.versions) result.nodeVersions = measuredSpec.versions;
		const warmup = await client.createWorkflow(warmupSpec);
		const measured = await client.createWorkflow(measuredSpec);

		// Warm-up: loads the node code and n8n's lazily built parts, so the measurement is the run itself.
		const warm = await runOnce(ctx, n8n, client, warmup.id, 5 * 60_000);
		if (warm.status !== 'success') throw new Error(`warm-up execution ended ${warm.status}: ${warm.error ?? ''}`);

		const timeoutMs = (scenario.kind === 'diy' && scenario.filter ? options.diyTimeoutMin : options.timeoutMin) * 60_000;
		const runs = [];
		for (let attempt = 0; attempt < options.repeat; attempt++) {
			await h.sleep(3000); // let n8n settle (execution save, timers)
			const run = await runOnce(ctx, n8n, client, measured.id, timeoutMs, { measure: true });
			runs.push(run);
			if (run.status !== 'success') break;
			// Repeat only quick scenarios: the slow ones are far from any ratio that noise could flip.
			if (run.wallSeconds > 30) break;
		}
		summarizeRuns(result, runs);
		if (runs[0]?.status === 'success') toVerify = { run: runs[0], lastNode: measuredSpec.lastNode };
	} catch (error) {
		result.status = result.status ?? 'error';
		result.error = String(error.message).split('\n')[0].slice(0, 300);
	} finally {
		const exited = n8n.exited;
		if (exited) result.n8nExit = exited;
		if (exited || result.status !== 'success') result.logTail = h.tailOf(logFile, 15).split('\n');
		if (/heap out of memory|Allocation failed/i.test(h.tailOf(logFile, 200))) result.outOfMemory = true;
		await n8n.stop();
		ctx.running = null;
	}
	if (toVerify) Object.assign(result, await verify(ctx, scenario, toVerify.run, toVerify.lastNode, userFolder));
	result.reportBytes = (await ctx.truth(scenario).file()).size;
	if (!options.keep) fs.rmSync(workDir, { recursive: true, force: true });
	return result;
}

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

async function executionError(client, executionId) {
	try {
		const { data } = await client.rest('GET', `/executions/${executionId}`);
		const text = typeof data === 'string' ? data : JSON.stringify(data);
		const message = /"message":"((?:[^"\\]|\\.){1,300})/.exec(text)?.[1];
		return message ?? 'no error message';
	} catch (error) {
		return `could not read the execution: ${error.message}`;
	}
}

/**
 * Checks the first measured run's output against the sandbox's ground truth, reading n8n's
 * database after n8n has stopped (bench/read-execution.js, on n8n's Node), so that loading a
 * million-item execution neither costs n8n memory nor needs n8n's API to serve it.
 */
async function verify(ctx, scenario, run, lastNode, userFolder) {
	const check = {};
	try {
		const database = path.join(userFolder, '.n8n', 'database.sqlite');
		const { stdout } = await h.runCommand(
			path.join(ctx.install.nodeBinDir, 'node'),
			['--max-old-space-size=8192', '--no-warnings', path.join(__dirname, 'read-execution.js'), database, run.executionId, lastNode],
		);
		const { items, first } = JSON.parse(stdout);
		check.outputItems = items;
		const truth = ctx.truth(scenario);
		check.expectedItems = truth.items;
		if (scenario.output === 'summary') {
			check.summaryTotal = first?.json?.total;
			check.expectedTotal = truth.total;
		}
		if (scenario.output === 'file') {
			const binary = first?.binary?.data;
			const [mode, relative] = String(binary?.id).split(':');
			const file = path.join(userFolder, '.n8n', 'storage', relative);
			check.binaryMode = mode;
			check.fileBytes = fs.statSync(file).size;
			check.fileSha256 = await sha256File(file);
			const expected = await truth.file();
			check.expectedFileBytes = expected.size;
			check.fileMatches = expected.size === check.fileBytes && expected.sha256 === check.fileSha256;
		}
		if (scenario.kind === 'selzy' && scenario.output === 'rows' && first) {
			check.firstItem = first.json;
		}
		check.verified =
			check.outputItems === check.expectedItems &&
			(scenario.output !== 'summary' || check.summaryTotal === check.expectedTotal) &&
			(scenario.output !== 'file' || check.fileMatches === true);
	} catch (error) {
		check.verified = false;
		check.verifyError = String(error.message).split('\n').slice(0, 3).join(' ').slice(0, 300);
	}
	return check;
}

function sha256File(file) {
	return new Promise((resolve, reject) => {
		const hash = crypto.createHash('sha256');
		fs.createReadStream(file)
			.on('data', (chunk) => hash.update(chunk))
			.on('error', reject)
			.on('end', () => resolve(hash.digest('hex')));
	});
}

function summarizeRuns(result, runs) {
	result.runs = runs;
	const ok = runs.filter((run) => run.status === 'success');
	const failed = runs.find((run) => run.status !== 'success');
	result.status = failed ? failed.status : 'success';
	if (failed) result.error = failed.error;
	const timed = ok.length ? ok : runs.filter((run) => run.wallSeconds !== undefined);
	result.wallSeconds = timed.length ? median(timed.map((run) => run.wallSeconds)) : undefined;
	result.observedSeconds = runs.length ? median(runs.map((run) => run.observedSeconds)) : undefined;
	result.cpuSeconds = runs.length ? median(runs.map((run) => run.cpuSeconds)) : undefined;
	const increases = runs.map((run) => run.peakIncreaseMiB).filter(Number.isFinite);
	result.peakIncreaseMiB = increases.length ? Math.max(...increases) : undefined;
	result.firstRunPeakIncreaseMiB = runs[0]?.peakIncreaseMiB;
	result.medianPeakIncreaseMiB = median(increases);
	const during = runs.map((run) => run.peakIncreaseDuringExecutionMiB).filter(Number.isFinite);
	result.peakIncreaseDuringExecutionMiB = during.length ? Math.max(...during) : undefined;
	result.baselineRssMiB = runs[0]?.baselineRssMiB;
	const otherIncreases = runs.flatMap((run) => run.otherProcesses ?? []).map((p) => p.peakIncreaseMiB);
	result.otherProcessesPeakIncreaseMiB = otherIncreases.length ? Math.max(...otherIncreases) : 0;
}

// ── parser benchmark ───────────────────────────────────────────────────────

function runParserBench() {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'parser.js')], {
			cwd: REPO,
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code !== 0) return reject(new Error(`bench/parser.js exited with ${code}`));
			resolve({ table: out.trim(), ...JSON.parse(fs.readFileSync(path.join(__dirname, 'parser-results.json'), 'utf8')) });
		});
	});
}

// ── reporting ──────────────────────────────────────────────────────────────

const round = (value, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : undefined);
const mib = (bytes) => round(bytes / MIB, 1);
const median = (values) => {
	const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
	if (!sorted.length) return undefined;
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const count = (value) => (Number.isFinite(value) ? value.toLocaleString('en-US') : '—');

function scenarioTable(results) {
	const lines = [
		'| | Workflow | Rows | Result | Output items | Wall (s) | Wall per run (s) | Until saved (s) | n8n CPU (s) | Peak RSS Δ (MiB) | Δ per run (MiB) | …of it before stoppedAt (MiB) | Idle RSS (MiB) | Task runner Δ (MiB) |',
		'|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const r of results) {
		const items =
			r.outputItems === undefined
				? '—'
				: `${count(r.outputItems)}${r.verified ? ' ✓' : r.expectedItems !== undefined ? ` (expected ${count(r.expectedItems)})` : ''}`;
		const outcome =
			r.status === 'success'
				? 'finished'
				: `**${r.status}**${r.outOfMemory ? ' (out of memory)' : ''}${r.error ? `: ${r.error.slice(0, 80)}` : ''}`;
		const perRun = (key) => (r.runs ?? []).map((run) => fmt(run[key])).join(' / ') || '—';
		lines.push(
			`| ${r.id} | ${r.label} | ${count(r.rows)} | ${outcome} | ${items} | ${fmt(r.wallSeconds)} | ${perRun('wallSeconds')} | ${fmt(r.observedSeconds)} | ${fmt(r.cpuSeconds)} | ${fmt(r.peakIncreaseMiB)} | ${perRun('peakIncreaseMiB')} | ${fmt(r.peakIncreaseDuringExecutionMiB)} | ${fmt(r.baselineRssMiB, 0)} | ${fmt(r.otherProcessesPeakIncreaseMiB)} |`,
		);
	}
	return lines.join('\n');
}

function evaluateTargets(parser, results, options) {
	const by = Object.fromEntries(results.map((r) => [r.id, r]));
	const targets = [];
	const add = (name, met, measured) => targets.push({ name, met, measured });
	const ok = (r) => r && r.status === 'success';

	if (parser) {
		const ours = parser.results.filter((r) => r.contender === 'this package (batches)');
		const worst = Math.min(...ours.map((r) => r.timesCsvParse));
		add('Parser ≥ 3× csv-parse', worst >= 3, ours.map((r) => `${r.timesCsvParse}× at ${count(r.rows)} rows`).join(', '));
	}
	for (const id of ['a', 'b']) {
		const small = by[id];
		const big = by[`${id}-big`];
		if (!small && !big) continue;
		const cases = [small, big].filter(Boolean);
		const worst = Math.max(...cases.map((r) => r.peakIncreaseMiB ?? Infinity));
		add(
			`(${id}) peak memory increase ≤ 64 MiB (largest of the runs)`,
			cases.every(ok) && worst <= 64,
			cases
				.map((r) => `${fmt(r.peakIncreaseMiB)} MiB at ${count(r.rows)} rows${ok(r) ? '' : ` (${r.status})`} (runs ${(r.runs ?? []).map((run) => fmt(run.peakIncreaseMiB)).join(' / ')})`)
				.join(', '),
		);
		if (small && big && ok(small) && ok(big)) {
			// Flat: neither the fresh-process (first) run nor the typical (median) run grows with a
			// report 4× the size.
			const growth = Math.max(big.firstRunPeakIncreaseMiB - small.firstRunPeakIncreaseMiB, big.medianPeakIncreaseMiB - small.medianPeakIncreaseMiB);
			add(
				`(${id}) memory the same at ${count(small.rows)} and ${count(big.rows)} rows (grows < 16 MiB)`,
				growth < 16,
				`first run ${fmt(small.firstRunPeakIncreaseMiB)} → ${fmt(big.firstRunPeakIncreaseMiB)} MiB, median ${fmt(small.medianPeakIncreaseMiB)} → ${fmt(big.medianPeakIncreaseMiB)} MiB, while the report grew ${fmt(small.reportBytes / 1e6, 0)} → ${fmt(big.reportBytes / 1e6, 0)} MB and wall time ${fmt(small.wallSeconds)} → ${fmt(big.wallSeconds)} s`,
			);
		}
	}
	for (const [b, a] of [['b', 'a'], ['b-big', 'a-big']]) {
		if (ok(by[a]) && ok(by[b])) {
			const ratio = by[b].wallSeconds / by[a].wallSeconds;
			add(`(${b}) Summary wall time ≤ 1.5× (${a}) File`, ratio <= 1.5, `${fmt(by[b].wallSeconds)} s vs ${fmt(by[a].wallSeconds)} s = ${fmt(ratio, 2)}×`);
		}
	}
	const c = by.c;
	const compareC = (diyC, extrapolated) => {
		const scale = c.rows / diyC.rows;
		const label = extrapolated ? ` — DIY measured at ${count(diyC.rows)} rows, scaled ×${fmt(scale, 0)} (extrapolation)` : '';
		if (ok(diyC)) {
			const speed = (diyC.wallSeconds * scale) / c.wallSeconds;
			const memory = c.peakIncreaseMiB / (diyC.peakIncreaseMiB * scale);
			add(`(c) ≥ 50× faster than DIY with Filter${label}`, speed >= 50, `${fmt(c.wallSeconds)} s vs ${fmt(diyC.wallSeconds * scale)} s = ${fmt(speed, 0)}×`);
			add(`(c) ≤ 1/10 of DIY-with-Filter memory increase${label}`, memory <= 0.1, `${fmt(c.peakIncreaseMiB)} MiB vs ${fmt(diyC.peakIncreaseMiB * scale)} MiB = ${memory < 1 ? `1/${fmt(1 / memory, 0)}` : `${fmt(memory, 2)}×`}`);
			return;
		}
		// DIY did not finish: what it used until it stopped is a lower bound.
		const bound = diyC.observedSeconds ?? 0;
		const why = `${diyC.status}${diyC.outOfMemory ? ', out of memory' : ''}`;
		add(`(c) ≥ 50× faster than DIY with Filter${label}`, bound / c.wallSeconds >= 50, `DIY did not finish (${why}) after ${fmt(bound)} s: ≥ ${fmt(bound / c.wallSeconds, 0)}× the Selzy node's ${fmt(c.wallSeconds)} s`);
		add(
			`(c) ≤ 1/10 of DIY-with-Filter memory increase${label}`,
			Number.isFinite(diyC.peakIncreaseMiB) && c.peakIncreaseMiB <= diyC.peakIncreaseMiB * 0.1,
			`${fmt(c.peakIncreaseMiB)} MiB vs ≥ ${fmt(diyC.peakIncreaseMiB)} MiB reached before DIY stopped (${why})`,
		);
	};
	if (ok(c) && by['e-c']) compareC(by['e-c'], by['e-c'].rows !== c.rows);
	if (ok(c) && by['e-c-small'] && (!by['e-c'] || !ok(by['e-c']) || by['e-c'].rows !== c.rows)) compareC(by['e-c-small'], true);
	const d = by.d;
	const diyD = by['e-d'];
	if (d && diyD) {
		if (ok(d) && ok(diyD)) {
			add('(d) Rows without filter: time no worse than DIY', d.wallSeconds <= diyD.wallSeconds, `${fmt(d.wallSeconds)} s vs ${fmt(diyD.wallSeconds)} s = ${fmt(d.wallSeconds / diyD.wallSeconds, 2)}×`);
			add('(d) Rows without filter: memory no worse than DIY', d.peakIncreaseMiB <= diyD.peakIncreaseMiB, `${fmt(d.peakIncreaseMiB)} MiB vs ${fmt(diyD.peakIncreaseMiB)} MiB = ${fmt(d.peakIncreaseMiB / diyD.peakIncreaseMiB, 2)}×`);
		} else {
			add('(d) Rows without filter: no worse than DIY', ok(d) && !ok(diyD), `Selzy node ${d.status}, DIY ${diyD.status}`);
		}
	}
	return targets;
}

function targetTable(targets) {
	return [
		'| Target | Measured | |',
		'|---|---|---|',
		...targets.map((t) => `| ${t.name} | ${t.measured} | ${t.met ? 'met' : '**missed**'} |`),
	].join('\n');
}

function machine(install) {
	return {
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model,
		memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
		benchNode: process.version,
		n8nNode: install ? readNodeVersion(install) : undefined,
		n8n: install?.version,
		os: `${os.type()} ${os.release()}`,
		loadAverageAtStart: os.loadavg().map((value) => round(value, 2)),
	};
}

function readNodeVersion(install) {
	try {
		const pkg = JSON.parse(fs.readFileSync(path.join(install.nodeBinDir, '..', 'package.json'), 'utf8'));
		return `v${pkg.version}`;
	} catch {
		return undefined;
	}
}

function report(all) {
	const { machine: m, options, parser, results, targets, totalSeconds } = all;
	const parts = [
		`Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.os}; bench on Node ${m.benchNode}, n8n ${m.n8n ?? '—'} on Node ${m.n8nNode ?? '—'}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
		`Run ${all.startedAt}, total ${fmt(totalSeconds / 60, 1)} min. Report: email, send_result, last_update + fields ${options.fields.join(', ')}.`,
	];
	if (parser) parts.push('', '### Parser (bench/parser.js)', '', parserTable(parser));
	if (results.length) {
		parts.push(
			'',
			'### In n8n',
			'',
			scenarioTable(results),
			'',
			'Wall = the execution record’s stoppedAt − startedAt (median of the runs); Until saved = from the run request until n8n reports the execution finished, data saved (1 s polling). ' +
				'Peak RSS Δ = n8n main process: peak RSS during the run − RSS just before it (largest of the runs); “before stoppedAt” = the part of it reached while the workflow ran, the rest is n8n serialising and saving the execution data. ' +
				'Task runner Δ = the same for the other processes of n8n’s process group. n8n CPU = CPU seconds of n8n’s main process (median). ✓ = output count (and file hash, summary total) checked against the sandbox’s ground truth.',
		);
		const sizes = results.filter((r) => r.reportBytes).map((r) => `${count(r.rows)} rows = ${fmt(r.reportBytes / 1e6, 1)} MB`);
		if (sizes.length) parts.push('', `Report file sizes: ${[...new Set(sizes)].join(', ')}.`);
	}
	if (targets.length) parts.push('', '### Targets', '', targetTable(targets));
	return parts.join('\n');
}

/** bench/parser.js's figures with both ratios: against csv-parse, and against the raw byte scan (the floor). */
function parserTable(parser) {
	const lines = [
		`Node ${parser.node}, median of ${parser.runs} runs, ${parser.chunkBytes / 1024} KiB chunks; MB = 10^6 bytes.`,
		'',
		'| Rows | Size (MB) | Reader | Median (s) | MB/s | Rows/s | × csv-parse | × raw scan |',
		'|---:|---:|---|---:|---:|---:|---:|---:|',
	];
	for (const r of parser.results) {
		const raw = parser.results.find((other) => other.rows === r.rows && other.contender.startsWith('raw'));
		lines.push(
			`| ${count(r.rows)} | ${r.megabytes} | ${r.contender} | ${r.medianSeconds} | ${r.megabytesPerSecond} | ${count(r.rowsPerSecond)} | ${fmt(r.timesCsvParse, 2)} | ${fmt(raw.medianSeconds / r.medianSeconds, 2)} |`,
		);
	}
	return lines.join('\n');
}

function writeDocs(markdown) {
	const start = '<!-- bench:start -->';
	const end = '<!-- bench:end -->';
	const text = fs.readFileSync(DOCS_FILE, 'utf8');
	const from = text.indexOf(start);
	const to = text.indexOf(end);
	if (from < 0 || to < from) throw new Error(`${DOCS_FILE} has no ${start} … ${end} block`);
	fs.writeFileSync(DOCS_FILE, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
}

// ── main ───────────────────────────────────────────────────────────────────

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.fromResults) return renderStored(options);
	const started = Date.now();
	const startedAt = new Date().toISOString();
	const ctx = { options, running: null };
	const list = scenarios(options);
	const log = (text) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${text}\n`);

	process.on('exit', () => ctx.running?.killNow());
	process.on('SIGINT', () => {
		log('interrupted; stopping n8n');
		Promise.resolve(ctx.running?.stop(5000)).finally(() => process.exit(130));
	});

	let parser;
	if (!options.skipParser) {
		log('parser benchmark (bench/parser.js)');
		parser = await runParserBench();
		log('parser benchmark done');
	}

	let install;
	const results = [];
	if (list.length) {
		install = await h.ensureN8n();
		ctx.install = install;
		ctx.workRoot = path.join(REPO, '.e2e-tmp', `bench-${startedAt.replace(/[:.]/g, '-')}`);
		fs.mkdirSync(ctx.workRoot, { recursive: true });
		if (options.tarball) {
			log(`using ${options.tarball}`);
			const { stdout } = await h.runCommand('tar', ['-tzf', options.tarball]);
			const files = stdout.split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
			const version = JSON.parse((await h.runCommand('tar', ['-xzOf', options.tarball, 'package/package.json'])).stdout).version;
			ctx.packed = { tarball: options.tarball, version, files };
		} else {
			log(options.skipBuild ? 'packing the existing dist/' : 'building and packing the package');
			ctx.packed = await h.buildAndPack(path.join(ctx.workRoot, 'pack'), { build: !options.skipBuild });
		}
		// Other builds may replace dist/ meanwhile: take everything from the packed copy.
		if (!ctx.packed.files.includes('dist/nodes/Selzy/Selzy.node.js')) {
			throw new Error(`${ctx.packed.tarball} has no dist/nodes/Selzy/Selzy.node.js; was dist/ being rebuilt? Run again.`);
		}
		const unpacked = await h.installPackage(path.join(ctx.workRoot, 'unpacked'), ctx.packed);
		const { describeSendResult } = require(path.join(unpacked, 'dist', 'nodes', 'Selzy', 'report', 'statuses.js'));

		const sandbox = await createSandbox({ port: 0 });
		ctx.sandbox = sandbox;
		// The task completes half a second after it is requested; both workflows look after about 1 s.
		sandbox.configure({ readyAfterPolls: null, readyAfterMs: 500 });
		sandbox.addCampaign({ id: MAIN_CAMPAIGN, rows: options.rows });
		if (options.bigRows > 0) sandbox.addCampaign({ id: BIG_CAMPAIGN, rows: options.bigRows });
		if (options.diyFilterRows !== options.rows) sandbox.addCampaign({ id: DIY_FILTER_CAMPAIGN, rows: options.diyFilterRows });
		if (options.diySmallRows > 0) sandbox.addCampaign({ id: DIY_SMALL_CAMPAIGN, rows: options.diySmallRows });

		const facts = new Map();
		const factsOf = (campaignId) => {
			if (!facts.has(campaignId)) facts.set(campaignId, sandbox.groundTruth({ campaignId, fieldIds: options.fields }));
			return facts.get(campaignId);
		};
		const main = factsOf(MAIN_CAMPAIGN);
		ctx.hardBounceCodes = Object.keys(main.bySendResult).filter((code) => describeSendResult(code).group === 'hard_bounce');
		const hardBounces = (truth) => ctx.hardBounceCodes.reduce((sum, code) => sum + (truth.bySendResult[code] ?? 0), 0);
		const files = new Map();
		ctx.truth = (scenario) => {
			const truth = factsOf(scenario.campaignId);
			const items = scenario.output === 'file' || scenario.output === 'summary' ? 1 : scenario.filter ? hardBounces(truth) : truth.total;
			return {
				items,
				total: truth.total,
				file: () => {
					if (!files.has(scenario.campaignId)) files.set(scenario.campaignId, truth.sha256AndSize());
					return files.get(scenario.campaignId);
				},
			};
		};

		try {
			for (const scenario of list) {
				log(`${scenario.id}: ${scenario.label}, ${count(scenario.rows)} rows — starting a fresh n8n`);
				const result = await runScenario(ctx, scenario);
				results.push(result);
				log(
					`${scenario.id}: ${result.status}${result.error ? ` (${result.error})` : ''}; wall ${fmt(result.wallSeconds)} s; ` +
						`peak +${fmt(result.peakIncreaseMiB)} MiB; items ${count(result.outputItems)}${result.verified ? ' ✓' : ''}${result.verifyError ? ` (verify: ${result.verifyError})` : ''}`,
				);
				writeResults({ startedAt, options, machine: machine(install), parser, results, partial: true });
			}
		} finally {
			await sandbox.close();
		}
		if (!options.keep) fs.rmSync(ctx.workRoot, { recursive: true, force: true });
	}

	const targets = evaluateTargets(parser, results, options);
	const all = { startedAt, totalSeconds: (Date.now() - started) / 1000, options, machine: machine(install), parser, results, targets };
	writeResults(all);
	const markdown = report(all);
	process.stdout.write(`${markdown}\n`);
	if (options.writeDocs) writeDocs(markdown);
}

/** Renders the tables and targets of the stored run again (no new measurement). */
function renderStored(options) {
	const stored = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8'));
	const storedOptions = { ...stored.options, only: stored.options.only ? new Set(stored.options.only) : null };
	const all = { ...stored, options: storedOptions, targets: evaluateTargets(stored.parser, stored.results, storedOptions) };
	if (stored.parser) all.parser = stored.parser;
	const markdown = report(all);
	process.stdout.write(`${markdown}\n`);
	if (options.writeDocs) writeDocs(markdown);
}

/** Indented JSON with [number, number] pairs (timeline points) kept on one line. */
function compactPairs(json) {
	return json.replace(/\[\s*(-?[\d.e+-]+),\s*(-?[\d.e+-]+)\s*\]/g, '[$1, $2]');
}

/** At most `limit` points, each the largest RSS of its stretch, so the peak stays visible. */
function downsample(timeline, limit = 120) {
	if (!timeline || timeline.length <= limit) return timeline;
	const size = Math.ceil(timeline.length / limit);
	const kept = [];
	for (let at = 0; at < timeline.length; at += size) {
		const stretch = timeline.slice(at, at + size);
		kept.push(stretch.reduce((best, point) => (point[1] > best[1] ? point : best)));
	}
	return kept;
}

function writeResults(all) {
	const { options, parser, ...rest } = all;
	const results = rest.results.map((r) => ({
		...r,
		runs: (r.runs ?? []).map((run) => ({ ...run, rssTimelineMiB: downsample(run.rssTimelineMiB) })),
	}));
	const serializable = {
		...rest,
		results,
		options: { ...options, only: options.only ? [...options.only] : null },
		parser: parser ? { node: parser.node, runs: parser.runs, chunkBytes: parser.chunkBytes, results: parser.results } : undefined,
	};
	// Other bench modules (bench/trigger-load.js) keep their results under their own key.
	const stored = fs.existsSync(RESULTS_FILE) ? JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) : {};
	for (const [key, value] of Object.entries(stored)) if (key.startsWith('triggerLoad')) serializable[key] = value;
	fs.writeFileSync(RESULTS_FILE, `${compactPairs(JSON.stringify(serializable, null, '\t'))}\n`);
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exitCode = 1;
	});
}

module.exports = {
	selzyWorkflow,
	diyWorkflow,
	parseArgs,
	evaluateTargets,
	downsample,
	compactPairs,
	// shared with bench/trigger-load.js
	procStatus,
	cpuSeconds,
	resetPeak,
	startSampler,
	versionOf,
	machine,
	node,
	link,
	round,
	mib,
	median,
	fmt,
	count,
	OWNER,
};
