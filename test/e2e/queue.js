#!/usr/bin/env node
'use strict';
// `npm run e2e:queue`: both nodes in n8n's queue mode as it runs across machines — Postgres and
// Redis, one main (`n8n start`, no production webhooks), two webhook processes (`n8n webhook`) and
// two workers (`n8n worker`), each with its own user, temp and binary-data folder, sharing nothing
// but Postgres and Redis, with n8n's default binary store for queue mode (the database) — against
// the local Selzy sandbox. Every assertion reads execution data back from n8n (or each process's
// own log, /proc and the database). Scenarios (test/e2e/queue/): hosts, poll, cap, trigger,
// callback, contacts (paths.js); light, resume, resume-rows (light.js, bounds.js); duplicates
// (duplicates.js); leftovers (leftovers.js, last); then every process is stopped and checked gone.
//
// Env: QUEUE_ROWS (rows of the big report, default 1000000), QUEUE_DB_MAX_FILE_MB (the database
// binary-data cap given to n8n, default 16), QUEUE_ONLY=poll,trigger (scenarios), QUEUE_FIGURES=<file>
// (writes the measured figures as JSON), E2E_SKIP_BUILD=1 (pack the existing dist/), E2E_KEEP=1
// (keep the work folder), N8N_VERSION, SELZY_CACHE.

const fs = require('node:fs');
const path = require('node:path');

const h = require('./../tooling');
const { createSandbox } = require('../sandbox/server');
const s = require('./queue/support');

const OWNER = { email: 'queue-owner@example.com', password: 'Queue-Owner-Passw0rd', firstName: 'Queue', lastName: 'Owner' };
const SIZES = {
	ROWS: Number(process.env.QUEUE_ROWS || 1_000_000),
	DB_MAX_FILE_MB: Number(process.env.QUEUE_DB_MAX_FILE_MB || 16),
	BIG_CAMPAIGN: 3001,
	// Peak worker memory a big summary may add over the 25-row control run.
	MEMORY_SLACK_MB: Number(process.env.QUEUE_MEMORY_SLACK_MB || 40),
};

const SCENARIOS = [
	...require('./queue/paths').scenarios,
	...require('./queue/light').scenarios,
	...require('./queue/bounds').scenarios,
	...require('./queue/duplicates').scenarios,
	...require('./queue/leftovers').scenarios,
];

/**
 * Starts the set-up on `env` (sandbox, Postgres, Redis, the five n8n processes, the owner, an API
 * key and the Selzy credential); `options.sizes` and `options.n8nEnv` change the defaults.
 */
async function setup(env, { sizes = SIZES, n8nEnv = {} } = {}) {
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	const runsDir = path.join(h.REPO, '.e2e-tmp');
	if (fs.existsSync(runsDir)) {
		const old = fs.readdirSync(runsDir).filter((name) => name.startsWith('queue-')).sort().slice(0, -3);
		for (const name of old) fs.rmSync(path.join(runsDir, name), { recursive: true, force: true });
	}
	env.workDir = path.join(runsDir, `queue-${stamp}`);
	fs.mkdirSync(env.workDir, { recursive: true });
	const timings = {};
	const time = async (label, fn) => {
		const started = Date.now();
		const result = await fn();
		timings[label] = Date.now() - started;
		return result;
	};

	env.debian = await time('apt', h.ensureDebianPackages);
	const [install, packed] = await Promise.all([
		time('n8n', () => h.ensureN8n()),
		time('pack', () => h.buildAndPack(path.join(env.workDir, 'pack'), { build: process.env.E2E_SKIP_BUILD !== '1' })),
	]);
	env.install = install;
	env.sizes = sizes;
	// n8n 1.x keeps binary data in memory (inside the execution data) unless told otherwise, and
	// offers its database store only when it is listed as available: set here, so both lines store
	// files where queue mode's processes can all reach them.
	env.binaryModeEnv = install.version.startsWith('1.') ? { N8N_AVAILABLE_BINARY_DATA_MODES: 'filesystem,database', N8N_DEFAULT_BINARY_DATA_MODE: 'database' } : {};
	env.figures = {};
	env.sandbox = await createSandbox({ port: 0 });
	env.sandbox.addCampaign({ id: sizes.BIG_CAMPAIGN, rows: sizes.ROWS, subject: 'Queue mode: the big one' });
	const started = await h.startQueueMode(env, {
		install,
		packed,
		workDir: env.workDir,
		workers: 2,
		webhooks: 2,
		mainServesWebhooks: false,
		env: {
			N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: String(sizes.DB_MAX_FILE_MB),
			N8N_LOG_LEVEL: 'debug',
			N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '1000',
			...env.binaryModeEnv,
			...n8nEnv,
		},
	});
	Object.assign(timings, started);

	env.client = new h.N8nClient(env.processes.main.url, { version: install.version });
	await env.client.ownerLogin(OWNER);
	await env.client.createApiKey('queue');
	env.good = await env.client.createCredential({
		name: 'Selzy sandbox',
		type: 'selzyApi',
		data: { apiKey: env.sandbox.apiKey, baseUrl: env.sandbox.url, language: 'en' },
	});
	env.timings = timings;
	return { install, packed };
}

