'use strict';
// One scenario of `npm run bench` in a fresh n8n: install the packed package, start n8n, a
// warm-up execution, then the measured execution(s); the output checked after n8n stopped.

const fs = require('node:fs');
const path = require('node:path');

const h = require('../../test/tooling');
const { median } = require('../lib/format');
const { ACTION, selzyWorkflow, diyWorkflow } = require('../lib/workflows');
const { prepareN8n } = require('../lib/n8n');
const { runOnce } = require('./run-once');
const { WARMUP_CAMPAIGN } = require('./scenarios');
const { verify } = require('./verify');

async function runScenario(ctx, scenario) {
	const { options, sandbox, install, packed } = ctx;
	const workDir = path.join(ctx.workRoot, scenario.id);
	const userFolder = path.join(workDir, 'user');
	const logFile = path.join(workDir, 'n8n.log');
	fs.rmSync(workDir, { recursive: true, force: true });
	fs.mkdirSync(workDir, { recursive: true });
	await h.installPackage(userFolder, packed);

	const result = { id: scenario.id, label: scenario.label, kind: scenario.kind, output: scenario.output ?? 'items', filter: Boolean(scenario.filter), rows: scenario.rows };
	if (scenario.rowFormat) result.rowFormat = scenario.rowFormat;
	let toVerify;
	const n8n = await h.startN8n({ install, userFolder, logFile, env: { N8N_LOG_LEVEL: 'info' } });
	ctx.running = n8n;
	try {
		const { client, nodeTypes, credential } = await prepareN8n(n8n, { install, sandbox, nodeType: ACTION });

		const build = (campaignId, name) =>
			scenario.kind === 'selzy'
				? selzyWorkflow(name, {
						campaignId,
						output: scenario.output,
						statusGroups: scenario.filter ? ['hard_bounce'] : undefined,
						rowFormat: scenario.rowFormat,
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

module.exports = { runScenario, summarizeRuns };
