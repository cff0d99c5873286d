'use strict';
// Checks a measured execution's output against the sandbox's ground truth.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');

const h = require('../../test/tooling');
const { FILE_ROWS_SAMPLE } = require('./ground-truth');

const READ_EXECUTION = path.join(__dirname, '..', 'read-execution.js');

/**
 * Checks the first measured run's output against the sandbox's ground truth, reading n8n's
 * database after n8n has stopped (bench/read-execution.js, on n8n's Node), so that loading a
 * million-item execution neither costs n8n memory nor needs n8n's API to serve it.
 */
async function verify(ctx, scenario, run, lastNode, userFolder) {
	const check = {};
	try {
		const database = path.join(userFolder, '.n8n', 'database.sqlite');
		const asInFile = scenario.output === 'rows' && scenario.rowFormat === 'asInFile';
		const { stdout } = await h.runCommand(
			path.join(ctx.install.nodeBinDir, 'node'),
			['--max-old-space-size=8192', '--no-warnings', READ_EXECUTION, database, run.executionId, lastNode, String(asInFile ? FILE_ROWS_SAMPLE : 0)],
		);
		const { items, first, sample } = JSON.parse(stdout);
		check.outputItems = items;
		const truth = ctx.truth(scenario);
		check.expectedItems = truth.items;
		if (scenario.output === 'summary') {
			check.summaryTotal = first?.json?.total;
			check.expectedTotal = truth.total;
		}
		if (scenario.output === 'file') {
			const binary = first?.binary?.data;
			const [mode, relative] = String(binary?.id).split(':');
			const file = path.join(userFolder, '.n8n', 'storage', relative);
			check.binaryMode = mode;
			check.fileBytes = fs.statSync(file).size;
			check.fileSha256 = await sha256File(file);
			const expected = await truth.file();
			check.expectedFileBytes = expected.size;
			check.fileMatches = expected.size === check.fileBytes && expected.sha256 === check.fileSha256;
		}
		if (scenario.kind === 'selzy' && scenario.output === 'rows' && first) {
			check.firstItem = first.json;
		}
		if (asInFile) Object.assign(check, compareFileRows(sample, ctx.fileRows(scenario.campaignId)));
		check.verified =
			check.outputItems === check.expectedItems &&
			(!asInFile || check.sampleMatches === true) &&
			(scenario.output !== 'summary' || check.summaryTotal === check.expectedTotal) &&
			(scenario.output !== 'file' || check.fileMatches === true);
	} catch (error) {
		check.verified = false;
		check.verifyError = String(error.message).split('\n').slice(0, 3).join(' ').slice(0, 300);
	}
	return check;
}

/**
 * Rows "as in the file": the first items must be the report's first rows with the file's own
 * columns, in its order, and values exactly as written (nothing derived, nothing added).
 */
function compareFileRows(items, expected) {
	const sameRow = (item, row) => {
		const keys = Object.keys(row);
		return item !== null && typeof item === 'object' && isDeepStrictEqual(Object.keys(item), keys) && keys.every((key) => item[key] === row[key]);
	};
	const mismatch = expected.findIndex((row, index) => !sameRow(items[index], row));
	return {
		sampleRows: expected.length,
		sampleMatches: items.length === expected.length && mismatch < 0,
		...(mismatch >= 0 ? { sampleMismatch: { index: mismatch, item: items[mismatch] ?? null, expected: expected[mismatch] } } : {}),
	};
}

function sha256File(file) {
	return new Promise((resolve, reject) => {
		const hash = crypto.createHash('sha256');
		fs.createReadStream(file)
			.on('data', (chunk) => hash.update(chunk))
			.on('error', reject)
			.on('end', () => resolve(hash.digest('hex')));
	});
}

module.exports = { verify, compareFileRows };
