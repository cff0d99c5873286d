'use strict';
// Selzy API calls are bounded and safe: every call has a deadline and honours Stop, a report
// request is not sent again after a gateway error that may have passed it on (only a 502 gets
// one more try), and the key never follows a redirect (the credential's Test included) or
// travels over plain http to another machine.

const dns = require('node:dns');
const os = require('node:os');
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { createHostileServer } = require('../sandbox/hostile');
const { SelzyApi } = require('../../credentials/SelzyApi.credentials.ts');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');
const { TransportProbe, probeCall } = require('./probe');

let sb;
let harness;
let hostile; // a Selzy-compatible API that misbehaves
let elsewhere; // "another host" that must never see a request

const sandboxCredential = () => ({ apiKey: sb.apiKey, baseUrl: sb.url, language: 'en' });
const fast = { baseDelayMs: 20, maxDelayMs: 50 };
const apiCalls = (method) => sb.requests.filter((r) => r.apiMethod === method);

beforeAll(async () => {
	sb = await createSandbox({ port: 0 });
	harness = await createHarness({ credentials: { selzyApi: { apiKey: 'k', baseUrl: 'https://api.selzy.invalid' } } });
	hostile = await createHostileServer();
	elsewhere = await createHostileServer();
});
afterAll(async () => {
	await harness?.close();
	await Promise.all([sb?.close(), hostile?.close(), elsewhere?.close()]);
});
beforeEach(async () => {
	sb.reset();
	hostile.reset();
	elsewhere.reset();
	await harness.credentialsHelper.setCredential('selzyApi', sandboxCredential());
});

const probe = (method, options = {}, runOptions = {}) =>
	harness.runExecute(TransportProbe, { parameters: probeCall(method, options), ...runOptions });

/** Starts a report directly on the sandbox and polls it to completion; returns the task. */
async function completedTask() {
	const call = async (method, params) => {
		const body = new URLSearchParams({ api_key: sb.apiKey, format: 'json', ...params });
		const response = await fetch(`${sb.url}/en/api/${method}`, { method: 'POST', body });
		return (await response.json()).result;
	};
	const { task_uuid: uuid } = await call('async/getCampaignDeliveryStats', { campaign_id: '1001' });
	for (let poll = 0; poll < 20; poll++) {
		const task = await call('async/getTaskResult', { task_uuid: uuid });
		if (task.status === 'completed') return task;
	}
	throw new Error('task did not complete');
}

/** A host name (not "localhost") that this machine resolves to a loopback address, if any. */
async function loopbackHostName() {
	const name = os.hostname();
	if (!name || /localhost/i.test(name)) return undefined;
	const addresses = await dns.promises.lookup(name, { all: true }).catch(() => []);
	return addresses.length && addresses.every((a) => /^127\.|^::1$/.test(a.address)) ? name : undefined;
}

describe('every API call has a deadline and honours Stop', () => {
	test('a trigger verification that Selzy answers only after 20 s gets 503 after about 5 s', async () => {
		const task = await completedTask();
		sb.fault({ kind: 'slow', ms: 20_000, method: 'async/getTaskResult', times: 5 });
		const started = Date.now();
		const call = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'task' }, request: { body: { result: task } } });
		const elapsed = Date.now() - started;
		expect(call.response.statusCode).toBe(503);
		expect(call.response.body).toEqual({ error: 'Could not verify the task with Selzy; try again later' });
		expect(elapsed).toBeGreaterThan(4000);
		expect(elapsed).toBeLessThan(8000); // 5 s plus room for a loaded machine; before the fix, 20 s
	});

	test('a server that never answers ends the call at its deadline, with an error saying so', async () => {
		await harness.credentialsHelper.setCredential('selzyApi', { apiKey: 'k', baseUrl: hostile.url });
		hostile.api.answer = () => undefined; // holds every request open
		const started = Date.now();
		const run = await probe('getLists', { retry: { ...fast, attemptTimeoutMs: 1000, maxTotalMs: 2500 } });
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^Selzy getLists: Selzy did not answer within 1 s \(after [23] attempts\)$/);
		expect(Date.now() - started).toBeLessThan(4000);
		expect(hostile.requests.length).toBeGreaterThanOrEqual(2);
	});

	test('“Until Selzy Notifies” parks the execution on time although the status check hangs', async () => {
		sb.fault({ kind: 'slow', ms: 60_000, method: 'async/getTaskResult', times: 3 });
		const started = Date.now();
		const run = await harness.runExecute(Selzy, {
			parameters: {
				resource: 'campaign',
				operation: 'getDeliveryReport',
				campaignId: { __rl: true, mode: 'id', value: '1001' },
				waitMode: 'callback',
				options: { callbackGrace: 1 },
			},
		});
		expect(run.status).toBe('waiting');
		// The last check before the Timeout gets five seconds to be answered.
		expect(Date.now() - started).toBeLessThan(9000);
	});

	test('Stop ends a report request that is waiting for an answer at once', async () => {
		sb.fault({ kind: 'slow', ms: 20_000, method: 'async/getCampaignDeliveryStats' });
		const stop = new AbortController();
		const running = harness.runExecute(Selzy, {
			parameters: { resource: 'campaign', operation: 'getDeliveryReport', campaignId: { __rl: true, mode: 'id', value: '1001' } },
			abortSignal: stop.signal,
		});
		while (apiCalls('async/getCampaignDeliveryStats').length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		const stoppedAt = Date.now();
		stop.abort();
		const run = await running;
		expect(run.status).toBe('canceled');
		expect(Date.now() - stoppedAt).toBeLessThan(1000);
		expect(apiCalls('async/getCampaignDeliveryStats')).toHaveLength(1);
	});
});

