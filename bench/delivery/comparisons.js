'use strict';
// Side-by-side comparisons of `npm run bench`, both workflows in the same fresh n8n and run in
// turn: "20 reports, one run" (one Selzy node given 20 items against the same node inside Loop
// Over Items, one item after another) and "small report latency" (the Selzy node with default
// settings against the do-it-yourself loop with a 2 s Wait). They report ratios.

const fs = require('node:fs');
const path = require('node:path');

const h = require('../../test/tooling');
const { median } = require('../lib/format');
const { prepareN8n } = require('../lib/n8n');
const { ACTION, node, link, manualTrigger, credentialRef, versionOf, deliveryReportParameters, diyWorkflow, selzyWorkflow } = require('../lib/workflows');
const { runOnce } = require('./run-once');
const { WARMUP_CAMPAIGN } = require('./scenarios');
const { verify } = require('./verify');

const MANY_FIRST_CAMPAIGN = 9200;
const MANY_REPORTS = 20;
const MANY_ROWS = 1000;
const SMALL_CAMPAIGN = 9300;
const SMALL_READY_MS = 500;

/** The comparisons the options ask for, with the sandbox campaigns each needs. */
function comparisons(options) {
	const slowestMs = options.manyMaxSeconds * 1000;
	const many = {
		id: 'many',
		label: `${MANY_REPORTS} reports, one run (Summary; prepared in ${fmtSeconds(slowestMs / 1000 / MANY_REPORTS)}–${fmtSeconds(slowestMs / 1000)} s)`,
		nodeLabel: `one Selzy node, ${MANY_REPORTS} items`,
		controlLabel: 'the same node in Loop Over Items (batch size 1)',
		campaigns: Array.from({ length: MANY_REPORTS }, (_, i) => ({ id: MANY_FIRST_CAMPAIGN + i, rows: MANY_ROWS, readyAfterMs: Math.round((slowestMs * (i + 1)) / MANY_REPORTS) })),
	};
	many.slowestSeconds = Math.max(...many.campaigns.map((c) => c.readyAfterMs)) / 1000;
	many.sumSeconds = many.campaigns.reduce((sum, c) => sum + c.readyAfterMs, 0) / 1000;
	const small = {
		id: 'small',
		label: `Small report latency (${options.smallRows.toLocaleString('en-US')} rows, ready ${SMALL_READY_MS / 1000} s after the request; default settings)`,
		nodeLabel: 'Selzy node, output Rows',
		controlLabel: 'DIY: HTTP → Wait 2 s → HTTP → IF → HTTP (file) → Extract From File',
		campaigns: [{ id: SMALL_CAMPAIGN, rows: options.smallRows, readyAfterMs: SMALL_READY_MS }],
	};
	return [many, small].filter((c) => !options.only || options.only.has(c.id));
}

const fmtSeconds = (value) => String(Math.round(value * 10) / 10);

/**
 * The two workflows of a comparison: `node` (the Selzy node's way) and `control`. With warmUp,
 * the same workflows on the sandbox's quick 1,000-row campaign.
 */
function workflowsFor(comparison, { credential, sandbox, nodeTypes, fields, warmUp = false }) {
	const ids = warmUp ? [WARMUP_CAMPAIGN, WARMUP_CAMPAIGN] : comparison.campaigns.map((c) => c.id);
	const name = (which) => `bench ${comparison.id}${warmUp ? ' warm-up' : ''}: ${which}`;
	if (comparison.id === 'small') {
		return {
			node: selzyWorkflow(name('Selzy node'), { campaignId: ids[0], output: 'rows', fields, credential, options: {} }),
			control: diyWorkflow(name('DIY'), { campaignId: ids[0], fields, withFilter: false, sandbox, nodeTypes, waitSeconds: 2 }),
		};
	}
	return {
		node: manyWorkflow(name('one node'), { ids, credential, nodeTypes, fields, loop: false }),
		control: manyWorkflow(name('Loop Over Items'), { ids, credential, nodeTypes, fields, loop: true }),
	};
}

/** Manual Trigger → Code (one item per campaign) → Selzy (Summary), or the same with Loop Over Items around Selzy. */
function manyWorkflow(name, { ids, credential, nodeTypes, fields, loop }) {
	const code = versionOf(nodeTypes, 'n8n-nodes-base.code', [2]);
	const selzy = node(
		'Selzy',
		ACTION,
		1,
		[loop ? 660 : 440, 0],
		deliveryReportParameters({ campaignId: '={{ $json.campaignId }}', output: 'summary', fields }),
		{ credentials: credentialRef(credential) },
	);
	const nodes = [
		manualTrigger(),
		node('Campaigns', 'n8n-nodes-base.code', code, [220, 0], { jsCode: `return ${JSON.stringify(ids)}.map((campaignId) => ({ json: { campaignId } }));` }),
		selzy,
	];
	const connections = { 'Manual Trigger': { main: [[link('Campaigns')]] } };
	if (!loop) {
		connections.Campaigns = { main: [[link('Selzy')]] };
	} else {
		const splitInBatches = versionOf(nodeTypes, 'n8n-nodes-base.splitInBatches', [3]);
		nodes.push(node('Loop Over Items', 'n8n-nodes-base.splitInBatches', splitInBatches, [440, 0], { batchSize: 1, options: {} }));
		connections.Campaigns = { main: [[link('Loop Over Items')]] };
		// Output 0 ("done") ends the run; output 1 ("loop") feeds one item to Selzy, which returns to the loop.
		connections['Loop Over Items'] = { main: [[], [link('Selzy')]] };
		connections.Selzy = { main: [[link('Loop Over Items')]] };
	}
	return { name, nodes, connections, lastNode: 'Selzy' };
}

