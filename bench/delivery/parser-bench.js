'use strict';
// bench/parser.js in a child process (TypeScript through ts-node), its figures read back.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { REPO } = require('../../test/tooling');

const BENCH = path.join(__dirname, '..');

function runParserBench() {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(BENCH, 'parser.js')], {
			cwd: REPO,
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code !== 0) return reject(new Error(`bench/parser.js exited with ${code}`));
			resolve({ table: out.trim(), ...JSON.parse(fs.readFileSync(path.join(BENCH, 'parser-results.json'), 'utf8')) });
		});
	});
}

module.exports = { runParserBench };
