#!/usr/bin/env node
'use strict';
// Starts the Selzy sandbox on its own: node test/sandbox/cli.js [--port N] [--seed N] [--host H]

const { createSandbox } = require('./server');

const DEFAULTS = { port: 8025, seed: 1, host: '127.0.0.1' };

function parseArgs(argv) {
	const options = { ...DEFAULTS };
	for (let i = 0; i < argv.length; i += 2) {
		const name = argv[i].replace(/^--/, '');
		const value = argv[i + 1];
		if (!(name in DEFAULTS) || value === undefined) {
			throw new Error(`usage: node test/sandbox/cli.js [--port N] [--seed N] [--host H] (got "${argv[i]}")`);
		}
		options[name] = name === 'host' ? value : Number(value);
	}
	return options;
}

async function main() {
	const sandbox = await createSandbox(parseArgs(process.argv.slice(2)));
	const stop = () => sandbox.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	process.stdout.write(
		`Selzy sandbox listening on ${sandbox.url}\n` +
			`API key: ${sandbox.apiKey}\n` +
			`Try: curl -s ${sandbox.url}/en/api/getLists -d api_key=${sandbox.apiKey}  (Base URL for n8n: ${sandbox.url}; Ctrl-C stops)\n`,
	);
}

main().catch((err) => {
	process.stderr.write(`${err.message}\n`);
	process.exit(1);
});
