'use strict';
// The sandbox's event webhooks and campaign statuses behave as the notes on Selzy describe them.

const crypto = require('node:crypto');
const http = require('node:http');
const { createSandbox } = require('./server');

let sb;
let receiver;

/** A local hook receiver whose answers a test chooses: status and delay per request. */
async function startReceiver() {
	const received = [];
	const state = { status: 200, delayMs: 0 };
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			received.push({ url: req.url, body: Buffer.concat(chunks).toString('utf8'), time: Date.now() });
			setTimeout(() => res.writeHead(state.status).end(), state.delayMs);
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${server.address().port}`, received, state, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

async function call(method, params = {}) {
	const body = new URLSearchParams({ api_key: sb.apiKey, format: 'json', ...params });
	const answer = await fetch(`${sb.url}/en/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
	return answer.json();
}

const until = async (check, ms = 5000) => {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error('not in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
};

beforeAll(async () => {
	sb = await createSandbox({ seed: 3 });
	receiver = await startReceiver();
});
afterAll(async () => {
	await receiver.close();
	await sb.close();
});
beforeEach(() => {
	sb.reset();
	receiver.received.length = 0;
	Object.assign(receiver.state, { status: 200, delayMs: 0 });
});

describe('setHook, listHooks, removeHook', () => {
	test('the URL is the hook’s identity: setting it again replaces it; removing an unknown one is an error', async () => {
		const url = `${receiver.url}/hook?s=1`;
		expect(await call('setHook', { hook_url: url, 'events[email_status]': '*', event_format: 'json_post' })).toEqual({ result: {} });
		await call('setHook', { hook_url: url, 'events[subscribe]': '3', single_event: '1', status: 'active' });
		expect((await call('listHooks')).result).toEqual([
			{ id: 1, hook_url: url, events: { subscribe: '3' }, event_format: 'json_post', single_event: 1, max_parallel: 10, status: 'active' },
		]);
		expect(await call('removeHook', { hook_url: url })).toEqual({ result: {} });
		expect(await call('removeHook', { hook_url: url })).toMatchObject({ code: 'invalid_arg' });
		expect(await call('setHook', { hook_url: url })).toMatchObject({ code: 'invalid_arg' });
	});
});

describe('deliveries', () => {
	test('are batched in events_by_user and signed: auth = MD5 of the body with the API key in its place', async () => {
		await call('setHook', { hook_url: `${receiver.url}/b`, 'events[email_status]': '*', 'events[unsubscribe]': '*' });
		await sb.emitEvents([
			{ event_name: 'email_status', email: 'a@example.com', status: 'ok_read', link: 'https://x.example/y' },
			{ event_name: 'unsubscribe', email: 'b@example.com', list_ids: [1] },
			{ event_name: 'subscribe', email: 'c@example.com', subscribed_list_ids: [1] },
		]);
		const [{ body }] = receiver.received;
		const parsed = JSON.parse(body);
		expect(parsed.events_by_user[0].events.map((e) => e.event_name)).toEqual(['email_status', 'unsubscribe']);
		expect(parsed.events_by_user[0].events[0].event_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
		expect(body).toContain('https:\\/\\/x.example\\/y');
		const withKey = body.replace(`"${parsed.auth}"`, JSON.stringify(sb.apiKey));
		expect(crypto.createHash('md5').update(withKey).digest('hex')).toBe(parsed.auth);
	});

	test('with single_event come one flat event per request; a list filter keeps other lists’ events away', async () => {
		await call('setHook', { hook_url: `${receiver.url}/s`, 'events[subscribe]': '3', single_event: '1' });
		await sb.emitEvents([
			{ event_name: 'subscribe', email: 'a@example.com', subscribed_list_ids: [3] },
			{ event_name: 'subscribe', email: 'b@example.com', subscribed_list_ids: [1] },
		]);
		expect(receiver.received.map((r) => JSON.parse(r.body))).toEqual([
			expect.objectContaining({ login: 'sandbox-shop', event_name: 'subscribe', email: 'a@example.com', subscribed_list_ids: [3] }),
		]);
	});

	test('not answered 200 in time are retried with retry_count, and the hook stops after stopAfterMs', async () => {
		sb.configureHooks({ answerTimeoutMs: 200, retryEveryMs: 100, stopAfterMs: 600 });
		const url = `${receiver.url}/r`;
		await call('setHook', { hook_url: url, 'events[email_status]': '*' });
		receiver.state.status = 500;
		await sb.emitEvents([{ event_name: 'email_status', email: 'a@example.com', status: 'ok_read' }]);
		await until(() => sb.hooks[0].status === 'stopped');
		const counts = receiver.received.map((r) => JSON.parse(r.body).retry_count);
		expect(counts[0]).toBeUndefined();
		expect(counts.slice(1)).toEqual(counts.slice(1).map((_, i) => i + 1));
		expect(counts.length).toBeGreaterThanOrEqual(3);
		// A stopped hook gets nothing more until setHook makes it active again.
		const seen = receiver.received.length;
		await sb.emitEvents([{ event_name: 'email_status', email: 'b@example.com', status: 'ok_read' }]);
		expect(receiver.received).toHaveLength(seen);
		receiver.state.status = 200;
		await call('setHook', { hook_url: url, 'events[email_status]': '*', status: 'active' });
		await sb.emitEvents([{ event_name: 'email_status', email: 'c@example.com', status: 'ok_read' }]);
		expect(receiver.received).toHaveLength(seen + 1);
	});

	test('a slow answer counts as none; retry_count may also go in the query', async () => {
		sb.configureHooks({ answerTimeoutMs: 100, retryEveryMs: 50, retryCountIn: 'query' });
		await call('setHook', { hook_url: `${receiver.url}/q?x=1`, 'events[email_status]': '*' });
		receiver.state.delayMs = 300;
		await sb.emitEvents([{ event_name: 'email_status', email: 'a@example.com', status: 'ok_read' }]);
		receiver.state.delayMs = 0;
		await until(() => sb.hookDeliveries.some((d) => d.status === 200));
		expect(sb.hookDeliveries[0]).toMatchObject({ retryCount: 0, status: null, error: 'no answer within 100 ms' });
		expect(new URL(sb.hookDeliveries.at(-1).url).searchParams.get('retry_count')).toBe(String(sb.hookDeliveries.at(-1).retryCount));
	});
});

describe('campaigns over time', () => {
	test('a scheduled status changes, each change sent to hooks as campaign_status', async () => {
		await call('setHook', { hook_url: `${receiver.url}/c`, 'events[campaign_status]': '*', single_event: '1' });
		sb.scheduleCampaignStatus({ id: 1002, statuses: ['scheduled', 'in_progress', 'completed'], everyMs: 100 });
		expect((await call('getCampaignStatus', { campaign_id: '1002' })).result.status).toBe('scheduled');
		await until(() => receiver.received.length === 3);
		expect(receiver.received.map((r) => JSON.parse(r.body).status)).toEqual(['scheduled', 'in_progress', 'completed']);
		expect((await call('getCampaignStatus', { campaign_id: '1002' })).result.status).toBe('completed');
		expect(await call('getCampaignStatus', { campaign_id: '9' })).toMatchObject({ code: 'invalid_arg' });
	});

	test('common stats agree with the campaign’s report', async () => {
		const { result } = await call('getCampaignCommonStats', { campaign_id: '1002' });
		const { total, bySendResult } = sb.groundTruth({ campaignId: 1002 });
		expect(result.total).toBe(total);
		expect(result.clicked_unique).toBe(bySendResult.ok_link_visited);
		expect(result.read_unique).toBe(bySendResult.ok_read + bySendResult.ok_link_visited + bySendResult.ok_unsubscribed);
	});
});
