#!/usr/bin/env node
'use strict';
/**
 * Contact imports from a CSV file in a real n8n, against the Selzy sandbox answering at a set
 * pace: the Selzy node (Contact → Import, file, Summary) and the do-it-yourself workflow
 * (Extract From File → Loop Over Items, 500 → Code building the form keys → HTTP Request), side
 * by side in one n8n; then the node alone on a file ten times as big. Prints a Markdown table.
 *
 *   node bench/import.js [--rows 100000] [--big-rows 1000000] [--latency-ms 250] [--drops 2]
 *                        [--parallel 8] [--skip-diy] [--skip-big] [--timeout-min 20]
 *                        [--diy-timeout-min 40] [--skip-build | --tarball n8n-nodes-selzy-x.y.z.tgz]
 *                        [--keep] [--write-docs]
 *   node bench/import.js --from-results [--write-docs]   (the table again from bench/results.json)
 *
 * One fresh n8n (filesystem binary data, SQLite); each workflow first downloads the file from a
 * loopback server (the same step for both). Order: warm-ups on a 1,000-row file, the node on
 * --rows, the node on --big-rows (with --drops connections dropped before Selzy answers, so the
 * count of calls shows the resent batches), then the do-it-yourself workflow on --rows. Per run:
 * the execution's wall time and the Selzy node's own time, the peak RSS increase of n8n's main
 * process (and of its task runner, where the Code node runs) over the RSS right before the run
 * (/proc, see bench/lib/sampling.js), and the importContacts calls the sandbox received. The
 * sandbox answers every call after --latency-ms and refuses more than 1,200 importContacts calls
 * a minute, as Selzy does; it counts the contacts without keeping them. Results go to
 * bench/results.json under "contactImport"; --write-docs puts the table into docs/performance.md.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('../test/tooling');
const { createSandbox } = require('../test/sandbox/server');
const { parseOptions } = require('./lib/cli');
const { preparePackage, prepareN8n, stopOnExit, stderrLog } = require('./lib/n8n');
const { machine, readResults, writeResults } = require('./lib/results');
const { writeDocsBlock } = require('./lib/docs');
const { ACTION } = require('./lib/workflows');
const { runOnce } = require('./delivery/run-once');
const { contactsFile, startFileServer, selzyImportWorkflow, diyImportWorkflow } = require('./import/workflows');
const { importReport } = require('./import/report');

const RESULTS_KEY = 'contactImport';
const DOCS_BLOCK = 'bench-contact-import';
const WARMUP_ROWS = 1000;

const DEFAULTS = { rows: 100_000, bigRows: 1_000_000, latencyMs: 250, drops: 2, parallel: 8, skipDiy: false, skipBig: false, timeoutMin: 20, diyTimeoutMin: 40, skipBuild: false, tarball: undefined, keep: false, writeDocs: false, fromResults: false };

function parseArgs(argv) {
	return parseOptions(argv, {
		defaults: DEFAULTS,
		numbers: { '--rows': 'rows', '--big-rows': 'bigRows', '--latency-ms': 'latencyMs', '--drops': 'drops', '--parallel': 'parallel', '--timeout-min': 'timeoutMin', '--diy-timeout-min': 'diyTimeoutMin' },
		flags: { '--skip-diy': 'skipDiy', '--skip-big': 'skipBig', '--skip-build': 'skipBuild', '--keep': 'keep', '--write-docs': 'writeDocs', '--from-results': 'fromResults' },
		values: { '--tarball': ['tarball', (text) => path.resolve(text)] },
		helpFile: __filename,
	});
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.fromResults) return emit(importReport(readResults()[RESULTS_KEY]), options);
	const started = Date.now();
	const loadAverageAtStart = os.loadavg().map((value) => Math.round(value * 100) / 100);
	const log = stderrLog('bench import', started);
	const ctx = {};
	stopOnExit(ctx, log);

	const install = await h.ensureN8n();
	const workRoot = path.join(h.REPO, '.e2e-tmp', `bench-import-${new Date(started).toISOString().replace(/[:.]/g, '-')}`);
	fs.mkdirSync(workRoot, { recursive: true });
	const packed = await preparePackage(options, workRoot, log);
	// The files are made once and kept for later runs.
	const fileDir = path.join(h.REPO, '.e2e-tmp', 'bench-import-files');
	fs.mkdirSync(fileDir, { recursive: true });
	log('writing the contact files (once)');
	const files = new Map();
	for (const rows of [WARMUP_ROWS, options.rows, ...(options.skipBig ? [] : [options.bigRows])]) files.set(`contacts-${rows}.csv`, await contactsFile(path.join(fileDir, `contacts-${rows}.csv`), rows));
	const server = await startFileServer(files);
	const sandbox = await createSandbox({ port: 0 });
	sandbox.configure({ keepContacts: false, latencyMs: options.latencyMs });

	const userFolder = path.join(workRoot, 'user');
	await h.installPackage(userFolder, packed);
	const n8n = await h.startN8n({ install, userFolder, logFile: path.join(workRoot, 'n8n.log'), env: { N8N_LOG_LEVEL: 'info' } });
	ctx.running = n8n;
	const runs = [];
	try {
		const { client, nodeTypes, credential } = await prepareN8n(n8n, { install, sandbox, nodeType: ACTION });
		const fileUrl = (rows) => `${server.url}/contacts-${rows}.csv`;
		const nodeOptions = { parallelBatches: options.parallel };
		const create = async (spec) => ({ spec, id: (await client.createWorkflow(spec)).id });
		const node = (rows, label) => create(selzyImportWorkflow(`bench import: ${label}`, { fileUrl: fileUrl(rows), credential, nodeTypes, options: nodeOptions }));
		const diy = (rows, label) => create(diyImportWorkflow(`bench import: ${label}`, { fileUrl: fileUrl(rows), sandbox, nodeTypes }));

		log('warm-up runs (1,000 contacts each)');
		for (const warm of [await node(WARMUP_ROWS, 'node warm-up'), ...(options.skipDiy ? [] : [await diy(WARMUP_ROWS, 'DIY warm-up')])]) {
			const run = await runOnce(ctx, n8n, client, warm.id, 5 * 60_000);
			if (run.status !== 'success') throw new Error(`warm-up ${warm.spec.name} ended ${run.status}: ${run.error ?? ''}`);
		}
		const measure = async (workflow, { id, label, rows, kind, drops = 0, timeoutMin }) => {
			for (let i = 0; i < drops; i++) sandbox.fault({ kind: 'drop', method: 'importContacts' });
			const from = { requests: sandbox.requests.length, imports: sandbox.importLog.length };
			await h.sleep(2000);
			log(`${id}: ${label}, ${rows.toLocaleString('en-US')} contacts`);
			const run = await runOnce(ctx, n8n, client, workflow.id, timeoutMin * 60_000, { measure: true });
			const calls = sandbox.requests.slice(from.requests).filter((request) => request.apiMethod === 'importContacts');
			const answered = sandbox.importLog.slice(from.imports);
			const result = {
				id,
				label,
				kind,
				rows,
				...run,
				importCalls: calls.length,
				droppedCalls: calls.filter((call) => call.fault === 'drop').length,
				rowsAnswered: answered.reduce((sum, entry) => sum + (entry.answer?.total ?? 0), 0),
				callsPerMinutePeak: peakPerMinute(calls.map((call) => call.time)),
			};
			if (kind === 'node' && run.status === 'success') Object.assign(result, await nodeFacts(client, run.executionId));
			log(`${id}: ${run.status}${run.error ? ` (${run.error})` : ''}; wall ${run.wallSeconds} s; peak +${run.peakIncreaseMiB} MiB; ${calls.length} calls`);
			runs.push(result);
			return result;
		};
		await measure(await node(options.rows, 'Selzy node'), { id: 'node', label: 'Selzy node: Contact → Import from the file, Summary', rows: options.rows, kind: 'node', timeoutMin: options.timeoutMin });
		if (!options.skipBig) {
			await measure(await node(options.bigRows, 'Selzy node, big file'), {
				id: 'node-big',
				label: 'Selzy node: Contact → Import from the file, Summary',
				rows: options.bigRows,
				kind: 'node',
				drops: options.drops,
				timeoutMin: options.timeoutMin,
			});
		}
		if (!options.skipDiy) {
			await measure(await diy(options.rows, 'DIY'), {
				id: 'diy',
				label: 'Do-it-yourself: Extract From File → Loop Over Items (500) → Code → HTTP Request',
				rows: options.rows,
				kind: 'diy',
				timeoutMin: options.diyTimeoutMin,
			});
		}
	} finally {
		await n8n.stop();
		ctx.running = null;
		await sandbox.close();
		await server.close();
	}
	if (!options.keep) fs.rmSync(workRoot, { recursive: true, force: true });
	const stored = {
		startedAt: new Date(started).toISOString(),
		totalSeconds: (Date.now() - started) / 1000,
		command: `node bench/import.js ${process.argv.slice(2).join(' ')}`.trim(),
		options,
		machine: { ...machine(install), loadAverageAtStart },
		loadAverageAtEnd: os.loadavg().map((value) => Math.round(value * 100) / 100),
		runs: runs.map(({ rssTimelineMiB, ...run }) => run),
	};
	writeResults({ [RESULTS_KEY]: stored }, (key) => key === RESULTS_KEY);
	emit(importReport(stored), options);
}

/** The Selzy node's own time and its summary, read back from the execution. */
async function nodeFacts(client, executionId) {
	const execution = await client.waitForExecution(executionId, { timeoutMs: 60_000 });
	const [run] = execution.data?.resultData?.runData?.Selzy ?? [];
	return { nodeSeconds: run ? run.executionTime / 1000 : undefined, summary: run?.data?.main?.[0]?.[0]?.json };
}

/** The most calls within any 60 seconds. */
function peakPerMinute(times) {
	let peak = 0;
	for (let from = 0, to = 0; to < times.length; to++) {
		while (times[to] - times[from] >= 60_000) from++;
		peak = Math.max(peak, to - from + 1);
	}
	return peak;
}

function emit(markdown, options) {
	process.stdout.write(`${markdown}\n`);
	if (options.writeDocs) writeDocsBlock(DOCS_BLOCK, markdown);
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exitCode = 1;
	});
}

module.exports = { peakPerMinute };
