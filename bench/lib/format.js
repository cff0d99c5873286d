'use strict';
// Number formatting and small statistics shared by the benchmark's tables and results.

const MIB = 1024 * 1024;

const round = (value, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : undefined);
const mib = (bytes) => round(bytes / MIB, 1);
const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const count = (value) => (Number.isFinite(value) ? value.toLocaleString('en-US') : '—');

function median(values) {
	const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
	if (!sorted.length) return undefined;
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
function percentile(values, p) {
	if (!values.length) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A Markdown table of { name, measured, met } checks. */
function targetTable(targets) {
	return [
		'| Target | Measured | |',
		'|---|---|---|',
		...targets.map((t) => `| ${t.name} | ${t.measured} | ${t.met ? 'met' : '**missed**'} |`),
	].join('\n');
}

module.exports = { MIB, round, mib, fmt, count, median, percentile, targetTable };
