#!/usr/bin/env node
'use strict';
// `npm run e2e`: the packed package inside a real n8n, against the local Selzy sandbox.
// Every assertion reads execution data back from n8n. Env: N8N_VERSION, SELZY_CACHE,
// E2E_SKIP_BUILD=1 (pack the existing dist/), E2E_KEEP=1 (keep the work folder), E2E_ONLY=a,c.
// Scenario k (AI Agent with a scripted chat model) lives in agent-tool.js, l in contacts.js, m–o in contactWrites.js,
// p, q and v (the Selzy Events Trigger) in events.js.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const h = require('../tooling');
const { createSandbox } = require('../sandbox/server');
const { createHostileServer } = require('../sandbox/hostile');
const agentTool = require('./agent-tool');
const contacts = require('./contacts');
const contactWrites = require('./contactWrites');
const crash = require('./crash');
const events = require('./events');

const OWNER = { email: 'e2e-owner@example.com', password: 'E2e-Owner-Passw0rd', firstName: 'E2E', lastName: 'Owner' };
const TRIGGER_TOKEN = 'e2e-shared-secret';
const ACTION = 'n8n-nodes-selzy.selzy';
const TRIGGER = 'n8n-nodes-selzy.selzyTrigger';

// ── workflow builders ──────────────────────────────────────────────────────

function credentialRef(credential) {
	return { selzyApi: { id: credential.id, name: credential.name } };
}

function manualReportWorkflow(name, parameters, credential) {
	return {
		name,
		nodes: [
			{ id: crypto.randomUUID(), name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: crypto.randomUUID(),
				name: 'Selzy',
				type: ACTION,
				typeVersion: 1,
				position: [240, 0],
				parameters: { resource: 'campaign', operation: 'getDeliveryReport', ...parameters },
				credentials: credentialRef(credential),
			},
		],
		connections: { 'Manual Trigger': { main: [[{ node: 'Selzy', type: 'main', index: 0 }]] } },
	};
}

function triggerWorkflow(name, webhookId, parameters, credential) {
	return {
		name,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'Selzy Trigger',
				type: TRIGGER,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters,
				credentials: credentialRef(credential),
			},
		],
		connections: {},
	};
}

const campaign = (id) => ({ __rl: true, mode: 'id', value: String(id) });
const isoOf = (selzyUtc) => new Date(selzyUtc.replace(' ', 'T') + 'Z').toISOString();

// ── a server that records every request (stands for an attacker-chosen download host) ──

