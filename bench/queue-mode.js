#!/usr/bin/env node
'use strict';
/**
 * `npm run bench:queue`: every path the README offers, on a big report, in n8n's queue mode as it
 * runs across machines — the set-up of `npm run e2e:queue` (Postgres, Redis, main without
 * production webhooks, two webhook processes, two workers, each with its own folders; n8n's
 * database binary store, here with its default 512 MiB cap). Per path: the result, which process
 * read the file, the time to the result (and to Selzy's answer for callbacks), the peak memory
 * increase of every process (VmHWM) and the database's growth; with the load average.
 *
 *   node bench/queue-mode.js [--rows 1000000] [--rounds 2] [--only trigger-file,poll-summary] [--write-docs] [--keep]
 *   node bench/queue-mode.js --table [--write-docs]     (the stored run's table again)
 *
 * Results go to bench/results.json (key queueMode); --write-docs replaces the `queue-paths`
 * block of docs/performance.md.
 */

const path = require('node:path');

const h = require('../test/tooling');
const s = require('../test/e2e/queue/support');
const { resumeBig } = require('../test/e2e/queue/light');
const { setup, stopAndCheck, SIZES } = require('../test/e2e/queue');
const { parseOptions } = require('./lib/cli');
const { writeDocsBlock } = require('./lib/docs');
const { readResults, writeResults } = require('./lib/results');

const BIG_LIST = 3001;
const HARD_BOUNCE = { statusGroups: ['hard_bounce'] };

/** The trigger paths: a published workflow each, warmed up by one small callback. */
const TRIGGERS = {
	'trigger-file': { label: 'Selzy Trigger → File', output: 'file' },
	'trigger-rows': { label: 'Selzy Trigger → Rows (Hard Bounce)', output: 'rows', options: HARD_BOUNCE },
	'trigger-summary': { label: 'Selzy Trigger → Summary', output: 'summary' },
	'trigger-task': { label: 'Selzy Trigger → Task Only → Task → Get Result (Summary)', output: 'task', getResult: { waitMode: 'none', output: 'summary', options: {} } },
};

const POLLS = {
	'poll-file': { label: 'Get Delivery Report, Poll Until Ready → File', output: 'file' },
	'poll-rows': { label: 'Get Delivery Report, Poll Until Ready → Rows (Hard Bounce)', output: 'rows', options: HARD_BOUNCE },
	'poll-summary': { label: 'Get Delivery Report, Poll Until Ready → Summary', output: 'summary' },
};

const RESUMES = {
	'callback-summary': { label: 'Get Delivery Report, Until Selzy Notifies → Summary', output: 'summary' },
	'callback-rows': { label: 'Get Delivery Report, Until Selzy Notifies → Rows (Hard Bounce)', output: 'rows', options: HARD_BOUNCE },
	'callback-rows-all': { label: 'Get Delivery Report, Until Selzy Notifies → Rows (whole report)', output: 'rows' },
	'callback-rows-all-raised': { label: 'Get Delivery Report, Until Selzy Notifies → Rows (whole report), Row Safety Limit 1,500,000', output: 'rows', options: { rowSafetyLimit: 1_500_000 } },
};

/** Which processes read a task's file (the package's own log lines). */
function readOn(env, uuid) {
	const line = new RegExp(`Selzy task ${uuid}: (summarised|stored|\\d+ rows kept|[\\d.]+ MB downloaded)|task ${uuid} was not returned`);
	return Object.keys(env.processes).filter((name) => line.test(s.logText(env.processes[name].logFile)));
}

function outcome(env, execution, nodeName, task) {
	const error = execution.data?.resultData?.error?.message;
	if (execution.status !== 'success') return `${execution.status}: ${String(error).replace(/^.*was not returned: /, '').replace(/, more items.*$/, '')}`;
	const items = h.nodeOutput(execution, nodeName) ?? [];
	const first = items[0];
	if (first?.binary?.data) return `file of ${(first.json.fileSize / 1024 / 1024).toFixed(1)} MiB in ${first.binary.data.id.split(':')[0]}`;
	if (first?.json?.total !== undefined) return `summary of ${first.json.total.toLocaleString('en')} rows`;
	// n8n's API may leave out the data of a very large execution: the node's own count then.
	const kept = items.length ? undefined : new RegExp(`Selzy task ${task.uuid}: (\\d+) rows kept`).exec(Object.values(env.processes).map((p) => s.logText(p.logFile)).join('\n'))?.[1];
	return kept ? `${Number(kept).toLocaleString('en')} rows (logged; n8n's API returned none)` : `${items.length.toLocaleString('en')} rows`;
}

