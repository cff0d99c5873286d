'use strict';
// bench/results.json: one file, each bench script under its own keys, written as indented JSON
// with timeline points ([seconds, MiB]) kept on one line.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { round } = require('./format');

const RESULTS_FILE = path.join(__dirname, '..', 'results.json');

function readResults(file = RESULTS_FILE) {
	return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

/** Replaces the stored keys that `owns(key)` claims with those of `entries`; keeps the rest. */
function writeResults(entries, owns, file = RESULTS_FILE) {
	const stored = readResults(file);
	for (const key of Object.keys(stored)) if (owns(key) && !(key in entries)) delete stored[key];
	Object.assign(stored, entries); // keys already stored keep their place
	fs.writeFileSync(file, `${compactPairs(JSON.stringify(stored, null, '\t'))}\n`);
}

/** Indented JSON with [number, number] pairs (timeline points) kept on one line. */
function compactPairs(json) {
	return json.replace(/\[\s*(-?[\d.e+-]+),\s*(-?[\d.e+-]+)\s*\]/g, '[$1, $2]');
}

/** At most `limit` points, each the largest RSS of its stretch, so the peak stays visible. */
function downsample(timeline, limit = 120) {
	if (!timeline || timeline.length <= limit) return timeline;
	const size = Math.ceil(timeline.length / limit);
	const kept = [];
	for (let at = 0; at < timeline.length; at += size) {
		const stretch = timeline.slice(at, at + size);
		kept.push(stretch.reduce((best, point) => (point[1] > best[1] ? point : best)));
	}
	return kept;
}

/** The machine and the n8n a run measured on. */
function machine(install) {
	return {
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model,
		memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
		benchNode: process.version,
		n8nNode: install ? nodeVersionOf(install) : undefined,
		n8n: install?.version,
		os: `${os.type()} ${os.release()}`,
		loadAverageAtStart: os.loadavg().map((value) => round(value, 2)),
	};
}

function nodeVersionOf(install) {
	try {
		const pkg = JSON.parse(fs.readFileSync(path.join(install.nodeBinDir, '..', 'package.json'), 'utf8'));
		return `v${pkg.version}`;
	} catch {
		return undefined;
	}
}

module.exports = { RESULTS_FILE, readResults, writeResults, compactPairs, downsample, machine };
