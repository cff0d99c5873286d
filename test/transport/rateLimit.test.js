'use strict';
// Calls past the per-key limit wait in line: in the order they asked, a callback's verification
// ahead of a bulk run's calls (Selzy waits for its answer), and a call whose time runs out in the
// line says that the limit caused it. The limiter is process-wide, so this file has its own keys.

const crypto = require('node:crypto');
const { takeTurn } = require('../../nodes/Selzy/transport/rateLimit.ts');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { TransportProbe, probeCall } = require('./probe');
const { completedTask, selzyCalls } = require('../node/trigger-support');

let sb;
let harness;
const stop = new AbortController(); // ends every call still waiting when the file is done

beforeAll(async () => {
	sb = await createSandbox({ port: 0 });
	harness = await createHarness({ credentials: { selzyApi: { apiKey: sb.apiKey, baseUrl: sb.url, language: 'en' } } });
});
afterAll(async () => {
	stop.abort();
	await harness?.close();
	await sb?.close();
});

const freshKey = () => `k-${crypto.randomUUID()}`;

/** Takes every turn a key has at once (Selzy's burst is a tenth of the limit), then queues `count` calls. */
function queueBulkRun(apiKey, count, options = {}) {
	const burst = Math.floor((options.perMinute ?? 1200) / 10);
	const signal = options.signal ?? stop.signal;
	for (let i = 0; i < burst + count; i++) void takeTurn(apiKey, 'async/getTaskResult', { ...options, signal });
}

test('calls past the limit get their turns in the order they asked for them', async () => {
	const apiKey = freshKey();
	const perMinute = 600; // a burst of 60, then one call every 111 ms
	const order = [];
	const turns = Array.from({ length: 70 }, (_, i) =>
		takeTurn(apiKey, 'getLists', { perMinute, signal: stop.signal }).then((turn) => turn.taken && order.push(i)),
	);
	await Promise.all(turns);
	expect(order).toEqual([...Array(70).keys()]);
});

test('a thousand calls waiting in line hold one timer between them, not one each', async () => {
	const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
	const before = timers();
	const line = new AbortController();
	queueBulkRun(freshKey(), 1000, { signal: line.signal });
	await new Promise((resolve) => setImmediate(resolve));
	const waiting = timers() - before;
	line.abort();
	expect(waiting).toBeLessThan(10); // one per waiting call before: a thousand
});

test('a callback’s verification goes ahead of 1,000 calls a bulk run has waiting on the same key', async () => {
	const task = await completedTask(sb);
	queueBulkRun(sb.apiKey, 1000);
	// Behind the line it would wait about a minute; its own time is 5 s, after which Selzy gets 503.
	const call = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'task' }, request: { body: { result: task } } });
	expect(call.response.statusCode).toBe(200);
	expect(call.webhookResult.workflowData[0][0].json.task_uuid).toBe(task.task_uuid);
	expect(selzyCalls(sb, 'async/getTaskResult').at(-1).params.task_uuid).toBe(task.task_uuid);
});

describe('a call whose time runs out in line says the limit caused it', () => {
	test('Selzy’s limit of 1,200 calls a minute: how many calls were waiting, at once rather than at the deadline', async () => {
		const apiKey = freshKey();
		await harness.credentialsHelper.setCredential('selzyApi', { apiKey, baseUrl: sb.url, language: 'en' });
		queueBulkRun(apiKey, 500);
		const started = Date.now();
		const run = await harness.runExecute(TransportProbe, { parameters: probeCall('getLists', { retry: { maxTotalMs: 5000 } }) });
		expect(run.status).toBe('error');
		expect(run.error.message).toBe(
			"Selzy getLists: The call's time ran out waiting for its turn under Selzy's limit of 1,200 calls per minute: 500 calls with this API key were waiting ahead of this one",
		);
		expect(run.error.description).toMatch(/every workflow using this key in this n8n shares them/);
		expect(Date.now() - started).toBeLessThan(4000); // not kept waiting until its 5 s are over
		expect(sb.requests.filter((entry) => entry.apiMethod === 'getLists')).toHaveLength(0);
	});

	test('the API Calls per Minute option: the error names the option and its value', async () => {
		const apiKey = freshKey();
		await harness.credentialsHelper.setCredential('selzyApi', { apiKey, baseUrl: sb.url, language: 'en' });
		queueBulkRun(apiKey, 30, { perMinute: 60 });
		const run = await harness.runExecute(TransportProbe, {
			parameters: probeCall('getLists', { retry: { maxTotalMs: 3000 }, callsPerMinute: 60 }),
		});
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/under the API Calls per Minute option \(60\): 30 calls with this API key were waiting/);
		expect(run.error.description).toMatch(/Raise it \(Selzy allows up to 1,200\)/);
	});
});
