#!/usr/bin/env node
'use strict';
/**
 * `npm run bench:trigger`: a burst of Selzy callbacks against an active Selzy Trigger in a real
 * n8n, with n8n's Webhook node and the do-it-yourself workflow (Webhook → HTTP Request
 * getTaskResult → HTTP Request download → Extract From File) as controls, all in one run, and the
 * Selzy Trigger in queue mode.
 *
 *   node bench/trigger-load.js [--rate 10] [--callbacks 240] [--burst-rate 30] [--burst-callbacks 360]
 *                              [--repeat-share 0.2] [--rows 1000] [--client-timeout 30] [--rounds 1]
 *                              [--workers 2] [--only id,id] [--skip-build | --tarball n8n-nodes-selzy-x.y.z.tgz]
 *                              [--profile id,id] [--label text] [--keep] [--write-docs]
 *                              [--results-key triggerLoad] [--docs-block trigger-load] [--priority -10]
 *                              [--n8n-env NAME=value,NAME=value]   (extra settings for every n8n started)
 *                              [--event-rate 20] [--events-per-request 100] [--single-event-rate 200] [--event-seconds 60]
 *   node bench/trigger-load.js --from-results [--write-docs]   (tables again from bench/results.json)
 *
 * Every scenario gets a fresh n8n with one active workflow, a warm-up of three callbacks, then the
 * load: callbacks for completed tasks of the in-process Selzy sandbox, sent open-loop at a steady
 * rate over loopback (a new connection each, as Selzy does), a share of them repeated. Regular mode
 * is one `n8n start` on SQLite; queue mode (scenario trigger-summary-burst-queue) is Postgres,
 * Redis, a main process, --workers workers and one webhook process, which receives the callbacks.
 * The package is installed from its packed tarball. Per scenario:
 *  - each callback's answer time (client timeout --client-timeout s) and status;
 *  - peak RSS increase of the process that received the callbacks from just before the load until
 *    the executions have finished (VmHWM with the high-water mark reset, backed by 100 ms samples),
 *    and its CPU seconds; in queue mode the same for the other processes;
 *  - its /healthz/readiness polled every second (a database health failure answers 503);
 *  - executions: count, failures, and for the trigger the distinct tasks they carry;
 *  - calls the sandbox received (getTaskResult, downloads) and n8n's expression-isolate counter.
 * With --priority N this process and everything it starts (n8n, its threads, the task runner) run at
 * that niceness, so a machine shared with other work disturbs the comparison less.
 * With --rounds N the list runs N times (every other round in reverse order) and each figure is the
 * median of the rounds; correctness (answers, executions, readiness) must hold in every round.
 * With --profile the listed (regular-mode) scenarios run again with the inspector attached and
 * record a CPU profile of the load (kept apart from the timed runs). Results go to
 * bench/results.json (key "triggerLoad"); --write-docs replaces the generated block of
 * docs/performance.md. Everything stays on loopback and the script stops by itself.
 *
 * Selzy event deliveries (scenarios events-batch, events-single and their controls
 * events-batch-webhook, events-single-webhook; run only when named with --only): signed deliveries
 * of email_status events, --events-per-request per request at --event-rate requests a second (and
 * one event per request at --single-event-rate), for --event-seconds, to the hook URL the Selzy
 * Events Trigger registered in the sandbox, or to n8n's Webhook node; then every execution is read
 * back and the events counted: sent, output, lost, doubled.
 *
 * The parts: trigger/options, trigger/events (the events load), trigger/scenarios (workflows), trigger/callbacks (the load),
 * trigger/readings, trigger/run-scenario, trigger/rounds, trigger/targets, trigger/report; shared
 * with bench/run.js: lib/.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('../test/tooling');
const { createSandbox } = require('../test/sandbox/server');
const { fmt } = require('./lib/format');
const { writeDocsBlock } = require('./lib/docs');
const { preparePackage, stopOnExit, stderrLog } = require('./lib/n8n');
const { downsample, machine, readResults, writeResults } = require('./lib/results');
const { parseArgs } = require('./trigger/options');
const { scenarios } = require('./trigger/scenarios');
const { completedTasks } = require('./trigger/callbacks');
const { isEventsScenario } = require('./trigger/events');
const { runScenario } = require('./trigger/run-scenario');
const { combineRounds } = require('./trigger/rounds');
const { report } = require('./trigger/report');

const LOAD_CAMPAIGN = 9101;

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.fromResults) return renderStored(options);
	const started = Date.now();
	const ctx = { options, running: null, campaignId: LOAD_CAMPAIGN };
	const log = stderrLog('load', started);
	stopOnExit(ctx, log);

	// Children inherit the niceness of the thread that starts them.
	if (options.priority !== undefined) os.setPriority(options.priority);
	const install = await h.ensureN8n();
	ctx.install = install;
	ctx.workRoot = path.join(h.REPO, '.e2e-tmp', `load-${new Date(started).toISOString().replace(/[:.]/g, '-')}`);
	ctx.profileDir = path.join(ctx.workRoot, 'profiles');
	fs.mkdirSync(ctx.profileDir, { recursive: true });
	ctx.packed = await preparePackage(options, ctx.workRoot, log);

	const sandbox = await createSandbox({ port: 0 });
	ctx.sandbox = sandbox;
	sandbox.configure({ readyAfterPolls: 0, readyAfterMs: 0 });
	sandbox.addCampaign({ id: LOAD_CAMPAIGN, rows: options.rows });
	const list = scenarios(options);
	const most = Math.max(0, ...list.filter((s) => !isEventsScenario(s)).map((s) => Math.round(s.callbacks / (1 + options.repeatShare))));
	ctx.tasks = await completedTasks(sandbox, LOAD_CAMPAIGN, most);

	const results = [];
	const profiles = [];
	const runs = [];
	const run = { startedAt: new Date(started).toISOString(), label: options.label, options, machine: machine(install), results, profiles };
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
				store({ ...run, totalSeconds: (Date.now() - started) / 1000, partial: true });
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
	store(run);
	const markdown = report(run);
	process.stdout.write(`${markdown}\n`);
	if (options.writeDocs) writeDocsBlock(options.docsBlock, markdown);
	if (!options.keep) {
		// Profiles are kept; the n8n user folders are not.
		fs.rmSync(path.join(ctx.workRoot, 'pack'), { recursive: true, force: true });
		if (!profiles.some((p) => p.profileFile)) fs.rmSync(ctx.workRoot, { recursive: true, force: true });
	}
}

function renderStored(options) {
	const stored = readResults()[options.resultsKey];
	if (!stored) throw new Error(`bench/results.json has no "${options.resultsKey}" run yet`);
	const markdown = report(stored);
	process.stdout.write(`${markdown}\n`);
	if (options.writeDocs) writeDocsBlock(options.docsBlock, markdown);
}

/** Stores this run under "triggerLoad" (--results-key) in bench/results.json, next to bench/run.js's results. */
function store(run) {
	const slim = (r) => ({
		...r,
		rssTimelineMiB: downsample(r.rssTimelineMiB),
		perRound: r.perRound?.map((x) => ({ ...x, rssTimelineMiB: downsample(x.rssTimelineMiB, 40) })),
	});
	const options = { ...run.options, only: run.options.only && [...run.options.only], profile: [...run.options.profile] };
	const entry = { ...run, options, results: run.results.map(slim), profiles: run.profiles?.map(slim) };
	writeResults({ [run.options.resultsKey]: entry }, (key) => key === run.options.resultsKey);
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exitCode = 1;
	});
}