/** Stops everything and checks, by pid, that no process of the set-up is left. */
async function stopAndCheck(env) {
	const pids = h.queueModePids(env);
	await h.stopQueueMode(env);
	await env.sandbox?.close().catch(() => {});
	const all = Object.values(pids).flat();
	const left = h.stillRunning(all);
	return { count: all.length, left, names: Object.keys(pids) };
}

async function main() {
	const startedAt = Date.now();
	const env = {};
	const only = process.env.QUEUE_ONLY ? new Set(['hosts', ...process.env.QUEUE_ONLY.split(',')]) : null;
	const selected = SCENARIOS.filter((scenario) => !only || only.has(scenario.id));
	let passed = 0;
	let failed = 0;

	process.on('exit', () => h.killQueueMode(env));
	process.on('SIGINT', () => {
		console.log('\ninterrupted; stopping n8n, Redis and Postgres');
		h.stopQueueMode(env, 5000).finally(() => process.exit(130));
	});

	try {
		const setupStart = Date.now();
		let ready = false;
		try {
			const { install, packed } = await setup(env);
			ready = true;
			const t = env.timings;
			console.log(
				`  n8n ${install.version} queue mode: main ${env.processes.main.url}, webhook processes ${env.webhookUrls.join(' ')}, ` +
					`workers ${s.workerNames(env).map((name) => `${name} pid ${env.processes[name].pid}`).join(', ')}; ` +
					`Postgres :${env.postgres.port}, Redis :${env.redis.port}; ${path.basename(packed.tarball)}; ` +
					`setup ${((Date.now() - setupStart) / 1000).toFixed(1)} s (apt: ${env.debian}; n8n ${t.n8n} ms, pack ${t.pack} ms, ` +
					`services ${t.services} ms, main ${t.main} ms, workers+webhooks ${t['worker+webhook']} ms); load ${s.loadAverage()}`,
			);
		} catch (error) {
			console.log(`✗ setup: ${error.message}`);
			failed = selected.length;
		}
		for (const scenario of ready ? selected : []) {
			const label = `${scenario.id}. ${scenario.name}`;
			const start = Date.now();
			try {
				const note = await scenario.run(env);
				passed++;
				console.log(`✓ ${label} (${Date.now() - start} ms; load ${s.loadAverage()})${note ? ` — ${note}` : ''}`);
			} catch (error) {
				failed++;
				console.log(`✗ ${label}: ${String(error.message).replace(/\s*\n\s*/g, ' ')}`);
			}
		}
	} finally {
		const stopped = await stopAndCheck(env).catch((error) => ({ error }));
		if (stopped.error || stopped.left.length) {
			failed++;
			console.log(`✗ stop: ${stopped.error?.message ?? `pids still running: ${stopped.left.join(', ')}`}`);
		} else {
			passed++;
			console.log(`✓ stop: ${stopped.count} processes (${stopped.names.join(', ')}, with their children) all gone`);
		}
		if (process.env.QUEUE_FIGURES && env.figures) {
			const figures = { n8n: env.install?.version, rows: SIZES.ROWS, load: s.loadAverage(), ...env.figures };
			fs.writeFileSync(process.env.QUEUE_FIGURES, `${JSON.stringify(figures, null, '\t')}\n`);
		}
		if (failed === 0 && process.env.E2E_KEEP !== '1' && env.workDir) fs.rmSync(env.workDir, { recursive: true, force: true });
		else if (env.workDir) console.log(`  kept ${path.relative(h.REPO, env.workDir)} (each process's log: <name>.log)`);
	}
	console.log(`  total ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
	console.log(`${passed} passed, ${failed} failed`);
	if (failed) process.exitCode = 1;
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		console.log('0 passed, 1 failed');
		process.exitCode = 1;
	});
}

module.exports = { setup, stopAndCheck, SIZES };