describe('no second report after a gateway error', () => {
	test.each([
		['HTTP 504 with a JSON body', { kind: 'http', status: 504 }],
		['HTTP 500', { kind: 'http', status: 500 }],
	])('a report request answered with %s is not sent again, and the error says why', async (_name, fault) => {
		sb.fault({ ...fault, method: 'async/getCampaignDeliveryStats' });
		const run = await probe('async/getCampaignDeliveryStats', { params: { campaign_id: 1001 }, startsWork: true, retry: fast });
		expect(run.status).toBe('error');
		expect(apiCalls('async/getCampaignDeliveryStats')).toHaveLength(1);
		expect(run.error.description).toMatch(/may already have started the report/);
		expect(run.error.description).toMatch(/Notify URL/);
	});

	test.each([
		['an HTML page', { kind: 'html502' }],
		['a JSON body', { kind: 'http', status: 502 }],
	])('a report request answered by a proxy’s 502 (%s) is sent once more after a short pause, and one report starts', async (_name, fault) => {
		sb.fault({ ...fault, method: 'async/getCampaignDeliveryStats' });
		const run = await probe('async/getCampaignDeliveryStats', { params: { campaign_id: 1001 }, startsWork: true });
		expect(run.status).toBe('success');
		const calls = apiCalls('async/getCampaignDeliveryStats');
		expect(calls.map((call) => call.fault)).toEqual([fault.kind, null]);
		expect(calls[1].time - calls[0].time).toBeGreaterThanOrEqual(400);
		expect(sb.tasks).toHaveLength(1);
		expect(run.output[0][0].json.result.task_uuid).toBe(sb.tasks[0].uuid);
	});

	test('a second 502 in a row stops the report request: sent twice in all, and the error says Selzy may have started it', async () => {
		sb.fault({ kind: 'html502', method: 'async/getCampaignDeliveryStats', times: 5 });
		const run = await probe('async/getCampaignDeliveryStats', { params: { campaign_id: 1001 }, startsWork: true, retry: fast });
		expect(run.status).toBe('error');
		expect(apiCalls('async/getCampaignDeliveryStats')).toHaveLength(2);
		expect(run.error.message).toMatch(/HTTP 502 .*\(after 2 attempts\)$/);
		expect(run.error.description).toMatch(/may already have started the report/);
	});

	test('a report request that Selzy has not answered by the deadline is not sent again', async () => {
		sb.fault({ kind: 'slow', ms: 3000, method: 'async/getCampaignDeliveryStats', times: 2 });
		const run = await probe('async/getCampaignDeliveryStats', {
			params: { campaign_id: 1001 },
			startsWork: true,
			retry: { ...fast, attemptTimeoutMs: 500 },
		});
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/did not answer within 1 s/);
		expect(run.error.description).toMatch(/may already have started the report/);
		expect(apiCalls('async/getCampaignDeliveryStats')).toHaveLength(1);
	});

	test('HTTP 429 proves the report request was not taken, so it is sent again', async () => {
		sb.fault({ kind: 'http', status: 429, method: 'async/getCampaignDeliveryStats' });
		const run = await probe('async/getCampaignDeliveryStats', { params: { campaign_id: 1001 }, startsWork: true, retry: fast });
		expect(run.status).toBe('success');
		expect(apiCalls('async/getCampaignDeliveryStats')).toHaveLength(2);
		expect(sb.tasks).toHaveLength(1);
	});

	test('a read-only call is still retried after HTTP 504', async () => {
		sb.fault({ kind: 'http', status: 504, method: 'getLists' });
		const run = await probe('getLists', { retry: fast });
		expect(run.status).toBe('success');
		expect(apiCalls('getLists')).toHaveLength(2);
	});
});

