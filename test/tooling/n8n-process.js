'use strict';
// Starting and stopping n8n processes (start, worker, webhook) on free loopback ports.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { request } = require('undici');

const { formatDuration, say } = require('./progress');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port that was free a moment ago on loopback. */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

async function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * Starts `n8n start` (or another n8n command: `worker`, `webhook`) in its own process group with
 * output going to logFile. Readiness is polled at readyUrl (default: the process's own
 * /healthz/readiness). Returns { url, port, pid, stop() }; stop() ends the whole group.
 * An env value of undefined leaves that variable unset in n8n's environment. onSpawn(handle) is
 * called as soon as the process exists, before it is ready (so an interrupted start can be undone).
 * nodeArgs go to Node itself (e.g. `--inspect=127.0.0.1:<port>` for a profile).
 */
async function startN8n({
	install,
	userFolder,
	port,
	brokerPort,
	logFile,
	env = {},
	readyTimeoutMs = 180_000,
	command = 'start',
	readyUrl,
	onSpawn,
	nodeArgs = [],
	announce = false,
}) {
	port = port ?? (await freePort());
	brokerPort = brokerPort ?? (await freePort());
	const url = `http://127.0.0.1:${port}`;
	readyUrl = readyUrl ?? `${url}/healthz/readiness`;
	fs.mkdirSync(userFolder, { recursive: true });
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const log = fs.openSync(logFile, 'a');
	const childEnv = {
		...process.env,
		PATH: `${install.nodeBinDir}${path.delimiter}${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `${url}/`,
		N8N_EDITOR_BASE_URL: `${url}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		DB_TYPE: 'sqlite',
		...install.env,
		...env,
	};
	delete childEnv.NODE_OPTIONS;
	for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
	const child = spawn(path.join(install.nodeBinDir, 'node'), [...nodeArgs, install.n8nBin, command], {
		cwd: install.n8nDir,
		env: childEnv,
		detached: true,
		stdio: ['ignore', log, log],
	});
	fs.closeSync(log);
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		});
	});

	const handle = {
		url,
		port,
		brokerPort,
		pid: child.pid,
		logFile,
		userFolder,
		get exited() {
			return exited;
		},
		/** Ends n8n's process group (SIGTERM, then SIGKILL after a grace period). */
		async stop(graceMs = 15_000) {
			if (exited) return exited;
			signalGroup(child.pid, 'SIGTERM');
			const result = await Promise.race([exitPromise, sleep(graceMs).then(() => null)]);
			if (result) {
				signalGroup(child.pid, 'SIGKILL'); // leftovers such as the task runner
				return result;
			}
			signalGroup(child.pid, 'SIGKILL');
			return exitPromise;
		},
		/** Ends the group synchronously; for process 'exit' handlers. */
		killNow() {
			if (!exited) signalGroup(child.pid, 'SIGKILL');
		},
	};

	onSpawn?.(handle);
	const startedAt = Date.now();
	const deadline = startedAt + readyTimeoutMs;
	let nextHeartbeat = startedAt + 15_000;
	for (;;) {
		if (announce && Date.now() >= nextHeartbeat) {
			nextHeartbeat += 15_000;
			say(`    … n8n is starting: ${formatDuration(Date.now() - startedAt)} so far (a first start creates its database); log: ${logFile}`);
		}
		if (exited) {
			throw new Error(`n8n exited (${JSON.stringify(exited)}) before it was ready; log tail:\n${tailOf(logFile)}`);
		}
		try {
			const response = await request(readyUrl, { headersTimeout: 2000, bodyTimeout: 2000 });
			await response.body.dump();
			if (response.statusCode === 200) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await handle.stop();
			throw new Error(`n8n was not ready within ${readyTimeoutMs / 1000}s; log tail:\n${tailOf(logFile)}`);
		}
		await sleep(500);
	}
	return handle;
}

function signalGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
	} catch (error) {
		if (error.code !== 'ESRCH') throw error;
	}
}

function tailOf(file, lines = 40) {
	try {
		return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

module.exports = { freePort, portIsFree, startN8n, tailOf, sleep };
