'use strict';
// The targets of `npm run bench`: which measured figures meet the package's promises (parser
// speed, memory flat in the report's size, Summary close to File, far faster and leaner than
// the do-it-yourself workflow). Pure: results in, [{ name, met, measured }] out.

const { fmt, count } = require('../lib/format');

const PARSER_TIMES_CSV_PARSE = 3;
const PEAK_INCREASE_MIB = 64;
const FLAT_GROWTH_MIB = 16;
const SUMMARY_VS_FILE = 1.5;
const FASTER_THAN_DIY_FILTER = 50;
const DIY_FILTER_MEMORY_SHARE = 0.1;
const MANY_VS_SLOWEST = 1.5;
const MANY_VS_ONE_BY_ONE = 0.25;

const ok = (r) => Boolean(r) && r.status === 'success';

function evaluateTargets(parser, results, comparisons = []) {
	const by = Object.fromEntries(results.map((r) => [r.id, r]));
	const compared = Object.fromEntries(comparisons.map((c) => [c.id, c]));
	return [
		...parserTargets(parser),
		...memoryTargets(by, 'a'),
		...memoryTargets(by, 'b'),
		...summaryVsFile(by, 'b', 'a'),
		...summaryVsFile(by, 'b-big', 'a-big'),
		...againstDiyWithFilter(by),
		...againstDiyRows(by.d, by['e-d']),
		...againstDiyRows(by['d-file'], by['e-d'], '(d-file) Rows as in the file, whole report'),
		...manyReports(compared.many),
		...smallReport(compared.small),
	];
}

const finished = (comparison) => comparison?.status === 'success' && Number.isFinite(comparison.node?.wallSeconds) && Number.isFinite(comparison.control?.wallSeconds);

/** 20 reports in one node take about the time of the slowest, not the sum of one after another. */
function manyReports(many) {
	if (!finished(many)) return many ? [{ name: '(many) 20 reports in one run', met: false, measured: `${many.status}: ${many.error ?? ''}` }] : [];
	const { node, control } = many;
	const vsSlowest = node.wallSeconds / many.slowestSeconds;
	const vsOneByOne = node.wallSeconds / control.wallSeconds;
	return [
		{
			name: `(many) one node with 20 items ≤ ${MANY_VS_SLOWEST}× the slowest report's preparation time`,
			met: vsSlowest <= MANY_VS_SLOWEST,
			measured: `${fmt(node.wallSeconds)} s vs ${fmt(many.slowestSeconds)} s = ${fmt(vsSlowest, 2)}×`,
		},
		{
			name: `(many) one node with 20 items ≤ ${MANY_VS_ONE_BY_ONE}× the time of one item after another (Loop Over Items)`,
			met: vsOneByOne <= MANY_VS_ONE_BY_ONE,
			measured: `${fmt(node.wallSeconds)} s vs ${fmt(control.wallSeconds)} s = ${fmt(vsOneByOne, 2)}× (preparation times sum to ${fmt(many.sumSeconds)} s)`,
		},
	];
}

/** A small report is never slower through the node (default settings) than through the do-it-yourself loop. */
function smallReport(small) {
	if (!finished(small)) return small ? [{ name: '(small) small report no slower than the DIY loop', met: false, measured: `${small.status}: ${small.error ?? ''}` }] : [];
	const ratio = small.node.wallSeconds / small.control.wallSeconds;
	return [
		{
			name: '(small) small report no slower than the DIY loop with a 2 s Wait (default settings)',
			met: ratio <= 1,
			measured: `${fmt(small.node.wallSeconds)} s vs ${fmt(small.control.wallSeconds)} s = ${fmt(ratio, 2)}×`,
		},
	];
}

function parserTargets(parser) {
	if (!parser) return [];
	const ours = parser.results.filter((r) => r.contender === 'this package (batches)');
	const worst = Math.min(...ours.map((r) => r.timesCsvParse));
	return [
		{
			name: `Parser ≥ ${PARSER_TIMES_CSV_PARSE}× csv-parse`,
			met: worst >= PARSER_TIMES_CSV_PARSE,
			measured: ours.map((r) => `${r.timesCsvParse}× at ${count(r.rows)} rows`).join(', '),
		},
	];
}

/** (a)/(b): the peak stays small, and the same for a report 4× the size. */
function memoryTargets(by, id) {
	const small = by[id];
	const big = by[`${id}-big`];
	if (!small && !big) return [];
	const cases = [small, big].filter(Boolean);
	const worst = Math.max(...cases.map((r) => r.peakIncreaseMiB ?? Infinity));
	const targets = [
		{
			name: `(${id}) peak memory increase ≤ ${PEAK_INCREASE_MIB} MiB (largest of the runs)`,
			met: cases.every(ok) && worst <= PEAK_INCREASE_MIB,
			measured: cases
				.map((r) => `${fmt(r.peakIncreaseMiB)} MiB at ${count(r.rows)} rows${ok(r) ? '' : ` (${r.status})`} (runs ${(r.runs ?? []).map((run) => fmt(run.peakIncreaseMiB)).join(' / ')})`)
				.join(', '),
		},
	];
	if (ok(small) && ok(big)) {
		// Flat: neither the fresh-process (first) run nor the typical (median) run grows with a
		// report 4× the size.
		const growth = Math.max(big.firstRunPeakIncreaseMiB - small.firstRunPeakIncreaseMiB, big.medianPeakIncreaseMiB - small.medianPeakIncreaseMiB);
		targets.push({
			name: `(${id}) memory the same at ${count(small.rows)} and ${count(big.rows)} rows (grows < ${FLAT_GROWTH_MIB} MiB)`,
			met: growth < FLAT_GROWTH_MIB,
			measured: `first run ${fmt(small.firstRunPeakIncreaseMiB)} → ${fmt(big.firstRunPeakIncreaseMiB)} MiB, median ${fmt(small.medianPeakIncreaseMiB)} → ${fmt(big.medianPeakIncreaseMiB)} MiB, while the report grew ${fmt(small.reportBytes / 1e6, 0)} → ${fmt(big.reportBytes / 1e6, 0)} MB and wall time ${fmt(small.wallSeconds)} → ${fmt(big.wallSeconds)} s`,
		});
	}
	return targets;
}

