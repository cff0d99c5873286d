'use strict';
// Options of `npm run bench` (bench/run.js); its --help text is the comment at the top of run.js.

const path = require('node:path');

const { parseOptions, idSet } = require('../lib/cli');

const DEFAULTS = {
	rows: 1_000_000,
	bigRows: 4_000_000,
	diyFilterRows: undefined,
	diySmallRows: undefined,
	only: null,
	skipDiy: false,
	skipParser: false,
	repeat: 3,
	timeoutMin: 15,
	diyTimeoutMin: 30,
	fields: [101, 104],
	manyMaxSeconds: 20,
	smallRows: 100_000,
	skipBuild: false,
	tarball: undefined,
	keep: false,
	writeDocs: false,
	fromResults: false,
	// A run kept apart from the full run (e.g. a few scenarios side by side): its key in
	// bench/results.json and its block in docs/performance.md.
	resultsKey: undefined,
	docsBlock: 'bench',
};

function parseArgs(argv) {
	const options = parseOptions(argv, {
		defaults: DEFAULTS,
		numbers: {
			'--rows': 'rows',
			'--big-rows': 'bigRows',
			'--diy-filter-rows': 'diyFilterRows',
			'--diy-small-rows': 'diySmallRows',
			'--repeat': 'repeat',
			'--timeout-min': 'timeoutMin',
			'--diy-timeout-min': 'diyTimeoutMin',
			'--many-max-seconds': 'manyMaxSeconds',
			'--small-rows': 'smallRows',
		},
		flags: { '--from-results': 'fromResults', '--skip-diy': 'skipDiy', '--skip-parser': 'skipParser', '--skip-build': 'skipBuild', '--keep': 'keep', '--write-docs': 'writeDocs' },
		values: {
			'--only': ['only', idSet],
			'--tarball': ['tarball', (text) => path.resolve(text)],
			'--fields': ['fields', (text) => text.split(',').filter(Boolean).map(Number)],
			'--results-key': ['resultsKey', String],
			'--docs-block': ['docsBlock', String],
		},
		helpFile: path.join(__dirname, '..', 'run.js'),
	});
	options.diyFilterRows ??= options.rows;
	options.diySmallRows ??= options.rows >= 200_000 ? Math.round(options.rows / 10) : 0;
	options.repeat = Math.max(1, Math.floor(options.repeat));
	return options;
}

module.exports = { parseArgs };
