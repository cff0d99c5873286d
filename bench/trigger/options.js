'use strict';
// Options of `npm run bench:trigger` (bench/trigger-load.js); its --help text is the comment at
// the top of trigger-load.js.

const path = require('node:path');

const { parseOptions, idSet } = require('../lib/cli');

const DEFAULTS = {
	rate: 10,
	callbacks: 240,
	burstRate: 30,
	burstCallbacks: 360,
	eventRate: 20,
	eventsPerRequest: 100,
	singleEventRate: 200,
	eventSeconds: 60,
	repeatShare: 0.2,
	rows: 1000,
	clientTimeout: 30,
	drainTimeout: 300,
	rounds: 1,
	workers: 2,
	only: null,
	profile: new Set(),
	skipBuild: false,
	tarball: undefined,
	label: undefined,
	keep: false,
	writeDocs: false,
	fromResults: false,
	resultsKey: 'triggerLoad',
	priority: undefined,
	n8nEnv: {},
	docsBlock: 'trigger-load',
};

function priority(text) {
	const value = Number(text);
	if (!Number.isInteger(value) || value < -20 || value > 19) throw new Error('--priority: a niceness from -20 to 19');
	return value;
}

function envPairs(text, previous) {
	const env = { ...previous };
	for (const pair of text.split(',').filter(Boolean)) {
		const at = pair.indexOf('=');
		if (at < 1) throw new Error(`--n8n-env: NAME=value expected, got ${pair}`);
		env[pair.slice(0, at)] = pair.slice(at + 1);
	}
	return env;
}

function parseArgs(argv) {
	return parseOptions(argv, {
		defaults: DEFAULTS,
		numbers: {
			'--rate': 'rate',
			'--callbacks': 'callbacks',
			'--burst-rate': 'burstRate',
			'--burst-callbacks': 'burstCallbacks',
			'--event-rate': 'eventRate',
			'--events-per-request': 'eventsPerRequest',
			'--single-event-rate': 'singleEventRate',
			'--event-seconds': 'eventSeconds',
			'--repeat-share': 'repeatShare',
			'--rows': 'rows',
			'--client-timeout': 'clientTimeout',
			'--drain-timeout': 'drainTimeout',
			'--rounds': 'rounds',
			'--workers': 'workers',
		},
		flags: { '--skip-build': 'skipBuild', '--keep': 'keep', '--write-docs': 'writeDocs', '--from-results': 'fromResults' },
		values: {
			'--only': ['only', idSet],
			'--profile': ['profile', idSet],
			'--tarball': ['tarball', (text) => path.resolve(text)],
			'--label': ['label', String],
			'--priority': ['priority', priority],
			'--results-key': ['resultsKey', String],
			'--n8n-env': ['n8nEnv', envPairs],
			'--docs-block': ['docsBlock', String],
		},
		helpFile: path.join(__dirname, '..', 'trigger-load.js'),
	});
}

module.exports = { parseArgs };