async function measureTrigger(env, id, spec, trigger) {
	const task = await s.completedTask(env, env.sizes.BIG_CAMPAIGN);
	const before = (await s.finishedIds(env, trigger.workflow.id)).length;
	const dbBefore = s.databaseMb(env);
	let answer;
	let sentAt;
	const run = await s.measurePeaks(s.allPids(env), async () => {
		sentAt = Date.now();
		answer = await s.postJson(trigger.urls[0], s.callbackBody(task.uuid));
		return s.waitForFinishedCount(env, trigger.workflow.id, before + 1, 900_000);
	});
	const growth = s.databaseMb(env) - dbBefore;
	run.result = await env.client.waitForExecution(run.result);
	const ms = Date.parse(run.result.stoppedAt) - sentAt;
	const last = spec.getResult ? 'Get Result' : 'Selzy Trigger';
	return { id, label: spec.label, result: outcome(env, run.result, last, task), readOn: readOn(env, task.uuid), ranOn: s.workersRunning(env, run.result.id), resultMs: ms, answerMs: answer.ms, answer: answer.status, memory: run.memory, databaseGrowthMb: growth };
}

async function measurePoll(env, id, spec, parameters = {}) {
	env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null, callbackTimes: 1, callbackFormat: 'json' });
	const dbBefore = s.databaseMb(env);
	const run = await s.measurePeaks(s.allPids(env), async () =>
		s.waitUntilFinished(
			env,
			await s.startManual(env, `bench ${id}`, { campaignId: s.campaign(env.sizes.BIG_CAMPAIGN), waitMode: 'poll', output: spec.output, options: { pollInterval: 1, timeout: 30, ...spec.options }, ...parameters }),
			900_000,
		),
	);
	const growth = s.databaseMb(env) - dbBefore;
	run.result = await env.client.waitForExecution(run.result);
	const task = env.sandbox.tasks.at(-1);
	return { id, label: spec.label, result: outcome(env, run.result, 'Selzy', task), readOn: readOn(env, task.uuid), ranOn: s.workersRunning(env, run.result.id), resultMs: Date.parse(run.result.stoppedAt) - Date.parse(run.result.startedAt), memory: run.memory, databaseGrowthMb: growth };
}

async function measureResume(env, id, spec) {
	const { run, task, callback, databaseGrowthMb } = await resumeBig(env, id, spec.output, spec.options);
	const resultMs = Date.parse(run.result.stoppedAt) - callback.time;
	return { id, label: spec.label, result: outcome(env, run.result, 'Selzy', task), readOn: readOn(env, task.uuid), ranOn: s.workersRunning(env, run.result.id), resultMs, answer: callback.status, memory: run.memory, databaseGrowthMb };
}

async function measureContacts(env) {
	const row = await measurePoll(env, 'contacts-summary', { label: `Contact → Export, Poll Until Ready → Summary (${env.sizes.ROWS.toLocaleString('en')} contacts)`, output: 'summary' }, {
		resource: 'contact',
		operation: 'export',
		listId: { __rl: true, mode: 'id', value: String(BIG_LIST) },
	});
	return row;
}

/** "a–b" of the values, a decrease counted as 0 (one value when they agree once rounded). */
function range(values, digits = 0) {
	const low = Math.max(0, Math.min(...values)).toFixed(digits);
	const high = Math.max(0, ...values).toFixed(digits);
	return low === high ? low : `${low}–${high}`;
}

/**
 * Peak increases of one run by role: the webhook process that got Selzy's callback (the first;
 * none for Poll), the workers that ran the execution, main, and the largest of the idle ones.
 */
function byRole(row) {
	const callback = row.answer !== undefined;
	const roles = { webhook: callback ? row.memory.webhook.increaseMb : undefined, workers: Math.max(...row.ranOn.map((name) => row.memory[name].increaseMb)), main: row.memory.main.increaseMb };
	const busy = new Set([...(callback ? ['webhook'] : []), ...row.ranOn, 'main']);
	roles.idle = Math.max(0, ...Object.entries(row.memory).filter(([name]) => !busy.has(name)).map(([, m]) => m.increaseMb));
	return roles;
}

/** The rounds of one path as one table row: ranges over the rounds. */
function combine(rounds) {
	const [first] = rounds;
	const roles = rounds.map(byRole);
	const memory = Object.fromEntries(['webhook', 'workers', 'main', 'idle'].map((role) => [role, roles[0][role] === undefined ? '—' : range(roles.map((r) => r[role]))]));
	const answered = first.answerMs !== undefined ? `${first.answer} in ${range(rounds.map((row) => row.answerMs))} ms` : first.answer ? String(first.answer) : '—';
	const readOn = [...new Set(rounds.flatMap((row) => row.readOn))].join(', ') || '—';
	return { label: first.label, result: first.result, readOn, seconds: range(rounds.map((row) => row.resultMs / 1000), 1), answered, memory, databaseMb: range(rounds.map((row) => row.databaseGrowthMb)) };
}