describe('the API key never follows a redirect', () => {
	test.each([307, 308])('the credential’s Test does not follow a %i redirect: it fails, and the key stays where it was sent', async (status) => {
		hostile.api.answer = (method, req, res) => {
			res.writeHead(status, { Location: `http://127.0.0.1:${elsewhere.port}/en/api/${method}` });
			res.end();
		};
		const result = await harness.runCredentialTest(SelzyApi, { apiKey: 'k-never-elsewhere', baseUrl: hostile.url, language: 'en' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`redirect \\(HTTP ${status}\\)`));
		expect(hostile.requests).toHaveLength(1);
		expect(elsewhere.requests).toHaveLength(0);
	});

	test('a 308 from the API address is an error naming the target, and nothing reaches it', async () => {
		await harness.credentialsHelper.setCredential('selzyApi', { apiKey: 'k-never-elsewhere', baseUrl: hostile.url });
		const target = `http://localhost:${elsewhere.port}`;
		hostile.api.answer = (method, req, res) => {
			res.writeHead(308, { Location: `${target}/en/api/${method}` });
			res.end();
		};
		const run = await probe('async/getCampaignDeliveryStats', { params: { campaign_id: 1001 }, startsWork: true });
		expect(run.status).toBe('error');
		expect(run.error.message).toBe(
			`Selzy async/getCampaignDeliveryStats: Selzy’s API address answered with a redirect (HTTP 308) to localhost:${elsewhere.port}`,
		);
		expect(run.error.description).toMatch(/never sent to another address/);
		expect(hostile.requests).toHaveLength(1);
		expect(elsewhere.requests).toHaveLength(0);
	});

	test('a plain http Base URL is refused at run time before anything is sent', async () => {
		await harness.credentialsHelper.setCredential('selzyApi', { apiKey: 'k', baseUrl: 'http://api.selzy.com' });
		const run = await probe('getLists');
		expect(run.status).toBe('error');
		expect(run.error.message).toBe('The Base URL in the Selzy credential must start with https://');
		expect(run.error.description).toMatch(/over plain http anyone on the network path could read it/);
		expect(run.error.description).toMatch(/localhost/);
	});

	test('plain http to a name of this machine other than localhost is refused too, and nothing is sent', async () => {
		const name = await loopbackHostName();
		if (!name) return console.warn('this machine’s host name does not resolve to loopback; case not run');
		await harness.credentialsHelper.setCredential('selzyApi', { apiKey: 'k', baseUrl: `http://${name}:${elsewhere.port}` });
		const run = await probe('getLists');
		expect(run.error.message).toBe('The Base URL in the Selzy credential must start with https://');
		expect(elsewhere.requests).toHaveLength(0);
	});

	test('the credential test with a plain http Base URL fails without sending the key', async () => {
		const name = await loopbackHostName();
		const baseUrl = name ? `http://${name}:${elsewhere.port}` : 'http://api.selzy.com';
		const result = await harness.runCredentialTest(SelzyApi, { apiKey: 'k-clear-text', baseUrl, language: 'en' });
		expect(result.status).toBe('Error');
		expect(elsewhere.requests).toHaveLength(0);
	});

	test('plain http to loopback (a local test server) is accepted', async () => {
		const run = await probe('getLists');
		expect(run.status).toBe('success');
		const result = await harness.runCredentialTest(SelzyApi, sandboxCredential());
		expect(result.status).toBe('OK');
	});
});
