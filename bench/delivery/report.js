'use strict';
// The Markdown that `npm run bench` prints and puts into docs/performance.md.

const { fmt, count, targetTable } = require('../lib/format');

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

function report(all) {
	const { machine: m, options, parser, results, targets, totalSeconds } = all;
	const parts = [
		`Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.os}; bench on Node ${m.benchNode}, n8n ${m.n8n ?? '—'} on Node ${m.n8nNode ?? '—'}; load average at start ${m.loadAverageAtStart.join(' / ')}${all.loadAverageAtEnd ? `, at the end ${all.loadAverageAtEnd.join(' / ')}` : ''}.`,
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
				'Task runner Δ = the same for the other processes of n8n’s process group. n8n CPU = CPU seconds of n8n’s main process (median). ✓ = output count (and file hash, summary total, the first rows as in the file) checked against the sandbox’s ground truth.',
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

/** The side-by-side comparisons (bench/delivery/comparisons.js) with their targets. */
function sideBySideReport(side) {
	const m = side.machine;
	return [
		`Run ${side.startedAt}, total ${fmt(side.totalSeconds / 60, 1)} min. Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM; n8n ${m.n8n ?? '—'} on Node ${m.n8nNode ?? '—'}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
		'',
		comparisonTable(side.comparisons),
		'',
		'Both workflows of a row ran in the same fresh n8n, in turn (after one unmeasured warm-up run of each on a 1,000-row report), with the Selzy node’s default settings. Wall = the execution record’s stoppedAt − startedAt (median of the runs). Ratio = Selzy node ÷ the other workflow. ✓ = every output checked against the sandbox’s ground truth.',
		'',
		targetTable(side.targets),
	].join('\n');
}

function comparisonTable(comparisons) {
	const lines = [
		'| Comparison | Selzy node | Wall (s) | per run (s) | Against | Wall (s) | per run (s) | Ratio |',
		'|---|---|---:|---:|---|---:|---:|---:|',
	];
	for (const c of comparisons) {
		const perRun = (side) => (side?.runs ?? []).map((run) => fmt(run.wallSeconds)).join(' / ') || '—';
		const checked = (side) => (side?.verified ? ' ✓' : side?.outputItems !== undefined ? ` (${count(side.outputItems)} items, expected ${count(side.expectedItems)})` : '');
		if (c.status !== 'success') {
			lines.push(`| ${c.label} | ${c.nodeLabel} | **${c.status}**: ${String(c.error ?? '').slice(0, 80)} | | ${c.controlLabel} | | | |`);
			continue;
		}
		const ratio = c.node.wallSeconds / c.control.wallSeconds;
		lines.push(
			`| ${c.label} | ${c.nodeLabel}${checked(c.node)} | ${fmt(c.node.wallSeconds)} | ${perRun(c.node)} | ${c.controlLabel}${checked(c.control)} | ${fmt(c.control.wallSeconds)} | ${perRun(c.control)} | ${fmt(ratio, 2)}× |`,
		);
	}
	return lines.join('\n');
}

module.exports = { report, sideBySideReport, scenarioTable, parserTable, comparisonTable };
