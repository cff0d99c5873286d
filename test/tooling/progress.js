'use strict';
// Long-running steps with a visible pulse: a line when a step starts, a heartbeat at least every
// HEARTBEAT_MS while it runs (with where its full output goes), and its duration when it ends.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const HEARTBEAT_MS = 15_000;

function formatDuration(ms) {
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds}s`;
	return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Prints to stderr, so a command's stdout can stay machine-readable. */
function say(line) {
	process.stderr.write(`${line}\n`);
}

/**
 * Runs a command with its output appended to logFile, printing a heartbeat while it runs.
 * Resolves with the duration; rejects with the log's tail when the command fails.
 * `note` is added to the heartbeat (e.g. why the step takes long).
 */
function runStep(label, command, args, { cwd, env, logFile, note = '' }) {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const log = fs.openSync(logFile, 'a');
	fs.writeSync(log, `\n$ ${command} ${args.join(' ')}   (in ${cwd}, ${new Date().toISOString()})\n`);
	const started = Date.now();
	say(`  → ${label}`);
	const child = spawn(command, args, { cwd, env, stdio: ['ignore', log, log] });
	fs.closeSync(log);
	const heartbeat = setInterval(() => {
		say(`    … ${label}: ${formatDuration(Date.now() - started)} so far${note ? ` (${note})` : ''}; output in ${logFile}`);
	}, HEARTBEAT_MS);
	return new Promise((resolve, reject) => {
		child.on('error', (error) => {
			clearInterval(heartbeat);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearInterval(heartbeat);
			const took = Date.now() - started;
			if (code === 0) {
				say(`  ✓ ${label} (${formatDuration(took)})`);
				resolve(took);
				return;
			}
			reject(new Error(`${label} failed (${signal ?? `exit code ${code}`}); last lines of ${logFile}:\n${tail(logFile)}`));
		});
	});
}

function tail(file, lines = 25) {
	try {
		return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

module.exports = { HEARTBEAT_MS, formatDuration, runStep, say, tail };
