#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: the report parser micro-benchmark, then million-row delivery reports in a
 * real n8n — the Selzy node's outputs against the do-it-yourself workflow of core n8n nodes.
 *
 *   node bench/run.js [--rows 1000000] [--big-rows 4000000] [--diy-filter-rows N]
 *                     [--diy-small-rows N] [--only a,b,c,d,d-file,e-c-small,e-c,e-d,a-big,b-big]
 *                     [--skip-diy] [--skip-parser]
 *                     [--repeat 3] [--timeout-min 15] [--diy-timeout-min 30]
 *                     [--fields 101,104] [--skip-build | --tarball n8n-nodes-selzy-x.y.z.tgz]
 *                     [--keep] [--write-docs] [--results-key KEY] [--docs-block NAME]
 *   node bench/run.js --from-results [--write-docs] [--results-key KEY] [--docs-block NAME]
 *                                         (tables again from bench/results.json)
 *
 *   --results-key KEY stores the scenarios' run under KEY in bench/results.json instead of
 *   replacing the full run (for a few scenarios measured side by side, e.g.
 *   `--only d-file,e-d --results-key rowsAsInFile --docs-block bench-rows-as-in-file`);
 *   --docs-block NAME is the generated block of docs/performance.md it goes into (default bench).
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
 *
 * The parts: delivery/options (flags), delivery/scenarios, delivery/run-scenario (one scenario in
 * a fresh n8n) and run-once (one measured execution), delivery/verify, delivery/targets,
 * delivery/report (Markdown); shared with bench/trigger-load.js: lib/ (CLI, /proc sampling,
 * workflow builders, results file, docs blocks, n8n set-up).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('../test/tooling');
const { createSandbox } = require('../test/sandbox/server');
const { parseArgs } = require('./delivery/options');
const { scenarios, seedCampaigns } = require('./delivery/scenarios');
const { comparisons, runComparison, seedComparisonCampaigns } = require('./delivery/comparisons');
const { runScenario } = require('./delivery/run-scenario');
const { groundTruth } = require('./delivery/ground-truth');
const { evaluateTargets } = require('./delivery/targets');
const { report, sideBySideReport } = require('./delivery/report');
const { runParserBench } = require('./delivery/parser-bench');
const { fmt, count } = require('./lib/format');
const { preparePackage, stopOnExit, stderrLog } = require('./lib/n8n');
const { machine, readResults, writeResults, downsample } = require('./lib/results');
const { writeDocsBlock } = require('./lib/docs');

const SIDE_BY_SIDE_BLOCK = 'bench-side-by-side';

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.fromResults) return renderStored(options);
	const started = Date.now();
	const startedAt = new Date().toISOString();
	// The load when the run starts (the machine may be shared); machine() is read when results are stored.
	const loadAverageAtStart = os.loadavg().map((value) => Math.round(value * 100) / 100);
	const ctx = { options, running: null };
	const list = scenarios(options);
	const sideBySide = comparisons(options);
	const log = stderrLog('bench', started);
	stopOnExit(ctx, log);

	let parser;
	if (!options.skipParser) {
		log('parser benchmark (bench/parser.js)');
		parser = await runParserBench();
		log('parser benchmark done');
	}

	let install;
	const machineNow = () => ({ ...machine(install), loadAverageAtStart });
	const results = [];
	const compared = [];
	const mainPart = list.length > 0 || Boolean(parser);
	if (list.length || sideBySide.length) {
		install = await h.ensureN8n();
		ctx.install = install;
		ctx.workRoot = path.join(h.REPO, '.e2e-tmp', `bench-${startedAt.replace(/[:.]/g, '-')}`);
		fs.mkdirSync(ctx.workRoot, { recursive: true });
		ctx.packed = await preparePackage(options, ctx.workRoot, log);
		const unpacked = await h.installPackage(path.join(ctx.workRoot, 'unpacked'), ctx.packed);

		const sandbox = await createSandbox({ port: 0 });
		ctx.sandbox = sandbox;
		// The task completes half a second after it is requested; both workflows look after about 1 s.
		sandbox.configure({ readyAfterPolls: null, readyAfterMs: 500 });
		seedCampaigns(sandbox, options);
		seedComparisonCampaigns(sandbox, sideBySide);
		Object.assign(ctx, groundTruth(sandbox, options, unpacked));
		try {
			for (const scenario of list) {
				log(`${scenario.id}: ${scenario.label}, ${count(scenario.rows)} rows — starting a fresh n8n`);
				const result = await runScenario(ctx, scenario);
				results.push(result);
				log(
					`${scenario.id}: ${result.status}${result.error ? ` (${result.error})` : ''}; wall ${fmt(result.wallSeconds)} s; ` +
						`peak +${fmt(result.peakIncreaseMiB)} MiB; items ${count(result.outputItems)}${result.verified ? ' ✓' : ''}${result.verifyError ? ` (verify: ${result.verifyError})` : ''}`,
				);
				store({ startedAt, options, machine: machineNow(), parser, results, partial: true });
			}
			for (const comparison of sideBySide) {
				log(`${comparison.id}: ${comparison.label} — ${comparison.nodeLabel} vs ${comparison.controlLabel}, in a fresh n8n`);
				const result = await runComparison(ctx, comparison);
				compared.push(result);
				log(`${comparison.id}: ${result.status}${result.error ? ` (${result.error})` : ''}; ${fmt(result.node?.wallSeconds)} s vs ${fmt(result.control?.wallSeconds)} s`);
				storeSideBySide({ startedAt, options, machine: machineNow(), comparisons: compared, partial: true });
			}
		} finally {
			await sandbox.close();
		}
		if (!options.keep) fs.rmSync(ctx.workRoot, { recursive: true, force: true });
	}

	const totalSeconds = (Date.now() - started) / 1000;
	const parts = [];
	if (mainPart) {
		const all = {
			startedAt,
			totalSeconds,
			options,
			machine: machineNow(),
			loadAverageAtEnd: os.loadavg().map((value) => Math.round(value * 100) / 100),
			parser,
			results,
			targets: evaluateTargets(parser, results),
		};
		store(all);
		parts.push([options.docsBlock, report(all)]);
	}
	if (compared.length) {
		const side = { startedAt, totalSeconds, options, machine: machineNow(), comparisons: compared, targets: evaluateTargets(undefined, [], compared) };
		storeSideBySide(side);
		parts.push([SIDE_BY_SIDE_BLOCK, sideBySideReport(side)]);
	}
	emit(parts, options);
}