async function startRecorder() {
	const received = [];
	const server = http.createServer((req, res) => {
		received.push({ method: req.method, url: req.url, time: Date.now() });
		res.writeHead(200, { 'content-type': 'text/csv' });
		res.end('email,send_result,last_update\nattacker@example.com,ok_delivered,2025-01-01 00:00:00\n');
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		received,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

// ── the run ────────────────────────────────────────────────────────────────

async function setup(env) {
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	const runsDir = path.join(h.REPO, '.e2e-tmp');
	// Failed runs are kept for their logs; only the newest few.
	if (fs.existsSync(runsDir)) {
		const old = fs.readdirSync(runsDir).filter((name) => name.startsWith('run-')).sort().slice(0, -4);
		for (const name of old) fs.rmSync(path.join(runsDir, name), { recursive: true, force: true });
	}
	env.workDir = path.join(runsDir, `run-${stamp}`);
	env.userFolder = path.join(env.workDir, 'user');
	env.logFile = path.join(env.workDir, 'n8n.log');
	fs.mkdirSync(env.workDir, { recursive: true });

	const install = await h.ensureN8n();
	const packed = await h.buildAndPack(path.join(env.workDir, 'pack'), { build: process.env.E2E_SKIP_BUILD !== '1' });
	const installedAt = await h.installPackage(env.userFolder, packed);
	if (fs.lstatSync(installedAt).isSymbolicLink()) throw new Error('the package must be a packed copy, not a link');

	env.sandbox = await createSandbox({ port: 0 });
	env.recorder = await startRecorder();
	const n8nOptions = {
		install,
		userFolder: env.userFolder,
		logFile: env.logFile,
		env: {
			N8N_LOG_LEVEL: 'debug',
			// Scenario i reads n8n's expression-sandbox counter from /metrics.
			N8N_METRICS: 'true',
			// Publish activations within a second instead of the default 15 s outbox poll.
			N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '1000',
		},
	};
	env.n8n = await h.startN8n(n8nOptions);
	/** Kills n8n's whole process group at once (kill -9) and starts it again on the same database and port. */
	env.killAndRestartN8n = async () => {
		const { port, brokerPort } = env.n8n;
		env.n8n.killNow();
		await h.waitUntil(async () => (await h.portIsFree(port)) && (await h.portIsFree(brokerPort)), 30_000, 'the killed n8n to free its ports');
		env.n8n = await h.startN8n({ ...n8nOptions, port, brokerPort });
	};

	const client = new h.N8nClient(env.n8n.url, { version: install.version });
	env.version = install.version;
	env.client = client;
	await client.ownerLogin(OWNER);
	env.owner = OWNER;
	await client.createApiKey('e2e');

	const nodeTypes = await client.nodeTypes();
	const names = new Set(nodeTypes.map((type) => type.name));
	for (const expected of [ACTION, TRIGGER]) {
		if (!names.has(expected)) {
			throw new Error(`n8n did not load ${expected} from ${installedAt}; log tail:\n${h.tailOf(env.logFile)}`);
		}
	}

	const credentialTypes = await client.credentialTypes();
	if (!credentialTypes.some((type) => type.name === 'selzyApi')) throw new Error('n8n did not load the selzyApi credential type');

	env.goodData = { apiKey: env.sandbox.apiKey, baseUrl: env.sandbox.url, language: 'en' };
	env.badKey = `sbx_wrong_${crypto.randomBytes(12).toString('hex')}`;
	env.badData = { apiKey: env.badKey, baseUrl: env.sandbox.url, language: 'en' };
	env.good = await client.createCredential({ name: 'Selzy sandbox', type: 'selzyApi', data: env.goodData });
	env.bad = await client.createCredential({ name: 'Selzy wrong key', type: 'selzyApi', data: env.badData });
	return { install, packed };
}

/** Creates a Manual Trigger → Selzy workflow, runs it and returns the finished execution. */
async function runReport(env, name, parameters, credential = env.good) {
	const workflow = await env.client.createWorkflow(manualReportWorkflow(name, parameters, credential));
	const executionId = await env.client.runManually(workflow.id);
	return env.client.waitForExecution(executionId, { timeoutMs: 120_000 });
}

function expectSuccess(execution, nodeName = 'Selzy') {
	if (execution.status !== 'success') {
		const error = execution.data?.resultData?.error;
		throw new Error(`execution ${execution.id} ended ${execution.status}: ${error?.message ?? 'no error message'} ${error?.description ?? ''}`);
	}
	const items = h.nodeOutput(execution, nodeName);
	if (!items) throw new Error(`node ${nodeName} did not run in execution ${execution.id}`);
	return items;
}

/** Waits until a workflow has at least `count` finished executions; returns them with data, oldest first. */
async function waitForExecutions(env, workflowId, count, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = await env.client.executionsOf(workflowId);
		const finished = list.filter((execution) => execution.stoppedAt);
		if (finished.length >= count && finished.length === list.length) {
			const sorted = finished.sort((x, y) => Number(x.id) - Number(y.id));
			return Promise.all(sorted.map((execution) => env.client.waitForExecution(execution.id)));
		}
		if (Date.now() > deadline) {
			throw new Error(`workflow ${workflowId} has ${finished.length}/${list.length} finished executions, expected ${count}`);
		}
		await h.sleep(250);
	}
}

async function expectFileMatches(env, item, campaignId) {
	assert.ok(item?.binary?.data, `no binary "data" on the item: ${JSON.stringify(item).slice(0, 300)}`);
	const binary = item.binary.data;
	const truth = await env.sandbox.groundTruth({ campaignId }).sha256AndSize();
	const bytes = await env.client.downloadBinary(binary.id);
	assert.equal(bytes.length, truth.size, 'downloaded binary size');
	assert.equal(h.sha256(bytes), truth.sha256, 'downloaded binary sha256');
	// The same bytes are on disk in filesystem mode.
	const [mode, relative] = binary.id.split(':');
	assert.equal(mode, 'filesystem-v2', `binary data mode of ${binary.id}`);
	// n8n 2.x keeps binary files under .n8n/storage, 1.x under .n8n/binaryData.
	const storage = (await env.client.major()) < 2 ? 'binaryData' : 'storage';
	const onDisk = fs.readFileSync(path.join(env.userFolder, '.n8n', storage, relative));
	assert.equal(h.sha256(onDisk), truth.sha256, 'binary file on disk');
	assert.equal(Number(item.json.fileSize ?? binary.bytes ?? bytes.length), truth.size, 'fileSize in the item');
	return { size: truth.size, sha256: truth.sha256 };
}

const SCENARIOS = [
	{
		id: 'a',
		name: 'rows output (poll) on campaign 1002 equals the sandbox ground truth',
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
			const fieldIds = [101, 103];
			const execution = await runReport(env, 'e2e a: rows', {
				campaignId: campaign(1002),
				waitMode: 'poll',
				output: 'rows',
				options: { pollInterval: 1, timeout: 2, additionalFields: fieldIds.map(String) },
			});
			const items = expectSuccess(execution);
			const truth = env.sandbox.groundTruth({ campaignId: 1002, fieldIds });
			assert.equal(items.length, truth.total, 'row count');
			truth.rows.forEach((expected, index) => {
				const row = items[index].json;
				const where = `row ${index} (${expected.email})`;
				assert.equal(row.email, expected.email, `${where} email`);
				assert.equal(row.send_result, expected.send_result, `${where} send_result`);
				assert.equal(new Date(row.last_update).toISOString(), isoOf(expected.last_update), `${where} last_update`);
				assert.match(String(row.last_update), /Z$|\+00:00$/, `${where} last_update is UTC`);
				assert.ok(row.status && row.status_group, `${where} has status and status_group`);
				assert.deepEqual(row.fields, expected.fields, `${where} fields`);
			});
			return `${items.length} rows`;
		},
	},
	{
		id: 'b',
		name: 'file output stores the exact report bytes (size and sha256)',
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
			const execution = await runReport(env, 'e2e b: file', {
				campaignId: campaign(1004),
				waitMode: 'poll',
				output: 'file',
				options: { pollInterval: 1, timeout: 5 },
			});
			const items = expectSuccess(execution);
			assert.equal(items.length, 1, 'one item');
			const { size } = await expectFileMatches(env, items[0], 1004);
			assert.ok(items[0].json.task_uuid, 'task_uuid in the item');
			return `${size} bytes`;
		},
	},
	{
		id: 'c',
		name: 'Notify URL → Selzy Trigger workflows output the file and the summary',
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 300, callbackTimes: 1 });
			const fileWebhook = `e2e-file-${crypto.randomUUID()}`;
			const summaryWebhook = `e2e-summary-${crypto.randomUUID()}`;
			const fileTrigger = await env.client.createWorkflow(
				triggerWorkflow('e2e c: trigger file', fileWebhook, { verify: true, taskTypes: ['getCampaignDeliveryStats'], output: 'file', options: {} }, env.good),
			);
			const summaryTrigger = await env.client.createWorkflow(
				triggerWorkflow(
					'e2e c: trigger summary',
					summaryWebhook,
					{ verify: true, token: TRIGGER_TOKEN, taskTypes: ['getCampaignDeliveryStats'], output: 'summary', options: {} },
					env.good,
				),
			);
			const started = Date.now();
			await env.client.activate(fileTrigger.id);
			await env.client.activate(summaryTrigger.id);
			const activation = Date.now() - started;
			env.fileTrigger = { workflow: fileTrigger, url: `${env.n8n.url}/webhook/${fileWebhook}/selzy` };
			env.summaryTrigger = { workflow: summaryTrigger, url: `${env.n8n.url}/webhook/${summaryWebhook}/selzy` };

			const request = await runReport(env, 'e2e c: request with notify url (file)', {
				campaignId: campaign(1001),
				waitMode: 'none',
				notifyUrl: env.fileTrigger.url,
			});
			const [task] = expectSuccess(request);
			assert.ok(task.json.task_uuid, 'the action returned the task');
			const [fileRun] = await waitForExecutions(env, fileTrigger.id, 1);
			const fileItems = expectSuccess(fileRun, 'Selzy Trigger');
			assert.equal(fileItems.length, 1, 'one file item');
			assert.equal(fileItems[0].json.task_uuid, task.json.task_uuid, 'trigger ran for the requested task');
			await expectFileMatches(env, fileItems[0], 1001);

			const second = await runReport(env, 'e2e c: request with notify url (summary)', {
				campaignId: campaign(1002),
				waitMode: 'none',
				notifyUrl: `${env.summaryTrigger.url}?token=${TRIGGER_TOKEN}`,
			});
			const [summaryTask] = expectSuccess(second);
			const [summaryRun] = await waitForExecutions(env, summaryTrigger.id, 1);
			const [summary] = expectSuccess(summaryRun, 'Selzy Trigger');
			const truth = env.sandbox.groundTruth({ campaignId: 1002 });
			assert.equal(summary.json.task_uuid, summaryTask.json.task_uuid, 'summary for the requested task');
			assert.equal(summary.json.total, truth.total, 'summary total');
			assert.deepEqual(summary.json.bySendResult, truth.bySendResult, 'summary bySendResult');
			assert.ok(summary.json.byGroup && summary.json.rates, 'summary has byGroup and rates');
			const delivered = env.sandbox.callbacks.filter((callback) => callback.status === 200).length;
			assert.equal(delivered, 2, 'both callbacks answered 200');
			return `activation ${activation} ms`;
		},
	},
	{
		id: 'd',
		name: 'forged callback rejected, duplicate callback runs once, wrong token gets 401',
		needs: ['c'],
		async run(env) {
			const { client, recorder } = env;
			const { workflow, url } = env.fileTrigger;
			const before = (await client.executionsOf(workflow.id)).length;

			const forged = await client.call('POST', url.slice(env.n8n.url.length), {
				body: {
					result: {
						task_uuid: crypto.randomUUID(),
						task_type: 'getCampaignDeliveryStats',
						status: 'completed',
						file_to_download: `${recorder.url}/files/forged/report.csv`,
					},
				},
				expect: null,
			});
			assert.ok([400, 404].includes(forged.status), `forged callback answered ${forged.status}, expected 404 or 400`);

			const junk = await client.call('POST', url.slice(env.n8n.url.length), { body: { hello: 'world' }, expect: null });
			assert.equal(junk.status, 400, 'a body that is not a callback gets 400');

			const summaryPath = env.summaryTrigger.url.slice(env.n8n.url.length);
			const callbackBody = { result: { task_uuid: crypto.randomUUID(), task_type: 'getCampaignDeliveryStats', status: 'completed' } };
			const wrongToken = await client.call('POST', `${summaryPath}?token=wrong`, { body: callbackBody, expect: null });
			assert.equal(wrongToken.status, 401, 'wrong token');
			const noToken = await client.call('POST', summaryPath, { body: callbackBody, expect: null });
			assert.equal(noToken.status, 401, 'missing token');

			// Selzy retrying a callback: the sandbox sends each one twice, as a form body this time.
			env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 300, callbackTimes: 2, callbackFormat: 'form' });
			const request = await runReport(env, 'e2e d: duplicate callbacks', {
				campaignId: campaign(1001),
				waitMode: 'none',
				notifyUrl: url,
			});
			const [task] = expectSuccess(request);
			const uuid = task.json.task_uuid;
			await waitUntil(() => env.sandbox.callbacks.filter((c) => c.taskUuid === uuid && (c.status || c.error)).length === 2, 20_000, 'two callbacks sent');
			// And the same body once more by hand.
			const sent = env.sandbox.callbacks.find((c) => c.taskUuid === uuid);
			const replay = await client.call('POST', url.slice(env.n8n.url.length), {
				body: sent.body,
				headers: { 'content-type': sent.contentType },
				expect: null,
			});
			assert.equal(replay.status, 200, 'a replayed callback is acknowledged');
			await h.sleep(2500);
			const after = await waitForExecutions(env, workflow.id, before + 1);
			const forTask = after.filter((execution) => h.nodeOutput(execution, 'Selzy Trigger')?.[0]?.json?.task_uuid === uuid);
			assert.equal(forTask.length, 1, `executions for task ${uuid}, delivered twice by the sandbox and replayed once`);
			assert.equal(after.length, before + 1, `trigger executions (had ${before} before the forged and duplicate callbacks)`);
			const summaryRuns = await env.client.executionsOf(env.summaryTrigger.workflow.id);
			assert.equal(summaryRuns.length, 1, 'callbacks with a wrong or missing token started no execution');
			assert.equal(recorder.received.length, 0, 'the forged download host was never contacted');
			const statuses = env.sandbox.callbacks.filter((c) => c.taskUuid === uuid).map((c) => c.status);
			return `forged ${forged.status}, callbacks ${statuses.join('/')}, replay ${replay.status}`;
		},
	},
	{
		id: 'e',
		name: 'wrong API key: execution fails with invalid_api_key and the key leaks nowhere',
		async run(env) {
			env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null, callbackTimes: 1, callbackFormat: 'json' });
			const execution = await runReport(
				env,
				'e2e e: wrong key',
				{ campaignId: campaign(1001), waitMode: 'poll', output: 'summary', options: { pollInterval: 1, timeout: 1 } },
				env.bad,
			);
			assert.equal(execution.status, 'error', 'execution status');
			const error = execution.data?.resultData?.error ?? h.nodeError(execution, 'Selzy');
			const text = JSON.stringify(error ?? {});
			assert.match(text, /invalid_api_key/, `error mentions invalid_api_key: ${text.slice(0, 400)}`);
			const whole = JSON.stringify(execution);
			assert.ok(!whole.includes(env.badKey), 'the wrong key appears in the execution data');
			assert.ok(!whole.includes(env.sandbox.apiKey), 'the good key appears in the execution data');
			await h.sleep(500); // let the log flush
			assertKeysNotInLog(env);
			const inUrl = env.sandbox.requests.filter((entry) => entry.keyInUrl);
			assert.equal(inUrl.length, 0, `requests that carried the key in the URL: ${inUrl.map((entry) => entry.path).join(', ')}`);
			return (error?.message ?? '').slice(0, 80);
		},
	},
	{
		id: 'f',
		name: 'credential test: success for a good key, invalid_api_key for a bad one',
		async run(env) {
			const good = await env.client.testCredential({ id: env.good.id, name: env.good.name, type: 'selzyApi', data: env.goodData });
			assert.equal(good.status, 'OK', `good key: ${JSON.stringify(good)}`);
			const bad = await env.client.testCredential({ id: env.bad.id, name: env.bad.name, type: 'selzyApi', data: env.badData });
			assert.equal(bad.status, 'Error', `bad key: ${JSON.stringify(bad)}`);
			assert.match(bad.message, /invalid_api_key/, 'bad key message');
			assertKeysNotInLog(env);
			return bad.message.slice(0, 80);
		},
	},
	{
		id: 'g',
		name: "wait 'Until Selzy Notifies': the execution parks, ignores a forged resume and resumes on Selzy's callback",
		async run(env) {
			// The node polls for 45 s before it parks the execution, so the report becomes ready later.
			env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 52_000, callbackTimes: 1, callbackFormat: 'json' });
			const workflow = await env.client.createWorkflow(
				manualReportWorkflow(
					'e2e g: wait for callback',
					{ campaignId: campaign(1002), waitMode: 'callback', output: 'summary', options: { pollInterval: 5, timeout: 5 } },
					env.good,
				),
			);
			const executionId = await env.client.runManually(workflow.id);
			await waitUntil(
				async () => (await env.client.publicApi(`/executions/${executionId}`).catch(() => undefined))?.status === 'waiting',
				50_000,
				'the execution to wait for the callback',
			);
			const task = env.sandbox.tasks.at(-1);
			const resumeUrl = new URL(String(task.params.notify_url));
			assert.match(resumeUrl.pathname, new RegExp(`^/webhook-waiting/${executionId}$`), 'notify_url is the resume URL');
			assert.notEqual(task.status, 'completed', 'the report is not ready yet');

			// The resume URL without the node's secret: rejected, the execution keeps waiting.
			const forgedUrl = new URL(resumeUrl);
			forgedUrl.searchParams.delete('selzy_secret');
			const forged = await env.client.call('POST', forgedUrl.pathname + forgedUrl.search, {
				body: { result: { task_uuid: task.uuid, task_type: 'getCampaignDeliveryStats', status: 'completed' } },
				expect: null,
			});
			assert.equal(forged.status, 401, 'resume without the secret');
			// A secret of the right length in other characters, and one computed from the API key.
			const resumeCall = async (secret, uuid = task.uuid) => {
				const url = new URL(resumeUrl);
				if (secret !== undefined) url.searchParams.set('selzy_secret', secret);
				const body = { result: { task_uuid: uuid, task_type: 'getCampaignDeliveryStats', status: 'completed' } };
				return (await env.client.call('POST', url.pathname + url.search, { body, expect: null })).status;
			};
			assert.equal(await resumeCall('é'.repeat(32)), 401, 'non-ASCII secret of the right length');
			const fromKey = crypto.createHmac('sha256', env.sandbox.apiKey).update(`selzy-resume:${executionId}`).digest('hex').slice(0, 32);
			assert.equal(await resumeCall(fromKey), 401, 'a secret derived from the API key');
			// The right secret (kept with the waiting execution in n8n's database), another task: 404.
			const otherTask = crypto.randomUUID();
			assert.equal(await resumeCall(undefined, otherTask), 404, 'a callback for another task');
			assert.equal((await env.client.publicApi(`/executions/${executionId}`)).status, 'waiting', 'still waiting after the forged resumes');

			const execution = await env.client.waitForExecution(executionId, { timeoutMs: 60_000 });
			const [summary] = expectSuccess(execution);
			assert.equal(summary.json.task_uuid, task.uuid, 'summary of the requested task');
			const truth = env.sandbox.groundTruth({ campaignId: 1002 });
			assert.equal(summary.json.total, truth.total, 'summary total');
			assert.deepEqual(summary.json.bySendResult, truth.bySendResult, 'summary bySendResult');
			const callback = env.sandbox.callbacks.find((c) => c.taskUuid === task.uuid);
			assert.equal(callback?.status, 200, 'the resume URL accepted Selzy\'s callback');
			assert.ok(!JSON.stringify(execution).includes(env.sandbox.apiKey), 'the key appears in the execution data');
			assertKeysNotInLog(env);
			return `forged resumes 401/401/401/404, callback ${callback.status}`;
		},
	},
	{
		id: 'h',
		name: 'credential test: a key without API access (access_denied) is not reported as working',
		async run(env) {
			const data = { apiKey: env.sandbox.accessDeniedKey, baseUrl: env.sandbox.url, language: 'en' };
			const credential = await env.client.createCredential({ name: 'Selzy no API access', type: 'selzyApi', data });
			const result = await env.client.testCredential({ id: credential.id, name: credential.name, type: 'selzyApi', data });
			assert.equal(result.status, 'Error', `access_denied key: ${JSON.stringify(result)}`);
			assert.match(result.message, /access_denied|access/i, 'message names the missing access');
			return result.message.slice(0, 80);
		},
	},
	{
		id: 'i',
		name: 'credential test: a plain http Base URL off this machine fails without a request',
		async run(env) {
			const data = { apiKey: env.sandbox.apiKey, baseUrl: 'http://selzy-e2e.invalid', language: 'en' };
			const credential = await env.client.createCredential({ name: 'Selzy over http', type: 'selzyApi', data });
			const result = await env.client.testCredential({ id: credential.id, name: credential.name, type: 'selzyApi', data });
			assert.equal(result.status, 'Error', `plain http Base URL: ${JSON.stringify(result)}`);
			assert.doesNotMatch(result.message, /ENOTFOUND|EAI_AGAIN/, 'no connection was attempted');
			return result.message.slice(0, 100);
		},
	},
	{
		id: 'j',
		name: 'a burst of verified callbacks costs no expression sandbox beyond n8n’s own; odd shapes and deep bodies',
		async run(env) {
			const { client } = env;
			env.sandbox.configure({ readyAfterPolls: 0, readyAfterMs: 0, callbackTimes: 1, callbackFormat: 'json' });
			const webhookId = `e2e-burst-${crypto.randomUUID()}`;
			const workflow = await client.createWorkflow(
				triggerWorkflow('e2e i: burst', webhookId, { verify: true, taskTypes: ['getCampaignDeliveryStats'], output: 'task', options: {} }, env.good),
			);
			await client.activate(workflow.id);
			const path = `/webhook/${webhookId}/selzy`;
			const completed = async () => {
				const form = new URLSearchParams({ api_key: env.sandbox.apiKey, format: 'json', campaign_id: '1001' });
				const response = await fetch(`${env.sandbox.url}/en/api/async/getCampaignDeliveryStats`, {
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
					body: form.toString(),
				});
				const { result } = await response.json();
				await h.sleep(20);
				const task = env.sandbox.tasks.find((t) => t.uuid === result.task_uuid);
				return { task_uuid: task.uuid, task_type: 'getCampaignDeliveryStats', status: 'completed', file_to_download: task.fileUrl };
			};
			const isolates = async () => {
				const { body } = await client.call('GET', '/metrics', { expect: null });
				const match = /^n8n_expression_pool_acquired_total(?:\{[^}]*\})? (\d+)/m.exec(String(body));
				return match ? Number(match[1]) : undefined;
			};

			// Warm-up, then ten callbacks at once.
			await client.call('POST', path, { body: { result: await completed() }, expect: [200] });
			await waitForExecutions(env, workflow.id, 1);
			const tasks = [];
			for (let i = 0; i < 10; i++) tasks.push(await completed());
			const before = await isolates();
			const answers = await Promise.all(tasks.map((task) => client.call('POST', path, { body: { result: task }, expect: null })));
			assert.deepEqual(answers.map((answer) => answer.status), Array(10).fill(200), 'every callback answered 200');
			const runs = await waitForExecutions(env, workflow.id, 11);
			assert.equal(runs.length, 11, 'one execution per task');
			const after = await isolates();
			let perCallback = 'no isolate counter (legacy expression engine)';
			if (before !== undefined && after !== undefined) {
				// n8n takes one for the webhook call and one for the execution; the trigger adds none.
				assert.ok(after - before <= 20, `expression sandboxes for 10 callbacks: ${after - before} (expected at most 20)`);
				perCallback = `${(after - before) / 10} sandboxes per callback`;
			}

			// JSON inside a form field of any name, and a JSON body sent as a form.
			const formTask = await completed();
			const inField = await client.call('POST', path, {
				body: `notification=${encodeURIComponent(JSON.stringify({ result: formTask }))}`,
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				expect: null,
			});
			assert.equal(inField.status, 200, 'JSON in a form field');
			const jsonAsForm = await client.call('POST', path, {
				body: JSON.stringify({ result: await completed() }),
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				expect: null,
			});
			assert.equal(jsonAsForm.status, 200, 'a JSON body with the form content type');
			await waitForExecutions(env, workflow.id, 13);

			// A body nested 30,000 levels deep: 400, and n8n stays up.
			const deep = `{"result":{"task_uuid":"${(await completed()).task_uuid}","status":"completed","extra":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
			const nested = await client.call('POST', path, { body: deep, expect: null });
			assert.equal(nested.status, 400, `deeply nested body answered ${nested.status}`);
			const ready = await client.call('GET', '/healthz/readiness', { expect: null });
			assert.equal(ready.status, 200, 'n8n ready after the deep body');
			await h.sleep(1000);
			assert.equal((await client.executionsOf(workflow.id)).length, 13, 'the deep body started no execution');
			return perCallback;
		},
	},
	agentTool.scenario,
	contacts.scenario({ runReport, expectSuccess, waitForExecutions, manualReportWorkflow, triggerWorkflow, TRIGGER_TOKEN }),
	{
		id: 'reserved-columns',
		name: 'columns named __proto__, constructor and prototype come out of n8n with their values, as <name>_column',
		async run(env) {
			// n8n copies items with deepCopy, which leaves these three keys out.
			const csv = 'email,send_result,last_update,__proto__,constructor,prototype\na@example.com,ok_read,2025-05-01 10:00:00,p1,c1,t1\nb@example.com,err_user_unknown,2025-05-01 10:01:00,p2,c2,t2\n';
			const expected = [
				{ __proto___column: 'p1', constructor_column: 'c1', prototype_column: 't1' },
				{ __proto___column: 'p2', constructor_column: 'c2', prototype_column: 't2' },
			];
			env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
			const rowsOf = async (name, options) => {
				env.sandbox.fault({ kind: 'file', body: csv });
				const execution = await runReport(env, name, { campaignId: campaign(1001), waitMode: 'poll', output: 'rows', options: { pollInterval: 1, timeout: 2, ...options } });
				return expectSuccess(execution).map((item) => item.json);
			};
			const enriched = await rowsOf('e2e reserved-columns: enriched', {});
			assert.deepEqual(enriched.map((row) => row.fields), expected, 'enriched rows: fields');
			const asInFile = await rowsOf('e2e reserved-columns: as in the file', { rowFormat: 'asInFile' });
			assert.deepEqual(
				asInFile.map(({ __proto___column, constructor_column, prototype_column }) => ({ __proto___column, constructor_column, prototype_column })),
				expected,
				'rows as in the file',
			);
			return `${enriched.length + asInFile.length} rows with every value`;
		},
	},
	{
		id: 'gzip-members',
		name: 'a gzip report of several members (as parallel gzip tools write) is read whole',
		async run(env) {
			const zlib = require('node:zlib');
			const rows = Array.from({ length: 3000 }, (_, i) => `person${i}@example.com,${i % 3 ? 'ok_read' : 'err_user_unknown'},2025-05-01 10:00:00\n`);
			const text = `email,send_result,last_update\n${rows.join('')}`;
			const cuts = [0, 50_000, 50_123, 120_000, text.length];
			const body = Buffer.concat(cuts.slice(1).map((end, k) => zlib.gzipSync(text.slice(cuts[k], end))));
			env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
			const report = async (name, output) => {
				env.sandbox.fault({ kind: 'file', body, contentType: 'application/gzip', fileName: 'report.csv.gz' });
				const execution = await runReport(env, name, { campaignId: campaign(1001), waitMode: 'poll', output, options: { pollInterval: 1, timeout: 2 } });
				return expectSuccess(execution).map((item) => item.json);
			};
			const [summary] = await report('e2e gzip-members: summary', 'summary');
			assert.equal(summary.total, rows.length, 'summary total');
			assert.equal(summary.report?.compression, 'gzip', 'read as gzip');
			assert.deepEqual(summary.bySendResult, { ok_read: 2000, err_user_unknown: 1000 }, 'summary bySendResult');
			const items = await report('e2e gzip-members: rows', 'rows');
			assert.equal(items.length, rows.length, 'row count');
			assert.equal(items.at(-1).email, 'person2999@example.com', 'the last row of the last member');
			return `${cuts.length - 1} members, ${items.length} rows`;
		},
	},
	...crash.scenarios({ triggerWorkflow, manualReportWorkflow, expectSuccess, runReport, TRIGGER_TOKEN }),
	{
		id: 'r',
		name: 'a proxy’s 502 on the report request: sent once more, one report, the run succeeds',
		async run(env) {
			const { sandbox } = env;
			sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
			const starts = () => sandbox.requests.filter((entry) => entry.apiMethod === 'async/getCampaignDeliveryStats');
			const [startsBefore, tasksBefore] = [starts().length, sandbox.tasks.length];
			sandbox.fault({ kind: 'html502', method: 'async/getCampaignDeliveryStats' });
			const execution = await runReport(env, 'e2e r: 502 on the report request', {
				campaignId: campaign(1001),
				waitMode: 'poll',
				output: 'summary',
				options: { pollInterval: 1, timeout: 2 },
			});
			const items = expectSuccess(execution);
			const seen = starts().slice(startsBefore);
			assert.deepEqual(seen.map((entry) => entry.fault ?? null), ['html502', null], 'report requests the sandbox saw');
			assert.equal(sandbox.tasks.length - tasksBefore, 1, 'reports started');
			assert.equal(items[0].json.task_uuid, sandbox.tasks.at(-1).uuid, 'the summary is of that report');
			return `${seen.length} report requests, ${seen[1].time - seen[0].time} ms apart; summary of ${items[0].json.total} rows`;
		},
	},
	{
		id: 's',
		name: 'credential test: a 307 or 308 from the Base URL is not followed, so the key goes nowhere else',
		async run(env) {
			const api = await createHostileServer();
			const elsewhere = await createHostileServer();
			try {
				const messages = [];
				for (const status of [307, 308]) {
					api.api.answer = (method, req, res) => {
						res.writeHead(status, { Location: `${elsewhere.url}/en/api/${method}` });
						res.end();
					};
					const data = { apiKey: env.sandbox.apiKey, baseUrl: api.url, language: 'en' };
					const credential = await env.client.createCredential({ name: `Selzy redirect ${status}`, type: 'selzyApi', data });
					const result = await env.client.testCredential({ id: credential.id, name: credential.name, type: 'selzyApi', data });
					assert.equal(result.status, 'Error', `${status}: ${JSON.stringify(result)}`);
					// n8n 1.x words a failed Test request itself, without the credential's rules.
					const named = (await env.client.major()) < 2 ? `status code ${status}` : `redirect \\(HTTP ${status}\\)`;
					assert.match(result.message, new RegExp(named), `the message names the redirect: ${result.message}`);
					messages.push(result.message);
				}
				assert.equal(api.requests.length, 2, 'test requests to the Base URL');
				assert.equal(elsewhere.requests.length, 0, 'requests that reached the redirect target');
				assert.equal(elsewhere.connections, 0, 'connections to the redirect target');
				return messages[0].slice(0, 90);
			} finally {
				await api.close();
				await elsewhere.close();
			}
		},
	},
	...contactWrites.scenarios({ runReport, expectSuccess, waitForExecutions }),
	...events.scenarios({ runReport, expectSuccess, waitForExecutions }),
];


function assertKeysNotInLog(env) {
	const log = fs.readFileSync(env.logFile, 'utf8');
	assert.ok(!log.includes(env.badKey), 'the wrong key appears in the n8n log');
	assert.ok(!log.includes(env.sandbox.apiKey), 'the good key appears in the n8n log');
}

const waitUntil = h.waitUntil;

async function main() {
	const startedAt = Date.now();
	const env = {};
	const only = process.env.E2E_ONLY ? new Set(process.env.E2E_ONLY.split(',')) : null;
	const selected = SCENARIOS.filter((scenario) => !only || only.has(scenario.id));
	let passed = 0;
	let failed = 0;

	const stopAll = async (graceMs) => {
		if (process.env.E2E_DEBUG === '1' && env.sandbox && env.workDir) {
			const dump = { requests: env.sandbox.requests, callbacks: env.sandbox.callbacks, tasks: env.sandbox.tasks };
			fs.writeFileSync(path.join(env.workDir, 'sandbox.json'), JSON.stringify(dump, null, 1));
		}
		await env.n8n?.stop(graceMs).catch(() => {});
		await env.sandbox?.close().catch(() => {});
		await env.recorder?.close().catch(() => {});
	};
	process.on('exit', () => env.n8n?.killNow());
	process.on('SIGINT', () => {
		console.log('\ninterrupted; stopping n8n');
		stopAll(5000).finally(() => process.exit(130));
	});

	try {
		const setupStart = Date.now();
		let ready = false;
		try {
			const { install, packed } = await setup(env);
			ready = true;
			console.log(
				`  n8n ${install.version} at ${env.n8n.url} (log ${path.relative(h.REPO, env.logFile)}), ` +
					`${path.basename(packed.tarball)}; setup ${Date.now() - setupStart} ms`,
			);
		} catch (error) {
			console.log(`✗ setup: ${error.message}`);
			failed = selected.length;
		}
		const done = new Set();
		for (const scenario of ready ? selected : []) {
			const label = `${scenario.id}. ${scenario.name}`;
			const missing = (scenario.needs ?? []).filter((id) => !done.has(id));
			if (missing.length) {
				failed++;
				console.log(`✗ ${label}: needs scenario ${missing.join(', ')} to pass first`);
				continue;
			}
			const start = Date.now();
			try {
				const note = await scenario.run(env);
				passed++;
				done.add(scenario.id);
				console.log(`✓ ${label} (${Date.now() - start} ms)${note ? ` — ${note}` : ''}`);
			} catch (error) {
				failed++;
				console.log(`✗ ${label}: ${String(error.message).replace(/\s*\n\s*/g, ' ')}`);
			}
		}
	} finally {
		await stopAll();
		if (failed === 0 && process.env.E2E_KEEP !== '1' && env.workDir) fs.rmSync(env.workDir, { recursive: true, force: true });
		else if (env.workDir) console.log(`  kept ${path.relative(h.REPO, env.workDir)}`);
	}
	console.log(`  total ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
	console.log(`${passed} passed, ${failed} failed`);
	if (failed) process.exitCode = 1;
}

main().catch((error) => {
	console.error(error);
	console.log('0 passed, 1 failed');
	process.exitCode = 1;
});
