'use strict';
// n8n in queue mode for the e2e suite and the benchmarks: a throwaway Postgres and Redis on free
// loopback ports, one main (`n8n start`), workers (`n8n worker`) and webhook processes
// (`n8n webhook`), each with its own user folder, temp folder and binary-data folder and the
// packed package installed, as if each ran on its own machine.

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { runCommand, installPackage } = require('./commands');
const { freePort, sleep, startN8n, tailOf } = require('./n8n-process');

const PG_BIN_GLOB = '/usr/lib/postgresql';

function commandExists(name) {
	return spawnSync('bash', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function postgresBinDir() {
	if (!fs.existsSync(PG_BIN_GLOB)) return undefined;
	const versions = fs
		.readdirSync(PG_BIN_GLOB)
		.filter((name) => fs.existsSync(path.join(PG_BIN_GLOB, name, 'bin', 'initdb')))
		.sort((x, y) => Number(y) - Number(x));
	return versions.length ? path.join(PG_BIN_GLOB, versions[0], 'bin') : undefined;
}

/** apt-get installs redis-server / postgresql only when they are missing. */
async function ensureDebianPackages() {
	const missing = [];
	if (!commandExists('redis-server')) missing.push('redis-server');
	if (!postgresBinDir()) missing.push('postgresql');
	if (!missing.length) return 'already installed';
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	await runCommand('apt-get', ['update'], { env }).catch(() => {});
	await runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
	return `installed ${missing.join(', ')}`;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a Postgres binary as the `postgres` user when we are root (initdb refuses root). */
function asPostgres(binary, args) {
	return isRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

/** Postgres runs as its own user when we are root: its folder must be under one that user can enter. */
function postgresTempBase() {
	if (!isRoot) return os.tmpdir();
	const reachable = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', os.tmpdir()]).status === 0;
	return reachable ? os.tmpdir() : '/tmp';
}

/**
 * A throwaway Postgres cluster on a free loopback port; data in a temp folder. `register` gets
 * the handle before the server starts, so an interrupted start is cleaned up too.
 */
async function startPostgres(register) {
	const bin = postgresBinDir();
	const dir = fs.mkdtempSync(path.join(postgresTempBase(), 'selzy-queue-pg-'));
	const data = path.join(dir, 'data');
	fs.mkdirSync(data);
	if (isRoot) await runCommand('chown', ['-R', 'postgres:postgres', dir]);
	const port = await freePort();
	const run = (name, args) => runCommand(...asPostgres(path.join(bin, name), args), { cwd: dir });
	const pidFile = path.join(data, 'postmaster.pid');
	const postmasterPid = () => {
		try {
			return Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) || undefined;
		} catch {
			return undefined;
		}
	};
	let stopped = false;
	const handle = {
		port,
		dir,
		database: 'n8n',
		get pid() {
			return postmasterPid();
		},
		async stop() {
			if (stopped) return;
			stopped = true;
			const pid = postmasterPid();
			if (pid) await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']).catch(() => killPid(pid, 'SIGQUIT'));
			fs.rmSync(dir, { recursive: true, force: true });
		},
		killNow() {
			const pid = postmasterPid();
			if (!stopped && pid) killPid(pid, 'SIGQUIT');
		},
	};
	register(handle);
	await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
	const options = [
		`-p ${port}`,
		`-k ${dir}`,
		'-c listen_addresses=127.0.0.1',
		// A test database: durability settings off for speed.
		'-c fsync=off',
		'-c synchronous_commit=off',
		'-c full_page_writes=off',
	].join(' ');
	await run('pg_ctl', ['-D', data, '-l', path.join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start']);
	await run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'n8n']);
	return handle;
}

/** redis-server on a free loopback port, no persistence, data folder in the work dir. */
async function startRedis(workDir, register) {
	const dir = path.join(workDir, 'redis');
	fs.mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const log = fs.openSync(path.join(dir, 'redis.log'), 'a');
	const child = spawn(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
		{ stdio: ['ignore', log, log] },
	);
	fs.closeSync(log);
	let exited = false;
	const exit = new Promise((resolve) => child.on('exit', () => resolve((exited = true))));
	const handle = {
		port,
		pid: child.pid,
		async stop() {
			if (exited) return;
			killPid(child.pid, 'SIGTERM');
			await Promise.race([exit, sleep(5000)]);
			if (!exited) killPid(child.pid, 'SIGKILL');
		},
		killNow() {
			if (!exited) killPid(child.pid, 'SIGKILL');
		},
	};
	register(handle);
	const deadline = Date.now() + 20_000;
	while (!(await redisPing(port))) {
		if (exited || Date.now() > deadline) throw new Error(`redis-server did not start; log:\n${tailOf(path.join(dir, 'redis.log'))}`);
		await sleep(100);
	}
	return handle;
}

function redisPing(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		const done = (ok) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
	});
}

function killPid(pid, signal) {
	try {
		process.kill(pid, signal);
	} catch (error) {
		if (error.code !== 'ESRCH') throw error;
	}
}

/**
 * Starts Postgres, Redis and n8n in queue mode: main first (it runs the migrations), then the
 * workers and the webhook processes side by side. Every handle is put on `handles` (postgres,
 * redis, processes.main / .webhook / .webhook-2 … / .worker / .worker-2 …) as soon as it exists,
 * so that an interrupted start can be stopped; also sets handles.webhookUrl (the first webhook
 * process, which WEBHOOK_URL names) and handles.webhookUrls. `env` is added to (or, with
 * undefined, removed from) every process's environment.
 *
 * As on separate machines, each process has its own user folder, temp folder (TMPDIR) and
 * binary-data folder (N8N_BINARY_DATA_STORAGE_PATH), all under workDir/<name>/; only Postgres and
 * Redis are shared. `mainServesWebhooks: false` leaves production webhooks to the webhook
 * processes (N8N_DISABLE_PRODUCTION_MAIN_PROCESS). Returns timings in ms.
 */
async function startQueueMode(handles, { install, packed, workDir, workers = 1, webhooks = 1, mainServesWebhooks = true, env = {} }) {
	const timings = {};
	const time = async (label, work) => {
		const started = Date.now();
		const result = await work();
		timings[label] = Date.now() - started;
		return result;
	};
	await time('services', () =>
		Promise.all([startPostgres((pg) => (handles.postgres = pg)), startRedis(workDir, (redis) => (handles.redis = redis))]),
	);
	const numbered = (base, count) => Array.from({ length: count }, (_, i) => (i === 0 ? base : `${base}-${i + 1}`));
	const workerNames = numbered('worker', workers);
	const webhookNames = numbered('webhook', webhooks);
	const ports = { main: await freePort() };
	for (const name of webhookNames) ports[name] = await freePort();
	handles.webhookUrls = webhookNames.map((name) => `http://127.0.0.1:${ports[name]}`);
	handles.webhookUrl = handles.webhookUrls[0];
	const common = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(handles.redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(handles.postgres.port),
		DB_POSTGRESDB_DATABASE: handles.postgres.database,
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
		N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('base64'),
		// Production webhooks and resume URLs ($execution.resumeUrl) point at the webhook process.
		WEBHOOK_URL: `${handles.webhookUrl}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${ports.main}/`,
		// n8n 2.x still runs manual executions on main unless this is set (on every process:
		// the webhook process resumes waiting manual executions too).
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// Queue mode's own default (database); the tooling's filesystem default is removed.
		N8N_DEFAULT_BINARY_DATA_MODE: undefined,
		...env,
	};
	// One user folder per process, as on separate machines: the package is installed into each
	// (a shared folder would also share .n8n/crash.journal, which makes every later process
	// report "Last session crashed" and sleep 10 s).
	for (const name of ['main', ...webhookNames, ...workerNames]) {
		const installedAt = await installPackage(path.join(workDir, name), packed);
		if (fs.lstatSync(installedAt).isSymbolicLink()) throw new Error('the package must be a packed copy, not a link');
		for (const folder of ['tmp', 'binary-data']) fs.mkdirSync(path.join(workDir, name, folder), { recursive: true });
	}
	handles.processes = {};
	const start = (name, options) =>
		startN8n({
			install,
			userFolder: path.join(workDir, name),
			logFile: path.join(workDir, `${name}.log`),
			onSpawn: (handle) => (handles.processes[name] = handle),
			...options,
			env: {
				...common,
				TMPDIR: path.join(workDir, name, 'tmp'),
				N8N_BINARY_DATA_STORAGE_PATH: path.join(workDir, name, 'binary-data'),
				...options.env,
			},
		});
	const mainEnv = mainServesWebhooks ? {} : { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' };
	await time('main', () => start('main', { port: ports.main, env: mainEnv }));
	const startWorker = async (name) => {
		const health = await freePort();
		return start(name, {
			command: 'worker',
			readyUrl: `http://127.0.0.1:${health}/healthz/readiness`,
			env: { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(health), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
		});
	};
	// Main has run the migrations; workers and webhook processes start side by side.
	await time('worker+webhook', () =>
		Promise.all([...workerNames.map(startWorker), ...webhookNames.map((name) => start(name, { command: 'webhook', port: ports[name] }))]),
	);
	return timings;
}

/** Stops the processes, then Redis and Postgres, of what startQueueMode put on `handles`. */
async function stopQueueMode(handles, graceMs) {
	await Promise.all(Object.values(handles.processes ?? {}).map((proc) => proc.stop(graceMs).catch(() => {})));
	await handles.redis?.stop().catch(() => {});
	await handles.postgres?.stop().catch(() => {});
}

/** The same, synchronously and at once; for process 'exit' handlers. */
function killQueueMode(handles) {
	for (const proc of Object.values(handles.processes ?? {})) proc.killNow();
	handles.redis?.killNow();
	handles.postgres?.killNow();
}

/** pid → { ppid, pgrp, state } of every process on the machine, from /proc. */
function processTable() {
	const table = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// The command name (in parentheses) may hold spaces: fields follow the last ')'.
			const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			table.set(Number(entry), { state, ppid: Number(ppid), pgrp: Number(pgrp) });
		} catch {
			// gone meanwhile
		}
	}
	return table;
}

/**
 * Every process the queue-mode set-up runs, by name: each n8n process with its process group
 * (task runners), Redis, and the Postgres server with its children.
 */
function queueModePids(handles) {
	const table = processTable();
	const pids = {};
	for (const [name, proc] of Object.entries(handles.processes ?? {})) {
		pids[name] = [...table].filter(([, p]) => p.pgrp === proc.pid).map(([pid]) => pid);
		if (!pids[name].includes(proc.pid)) pids[name].unshift(proc.pid);
	}
	if (handles.redis) pids.redis = [handles.redis.pid];
	const postmaster = handles.postgres?.pid;
	if (postmaster) pids.postgres = [postmaster, ...[...table].filter(([, p]) => p.ppid === postmaster).map(([pid]) => pid)];
	return pids;
}

/** Which of the given pids still run (zombies waiting to be reaped do not count). */
function stillRunning(pids) {
	const table = processTable();
	return pids.filter((pid) => table.has(pid) && table.get(pid).state !== 'Z');
}

module.exports = {
	ensureDebianPackages,
	postgresBinDir,
	startPostgres,
	startRedis,
	startQueueMode,
	stopQueueMode,
	killQueueMode,
	queueModePids,
	stillRunning,
};
