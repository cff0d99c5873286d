'use strict';
// The contact-import benchmark as Markdown: one table of the runs, then the targets of the
// issue, each met or missed as measured.

const { fmt, count, targetTable } = require('../lib/format');

const BATCH = 500;
/** Selzy's limit: the floor of an import's time is its calls at this rate. */
const CALLS_PER_MINUTE = 1200;

const floorSeconds = (rows) => (Math.ceil(rows / BATCH) / CALLS_PER_MINUTE) * 60;
const withRunner = (run) => (run.peakIncreaseMiB ?? 0) + Math.max(0, ...(run.otherProcesses ?? []).map((other) => other.peakIncreaseMiB ?? 0));

function importReport(stored) {
	if (!stored) throw new Error('bench/results.json has no contact import run yet: run node bench/import.js');
	const { runs, options, machine } = stored;
	const byId = Object.fromEntries(runs.map((run) => [run.id, run]));
	const lines = [
		`Measured ${stored.startedAt.slice(0, 10)} with \`${stored.command}\` on n8n ${machine.n8n} (Node ${machine.n8nNode}), ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB; load average at the start ${machine.loadAverageAtStart.join(' / ')}, at the end ${stored.loadAverageAtEnd.join(' / ')}. The sandbox answered every call after ${options.latencyMs} ms; Parallel Batches ${options.parallel}.`,
		'',
		'| Workflow | Contacts | importContacts calls | Execution | Selzy node | Floor at 1,200 calls/min | n8n main process, peak increase | with its task runner |',
		'|---|---:|---:|---:|---:|---:|---:|---:|',
		...runs.map((run) => {
			const batches = Math.ceil(run.rows / BATCH);
			const resent = run.importCalls - batches;
			return `| ${run.label} | ${count(run.rows)} | ${count(run.importCalls)}${resent ? ` (${count(batches)} + ${resent} resent)` : ''} | ${fmt(run.wallSeconds)} s | ${run.nodeSeconds === undefined ? '—' : `${fmt(run.nodeSeconds)} s`} | ${fmt(floorSeconds(run.rows))} s | ${fmt(run.peakIncreaseMiB)} MiB | ${fmt(withRunner(run))} MiB |`;
		}),
		'',
		targetTable(targets(byId)),
	];
	return lines.join('\n');
}

/** The issue's targets, from the runs that were made. */
function targets({ node, diy, 'node-big': big }) {
	const list = [];
	if (node && diy) {
		list.push({ name: `${count(node.rows)} contacts: time no worse than the do-it-yourself workflow`, measured: `${fmt(node.wallSeconds)} s vs ${fmt(diy.wallSeconds)} s`, met: node.wallSeconds <= diy.wallSeconds });
		list.push({
			name: `${count(node.rows)} contacts: n8n’s memory at most a quarter of the do-it-yourself workflow’s`,
			measured: `+${fmt(withRunner(node))} MiB vs +${fmt(withRunner(diy))} MiB (${fmt(withRunner(node) / withRunner(diy), 2)}×; main process alone ${fmt(node.peakIncreaseMiB / diy.peakIncreaseMiB, 2)}×)`,
			met: withRunner(node) <= withRunner(diy) / 4,
		});
	}
	if (big) {
		if (node) {
			const difference = big.peakIncreaseMiB - node.peakIncreaseMiB;
			list.push({ name: `${count(big.rows)} contacts: memory flat (the peak of ${count(node.rows)} ± 64 MiB)`, measured: `+${fmt(big.peakIncreaseMiB)} MiB vs +${fmt(node.peakIncreaseMiB)} MiB`, met: Math.abs(difference) <= 64 });
		}
		const batches = Math.ceil(big.rows / BATCH);
		list.push({
			name: `${count(big.rows)} contacts: calls = ⌈rows / 500⌉ + resent batches`,
			measured: `${count(big.importCalls)} = ${count(batches)} + ${big.importCalls - batches} (${big.droppedCalls} connections dropped by the sandbox)`,
			met: big.importCalls === batches + big.droppedCalls && big.summary?.total === big.rows,
		});
		const floor = floorSeconds(big.rows);
		list.push({ name: `${count(big.rows)} contacts: time within 1.2× the floor Selzy’s limit sets (${fmt(floor, 0)} s)`, measured: `${fmt(big.nodeSeconds)} s (${fmt(big.nodeSeconds / floor, 2)}×; most calls in a minute: ${count(big.callsPerMinutePeak)})`, met: big.nodeSeconds <= 1.2 * floor });
	}
	return list;
}

module.exports = { importReport, floorSeconds };