function markdown(run) {
	const byPath = new Map();
	for (const row of run.rows) byPath.set(row.id, [...(byPath.get(row.id) ?? []), row]);
	const lines = [
		`Run ${run.at}, ${byPath.size} paths × ${run.rounds} rounds (ranges over the rounds), total ${(run.totalMs / 60000).toFixed(1)} min. n8n ${run.n8n}; a ${run.reportRows.toLocaleString('en')}-row delivery report (${run.reportMb.toFixed(1)} MiB of CSV); load average at start ${run.loadAtStart}, at the end ${run.loadAtEnd}.`,
		'',
		'| Path | Result | File read on | Time to result | Selzy answered | Peak memory increase (MiB): webhook process that got the callback | worker that ran it | main | idle processes | Database growth |',
		'|---|---|---|---:|---|---:|---:|---:|---:|---:|',
	];
	for (const row of [...byPath.values()].map(combine)) {
		const { webhook, workers, main, idle } = row.memory;
		lines.push(`| ${row.label} | ${row.result} | ${row.readOn} | ${row.seconds} s | ${row.answered} | ${webhook} | ${workers} | ${main} | ${idle} | ${row.databaseMb} MiB |`);
	}
	lines.push(
		'',
		'Peak memory increase = VmHWM minus RSS just before the path ran (each process’s peak reset through /proc/<pid>/clear_refs), a decrease counted as 0; “worker that ran it” is the larger of the workers that ran the execution (Until Selzy Notifies: the part before the wait and the part after). Time to result: from sending the callback (trigger, Until Selzy Notifies) or the execution’s start (Poll) until it stopped, as n8n records it. Database growth = `pg_database_size` after minus before.',
	);
	return lines.join('\n');
}

async function main() {
	const options = parseOptions(process.argv.slice(2), {
		defaults: { rows: 1_000_000, rounds: 2, only: null, writeDocs: false, keep: false, table: false },
		numbers: { '--rows': 'rows', '--rounds': 'rounds' },
		flags: { '--write-docs': 'writeDocs', '--keep': 'keep', '--table': 'table' },
		values: { '--only': ['only', (text) => new Set(text.split(','))] },
		helpFile: __filename,
	});
	if (options.table) return publish(readResults().queueMode, options);
	const wanted = (id) => !options.only || options.only.has(id);
	const started = Date.now();
	const env = {};
	process.on('exit', () => h.killQueueMode(env));
	const run = { at: new Date().toISOString(), loadAtStart: s.loadAverage(), reportRows: options.rows, rounds: options.rounds, rows: [] };
	try {
		await setup(env, { sizes: { ...SIZES, ROWS: options.rows, DB_MAX_FILE_MB: 512 } });
		run.n8n = env.install.version;
		run.reportMb = (await env.sandbox.groundTruth({ campaignId: env.sizes.BIG_CAMPAIGN }).sha256AndSize()).size / 1024 / 1024;
		const report = (row) => {
			run.rows.push(row);
			console.log(`${row.label}: ${row.result}; read on ${row.readOn.join(', ')}; ${(row.resultMs / 1000).toFixed(1)} s; ${s.describeMemory(row.memory)}; db +${row.databaseGrowthMb.toFixed(0)} MiB; load ${s.loadAverage()}`);
		};
		const triggers = {};
		for (const [id, spec] of Object.entries(TRIGGERS).filter(([id]) => wanted(id))) {
			const trigger = await s.publishTrigger(env, s.triggerWorkflow(`bench ${id}`, `bench-${id}-${Date.now()}`, env.good, spec));
			const warm = await s.completedTask(env, 1001);
			await s.postJson(trigger.urls[0], s.callbackBody(warm.uuid));
			await s.waitForExecutions(env, trigger.workflow.id, 1);
			triggers[id] = trigger;
		}
		if (wanted('contacts-summary')) env.sandbox.addList({ id: BIG_LIST, size: env.sizes.ROWS });
		for (let round = 1; round <= options.rounds; round++) {
			console.log(`round ${round} of ${options.rounds}`);
			for (const [id, trigger] of Object.entries(triggers)) report(await measureTrigger(env, id, TRIGGERS[id], trigger));
			for (const [id, spec] of Object.entries(POLLS).filter(([id]) => wanted(id))) report(await measurePoll(env, id, spec));
			for (const [id, spec] of Object.entries(RESUMES).filter(([id]) => wanted(id))) report(await measureResume(env, id, spec));
			if (wanted('contacts-summary')) report(await measureContacts(env));
		}
	} finally {
		const stopped = await stopAndCheck(env);
		if (stopped.left?.length) console.log(`processes still running: ${stopped.left.join(', ')}`);
		if (!options.keep && env.workDir) require('node:fs').rmSync(env.workDir, { recursive: true, force: true });
		else if (env.workDir) console.log(`kept ${path.relative(h.REPO, env.workDir)}`);
	}
	run.totalMs = Date.now() - started;
	run.loadAtEnd = s.loadAverage();
	writeResults({ queueMode: run }, (key) => key === 'queueMode');
	publish(run, options);
}

function publish(run, options) {
	const table = markdown(run);
	console.log(`\n${table}`);
	if (options.writeDocs) writeDocsBlock('queue-paths', table);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}

module.exports = { markdown };
