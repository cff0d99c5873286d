'use strict';
/**
 * Shared set-up for the Selzy action node suites: one sandbox and one harness per test file,
 * and helpers that read what happened on the wire.
 */
const http = require('node:http');
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');

/** The node as n8n names it when an AI agent uses it as a tool (`<type>Tool`). */
class SelzyTool extends Selzy {
	constructor() {
		super();
		this.description = { ...this.description, name: `${this.description.name}Tool` };
	}
}

/**
 * Registers beforeAll/afterAll/beforeEach hooks and returns `env`, whose `sb` (sandbox) and
 * `harness` are set once beforeAll has run. Every test starts from a reset sandbox whose tasks
 * complete on the first poll, unless the test configures otherwise.
 */
function useSelzy() {
	const env = { sb: undefined, harness: undefined, rawBodies: [] };
	beforeAll(async () => {
		env.sb = await createSandbox({ seed: 1 });
		env.harness = await createHarness({ credentials: { selzyApi: credentialsFor(env.sb) } });
		// Keeps the raw request bodies, to see exactly what went over the wire.
		const serveApi = env.sb.serveApi.bind(env.sb);
		env.sb.serveApi = (req, res, url, body, ...rest) => {
			env.rawBodies.push({ path: url.pathname, body: body.toString('utf8') });
			return serveApi(req, res, url, body, ...rest);
		};
	});
	afterAll(async () => {
		await env.harness?.close();
		await env.sb?.close();
	});
	beforeEach(() => {
		env.sb.reset();
		env.sb.configure({ readyAfterPolls: 0 });
		env.rawBodies.length = 0;
	});
	return env;
}

function credentialsFor(sb) {
	return { apiKey: sb.apiKey, baseUrl: sb.url, language: 'en' };
}

/** Resource locator value "By ID". */
const byId = (value) => ({ __rl: true, mode: 'id', value: String(value) });

/** Parameters of Campaign → Get Delivery Report. */
function reportParams(campaignId, rest = {}) {
	const params = { resource: 'campaign', operation: 'getDeliveryReport', campaignId: byId(campaignId), ...rest };
	// Until Selzy Notifies checks the task itself for this long before parking (45 s by default).
	if (rest.waitMode === 'callback') params.options = { callbackGrace: 1, ...rest.options };
	return params;
}

/** Parameters of Task → Get Result. */
function taskParams(taskUuid, rest = {}) {
	return { resource: 'task', operation: 'getResult', taskUuid, ...rest };
}

/** Selzy API calls the sandbox received (downloads excluded unless asked for). */
function apiCalls(sb, method) {
	return sb.requests.filter((r) => (method ? r.apiMethod === method : r.apiMethod !== 'download'));
}

function downloads(sb) {
	return sb.requests.filter((r) => r.apiMethod === 'download');
}

/** A ground-truth row as the node must output it (times in ISO 8601 UTC). */
function expectedRow(truthRow) {
	const { fields, last_update: lastUpdate, ...rest } = truthRow;
	return { ...rest, last_update: lastUpdate.replace(' ', 'T') + 'Z', fields };
}

/** The comparable part of a node row (status texts are checked separately). */
function comparableRow(row) {
	const rest = { ...row };
	delete rest.status;
	delete rest.status_group;
	return rest;
}

const jsonOf = (items) => items.map((item) => item.json);

/** Raw HTTP POST; resolves with status and parsed body (or text). */
function post(url, body, contentType = 'application/json') {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { 'Content-Type': contentType }, agent: false }, (res) => {
			let data = '';
			res.setEncoding('utf8');
			res.on('data', (chunk) => (data += chunk));
			res.on('end', () => {
				let parsed = data;
				try {
					parsed = JSON.parse(data);
				} catch {
					// not JSON: keep the text
				}
				resolve({ status: res.statusCode, body: parsed });
			});
		});
		req.on('error', reject);
		req.end(text);
	});
}

/** Polls the sandbox as Selzy's own clock would move the task on, until it completes. */
async function completeTask(sb, taskUuid) {
	for (let i = 0; i < 50; i++) {
		const form = `api_key=${encodeURIComponent(sb.apiKey)}&task_uuid=${taskUuid}&format=json`;
		const { body } = await post(`${sb.url}/en/api/async/getTaskResult`, form, 'application/x-www-form-urlencoded');
		if (body.result?.status === 'completed') return body.result;
	}
	throw new Error(`task ${taskUuid} did not complete`);
}

const { waitUntil } = require('./trigger-support');

/**
 * Makes the clock jump `jumpMs` forward the moment the sandbox answers a task poll, so a
 * poll loop with a one-minute minimum timeout times out at its next check. Returns restore().
 */
function jumpClockOnPoll(sb, jumpMs) {
	const realNow = Date.now.bind(Date);
	let skew = 0;
	const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
	const pollTask = sb.pollTask;
	sb.pollTask = function jumpingPoll(params) {
		skew = jumpMs;
		return pollTask.call(this, params);
	};
	return () => {
		spy.mockRestore();
		delete sb.pollTask;
	};
}

module.exports = {
	Selzy,
	SelzyTool,
	useSelzy,
	credentialsFor,
	byId,
	reportParams,
	taskParams,
	apiCalls,
	downloads,
	expectedRow,
	comparableRow,
	jsonOf,
	post,
	completeTask,
	waitUntil,
	jumpClockOnPoll,
};