function summaryVsFile(by, summaryId, fileId) {
	const [summary, file] = [by[summaryId], by[fileId]];
	if (!ok(summary) || !ok(file)) return [];
	const ratio = summary.wallSeconds / file.wallSeconds;
	return [
		{
			name: `(${summaryId}) Summary wall time ≤ ${SUMMARY_VS_FILE}× (${fileId}) File`,
			met: ratio <= SUMMARY_VS_FILE,
			measured: `${fmt(summary.wallSeconds)} s vs ${fmt(file.wallSeconds)} s = ${fmt(ratio, 2)}×`,
		},
	];
}

/** (c) against DIY with Filter at full size (e-c) and, scaled up, at a tenth of it (e-c-small). */
function againstDiyWithFilter(by) {
	const c = by.c;
	if (!ok(c)) return [];
	const full = by['e-c'];
	const small = by['e-c-small'];
	const targets = [];
	if (full) targets.push(...compareWithDiyFilter(c, full, full.rows !== c.rows));
	if (small && (!full || !ok(full) || full.rows !== c.rows)) targets.push(...compareWithDiyFilter(c, small, true));
	return targets;
}

function compareWithDiyFilter(c, diy, extrapolated) {
	const scale = c.rows / diy.rows;
	const label = extrapolated ? ` — DIY measured at ${count(diy.rows)} rows, scaled ×${fmt(scale, 0)} (extrapolation)` : '';
	const speedName = `(c) ≥ ${FASTER_THAN_DIY_FILTER}× faster than DIY with Filter${label}`;
	const memoryName = `(c) ≤ 1/${1 / DIY_FILTER_MEMORY_SHARE} of DIY-with-Filter memory increase${label}`;
	if (ok(diy)) {
		const speed = (diy.wallSeconds * scale) / c.wallSeconds;
		const memory = c.peakIncreaseMiB / (diy.peakIncreaseMiB * scale);
		return [
			{ name: speedName, met: speed >= FASTER_THAN_DIY_FILTER, measured: `${fmt(c.wallSeconds)} s vs ${fmt(diy.wallSeconds * scale)} s = ${fmt(speed, 0)}×` },
			{
				name: memoryName,
				met: memory <= DIY_FILTER_MEMORY_SHARE,
				measured: `${fmt(c.peakIncreaseMiB)} MiB vs ${fmt(diy.peakIncreaseMiB * scale)} MiB = ${memory < 1 ? `1/${fmt(1 / memory, 0)}` : `${fmt(memory, 2)}×`}`,
			},
		];
	}
	// DIY did not finish: what it used until it stopped is a lower bound.
	const bound = diy.observedSeconds ?? 0;
	const why = `${diy.status}${diy.outOfMemory ? ', out of memory' : ''}`;
	return [
		{
			name: speedName,
			met: bound / c.wallSeconds >= FASTER_THAN_DIY_FILTER,
			measured: `DIY did not finish (${why}) after ${fmt(bound)} s: ≥ ${fmt(bound / c.wallSeconds, 0)}× the Selzy node's ${fmt(c.wallSeconds)} s`,
		},
		{
			name: memoryName,
			met: Number.isFinite(diy.peakIncreaseMiB) && c.peakIncreaseMiB <= diy.peakIncreaseMiB * DIY_FILTER_MEMORY_SHARE,
			measured: `${fmt(c.peakIncreaseMiB)} MiB vs ≥ ${fmt(diy.peakIncreaseMiB)} MiB reached before DIY stopped (${why})`,
		},
	];
}

/**
 * (d) Rows without a filter, and (d-file) the same with Row Format "As in the File": no worse
 * than DIY (e-d, same run) in wall time or peak memory increase. Both are medians of the runs in
 * one n8n: the first run of a fresh n8n also grows its heap for good, whichever workflow it is.
 */
function againstDiyRows(d, diy, what = '(d) Rows without filter') {
	if (!d || !diy) return [];
	if (!ok(d) || !ok(diy)) {
		return [{ name: `${what}: no worse than DIY`, met: ok(d) && !ok(diy), measured: `Selzy node ${d.status}, DIY ${diy.status}` }];
	}
	return [
		{
			name: `${what}: time no worse than DIY`,
			met: d.wallSeconds <= diy.wallSeconds,
			measured: `${fmt(d.wallSeconds)} s vs ${fmt(diy.wallSeconds)} s = ${fmt(d.wallSeconds / diy.wallSeconds, 2)}×`,
		},
		{
			name: `${what}: memory no worse than DIY (median of the runs)`,
			met: medianIncrease(d) <= medianIncrease(diy),
			measured:
				`${fmt(medianIncrease(d))} MiB vs ${fmt(medianIncrease(diy))} MiB = ${fmt(medianIncrease(d) / medianIncrease(diy), 2)}× ` +
				`(largest run ${fmt(d.peakIncreaseMiB)} vs ${fmt(diy.peakIncreaseMiB)} MiB)`,
		},
	];
}

/** Median peak increase of a scenario's runs; results stored before it was kept fall back to the largest. */
const medianIncrease = (result) => result.medianPeakIncreaseMiB ?? result.peakIncreaseMiB;

module.exports = { evaluateTargets };