/** Runs a comparison in a fresh n8n; the two workflows alternate, the node's first in odd rounds. */
async function runComparison(ctx, comparison) {
	const { options, sandbox, install, packed } = ctx;
	const workDir = path.join(ctx.workRoot, comparison.id);
	const userFolder = path.join(workDir, 'user');
	fs.rmSync(workDir, { recursive: true, force: true });
	await h.installPackage(userFolder, packed);
	const result = { id: comparison.id, label: comparison.label, nodeLabel: comparison.nodeLabel, controlLabel: comparison.controlLabel, status: 'success' };
	if (comparison.id === 'many') Object.assign(result, { slowestSeconds: comparison.slowestSeconds, sumSeconds: comparison.sumSeconds });
	const runs = { node: [], control: [] };
	const n8n = await h.startN8n({ install, userFolder, logFile: path.join(workDir, 'n8n.log'), env: { N8N_LOG_LEVEL: 'info' } });
	ctx.running = n8n;
	let specs;
	try {
		const { client, nodeTypes, credential } = await prepareN8n(n8n, { install, sandbox, nodeType: ACTION });
		const settings = { credential, sandbox, nodeTypes, fields: options.fields };
		specs = workflowsFor(comparison, settings);
		const warmUps = workflowsFor(comparison, { ...settings, warmUp: true });
		const ids = {};
		for (const which of ['node', 'control']) {
			ids[which] = (await client.createWorkflow(specs[which])).id;
			// Warm-up, unmeasured: node code, n8n's lazily built parts, the task runner.
			const warmUpId = (await client.createWorkflow(warmUps[which])).id;
			await mustSucceed(await runOnce(ctx, n8n, client, warmUpId, options.timeoutMin * 60_000), `${which} warm-up`);
		}
		for (let round = 1; round <= options.repeat; round++) {
			for (const which of round % 2 ? ['node', 'control'] : ['control', 'node']) {
				await h.sleep(2000);
				const run = await runOnce(ctx, n8n, client, ids[which], options.timeoutMin * 60_000);
				runs[which].push(run);
				await mustSucceed(run, which);
				if (comparison.id === 'many') run.check = await checkMany(client, run.executionId, comparison);
			}
			// Repeat only quick comparisons: a slow one is far from any ratio that noise could flip.
			if (Math.max(...[...runs.node, ...runs.control].map((r) => r.wallSeconds)) > 30) break;
		}
	} catch (error) {
		result.status = 'error';
		result.error = String(error.message).split('\n')[0].slice(0, 300);
		result.logTail = h.tailOf(n8n.logFile, 15).split('\n');
	} finally {
		await n8n.stop();
		ctx.running = null;
	}
	for (const which of ['node', 'control']) {
		const own = runs[which];
		result[which] = { runs: own, wallSeconds: median(own.filter((r) => r.status === 'success').map((r) => r.wallSeconds)) };
		if (comparison.id === 'many') result[which].verified = own.length > 0 && own.every((r) => r.check?.ok);
		else if (own[0]?.status === 'success') {
			const scenario = { kind: which === 'node' ? 'selzy' : 'diy', output: 'rows', campaignId: comparison.campaigns[0].id };
			Object.assign(result[which], await verify(ctx, scenario, own[0], specs[which].lastNode, userFolder));
		}
	}
	if (!options.keep) fs.rmSync(workDir, { recursive: true, force: true });
	return result;
}

async function mustSucceed(run, what) {
	if (run.status !== 'success') throw new Error(`${what} ended ${run.status}: ${run.error ?? ''}`);
}

/** Every campaign's summary came back once, each with the report's row count. */
async function checkMany(client, executionId, comparison) {
	const execution = await client.waitForExecution(executionId, { timeoutMs: 60_000 });
	const items = (execution.data?.resultData?.runData?.Selzy ?? []).flatMap((run) => run.data?.main?.[0] ?? []);
	const totals = items.map((item) => item.json?.total);
	const ok = items.length === comparison.campaigns.length && totals.every((total) => total === MANY_ROWS);
	return { ok, items: items.length, runsOfSelzy: execution.data?.resultData?.runData?.Selzy?.length };
}

/** Adds the comparisons' campaigns to the sandbox. */
function seedComparisonCampaigns(sandbox, list) {
	for (const comparison of list) for (const campaign of comparison.campaigns) sandbox.addCampaign(campaign);
}

module.exports = { comparisons, runComparison, seedComparisonCampaigns, manyWorkflow };
