'use strict';
// Talking to a running n8n: REST (owner, credentials, workflows, activation, runs) and the public
// API (executions with their data), plus reading node output and errors out of an execution.

const crypto = require('node:crypto');
const { request } = require('undici');

const { sleep } = require('./n8n-process');

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

module.exports = { N8nClient, HttpError, nodeOutput, nodeError, sha256, waitUntil };