/** Prints each part's Markdown; with --write-docs also puts it into its block of docs/performance.md. */
function emit(parts, options) {
	for (const [block, markdown] of parts) {
		process.stdout.write(`${markdown}\n\n`);
		if (options.writeDocs) writeDocsBlock(block, markdown);
	}
}

/** Renders the tables and targets of the stored runs again (no new measurement). */
function renderStored(options) {
	const everything = readResults();
	const stored = options.resultsKey ? everything[options.resultsKey] : everything;
	if (!stored) throw new Error(`bench/results.json has no "${options.resultsKey}" run yet`);
	const parts = [];
	if (stored.results) {
		const storedOptions = { ...stored.options, only: stored.options.only ? new Set(stored.options.only) : null };
		parts.push([options.docsBlock, report({ ...stored, options: storedOptions, targets: evaluateTargets(stored.parser, stored.results) })]);
	}
	if (!options.resultsKey && stored.sideBySide) {
		const side = stored.sideBySide;
		parts.push([SIDE_BY_SIDE_BLOCK, sideBySideReport({ ...side, targets: evaluateTargets(undefined, [], side.comparisons) })]);
	}
	emit(parts, options);
}

/** This script's keys of bench/results.json; other bench scripts keep theirs under their own. */
const OWN_KEYS = new Set(['startedAt', 'totalSeconds', 'machine', 'loadAverageAtEnd', 'results', 'targets', 'options', 'parser', 'partial']);

/**
 * The scenarios' run: replaces the stored one (the side-by-side comparisons are kept apart), or
 * with --results-key the run stored under that key.
 */
function store(all) {
	const { options, parser, ...rest } = all;
	const results = rest.results.map((r) => ({
		...r,
		runs: (r.runs ?? []).map((run) => ({ ...run, rssTimelineMiB: downsample(run.rssTimelineMiB) })),
	}));
	const entries = {
		...rest,
		results,
		options: plainOptions(options),
		parser: parser ? { node: parser.node, runs: parser.runs, chunkBytes: parser.chunkBytes, results: parser.results } : undefined,
	};
	const key = options.resultsKey;
	if (key) writeResults({ [key]: entries }, (stored) => stored === key);
	else writeResults(entries, (stored) => OWN_KEYS.has(stored));
}

/** The comparisons' run, under "sideBySide". */
function storeSideBySide(side) {
	writeResults({ sideBySide: { ...side, options: plainOptions(side.options) } }, (key) => key === 'sideBySide');
}

const plainOptions = (options) => ({ ...options, only: options.only ? [...options.only] : null });

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exitCode = 1;
	});
}
