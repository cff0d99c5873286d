'use strict';
/** Helpers for the Selzy Trigger suites: a recording server, direct sandbox API calls, callbacks. */

const http = require('node:http');
const crypto = require('node:crypto');

/**
 * A local server that stands for "some other host": it records every request and answers
 * with a small CSV, so a test can prove that nothing was (or something was) fetched from it.
 */
async function startRecorder() {
	const requests = [];
	const server = http.createServer((req, res) => {
		requests.push({ method: req.method, url: req.url, headers: req.headers, time: Date.now() });
		res.writeHead(200, { 'Content-Type': 'text/csv' });
		res.end('email,send_result,last_update\nforged@example.com,ok_read,2026-01-01 00:00:00\n');
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		requests,
		async close() {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

/** Calls a Selzy method on the sandbox directly (form body, as Selzy expects) and returns `result`. */
async function callSelzy(sb, method, params = {}) {
	const form = new URLSearchParams({ api_key: sb.apiKey, format: 'json' });
	for (const [name, value] of Object.entries(params)) {
		if (Array.isArray(value)) value.forEach((v) => form.append(`${name}[]`, String(v)));
		else form.append(name, String(value));
	}
	const response = await fetch(`${sb.url}/en/api/${method}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: form.toString(),
	});
	const json = await response.json();
	if (json.error) throw new Error(`${method}: ${json.code} ${json.error}`);
	return json.result;
}

/** Starts a delivery report directly through the API; returns its task_uuid. */
async function startReport(sb, params) {
	return (await callSelzy(sb, 'async/getCampaignDeliveryStats', params)).task_uuid;
}

/** Starts a report (no notify_url) and polls until Selzy says completed; returns the task. */
async function completedTask(sb, campaignId = 1001) {
	const uuid = await startReport(sb, { campaign_id: campaignId });
	for (let poll = 0; poll < 20; poll++) {
		const task = await callSelzy(sb, 'async/getTaskResult', { task_uuid: uuid });
		if (task.status === 'completed') return task;
	}
	throw new Error(`task ${uuid} never completed`);
}

/** Polls `check` every 5 ms until it returns something truthy; fails after `timeoutMs`. */
async function waitUntil(check, timeoutMs = 10000) {
	const started = Date.now();
	for (;;) {
		const value = check();
		if (value) return value;
		if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

/** The sandbox's log entries for one API method (or 'download'). */
function selzyCalls(sb, apiMethod) {
	return sb.requests.filter((entry) => entry.apiMethod === apiMethod);
}

const sha256 = (buffer) => crypto.createHash('sha256').update(buffer).digest('hex');
const randomTaskUuid = () => crypto.randomUUID();

/** The items a webhook call would start the workflow with (undefined when it starts nothing). */
/**
 * The items a callback started the workflow with: the trigger's output in the execution n8n
 * started (it reads the file there), or undefined when no execution started.
 */
const startedItems = (call) => (call.execution ? (call.execution.output?.[0] ?? []) : call.webhookResult?.workflowData?.[0]);

/**
 * One sandbox and one harness for a trigger suite, reset before each test (sandbox state and the
 * trigger's static data). `onReady` receives { sb, harness } once they run.
 */
function useTriggerSandbox(seed, onReady) {
	const { createHarness } = require('../harness');
	const { createSandbox } = require('../sandbox/server');
	const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
	let sb;
	let harness;
	beforeAll(async () => {
		sb = await createSandbox({ seed });
		harness = await createHarness({ credentials: { selzyApi: { apiKey: sb.apiKey, baseUrl: sb.url, language: 'en' } } });
		onReady({ sb, harness });
	});
	afterAll(async () => {
		await harness?.close();
		await sb?.close();
	});
	beforeEach(() => {
		sb.reset();
		harness.setStaticData(SelzyTrigger, undefined);
	});
}

module.exports = {
	useTriggerSandbox,
	startRecorder,
	callSelzy,
	startReport,
	completedTask,
	waitUntil,
	selzyCalls,
	sha256,
	randomTaskUuid,
	startedItems,
};
