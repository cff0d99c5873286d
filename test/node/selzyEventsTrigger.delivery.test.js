'use strict';
// Selzy delivering events to a published Selzy Events Trigger, over real sockets: both envelopes,
// one readable item per event, Selzy answered once the execution holding its events has started,
// Selzy's retries output once (also across processes and restarts), filters.

const { useEventsTrigger, emailStatus, subscribe, unsubscribe, waitUntil } = require('./events-support');

const env = useEventsTrigger(26);
const ALL = { events: ['email_status', 'subscribe', 'unsubscribe', 'campaign_status'], options: {} };

describe('a batched delivery (events_by_user)', () => {
	test('is answered 200 and gives one readable item per event, the event as it arrived kept under raw', async () => {
		const server = await env.live(ALL);
		const { delivery, call } = await env.deliver(server, [
			emailStatus('anna@example.com', 'err_user_unknown'),
			emailStatus('ivan@example.com', 'ok_read', { campaign_id: 1002 }),
			subscribe('maria@example.com', [2, '3']),
		]);
		expect(delivery).toMatchObject({ status: 200, events: 3 });
		expect(JSON.parse(delivery.body).events_by_user[0].events).toHaveLength(3);

		const [bounce, read, subscribed] = env.itemsOf(call);
		expect(bounce).toMatchObject({
			event: 'email_status',
			event_id: expect.stringMatching(/^[\w-]{16}$/),
			time: '2026-03-01T10:00:00Z',
			login: 'sandbox-shop',
			email: 'anna@example.com',
			status: 'err_user_unknown',
			status_description: 'Mailbox does not exist',
			status_group: 'hard_bounce',
			final: true,
			campaign_id: 1001,
			email_id: 77,
		});
		expect(bounce.raw).toEqual({
			login: 'sandbox-shop',
			event_name: 'email_status',
			event_time: '2026-03-01 10:00:00',
			event_data: { email: 'anna@example.com', status: 'err_user_unknown', email_id: 77, campaign_id: '1001' },
		});
		expect(read).toMatchObject({ status_group: 'opened', campaign_id: 1002 });
		expect(subscribed).toMatchObject({ event: 'subscribe', email: 'maria@example.com', subscribed_list_ids: [2, 3], list_ids: [2, 3] });
	});

	test('from one request with several logins keeps each event’s login', async () => {
		const server = await env.live(ALL);
		const url = env.sb.hooks[0].hook_url;
		const body = {
			events_by_user: [
				{ login: 'shop-a', events: [{ event_name: 'unsubscribe', event_time: '2026-03-02 08:00:00', event_data: { email: 'a@example.com', list_ids: '4,5' } }] },
				{ login: 'shop-b', events: [{ event_name: 'unsubscribe', event_time: '2026-03-02 08:00:00', event_data: { email: 'a@example.com', list_ids: '4,5' } }] },
			],
		};
		const next = server.nextCall();
		const answer = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		expect(answer.status).toBe(200);
		const items = env.itemsOf(await next);
		expect(items.map((item) => [item.login, item.list_ids])).toEqual([['shop-a', [4, 5]], ['shop-b', [4, 5]]]);
	});
});

describe('a single-event delivery (single_event)', () => {
	test('gives the same item from the flat envelope', async () => {
		const server = await env.live({ ...ALL, options: { singleEvent: true } });
		expect(env.sb.hooks[0].single_event).toBe(1);
		const { delivery, call } = await env.deliver(server, [emailStatus('anna@example.com', 'ok_unsubscribed')]);
		expect(JSON.parse(delivery.body)).toMatchObject({ login: 'sandbox-shop', event_name: 'email_status', status: 'ok_unsubscribed' });
		const [item] = env.itemsOf(call);
		expect(item).toMatchObject({ event: 'email_status', time: '2026-03-01T10:00:00Z', status_group: 'unsubscribed', campaign_id: 1001 });
		expect(item.raw).not.toHaveProperty('auth');
		expect(item.raw).toMatchObject({ event_name: 'email_status', email: 'anna@example.com', login: 'sandbox-shop' });
	});

	test('sends one request per event when Selzy has several', async () => {
		const server = await env.live({ ...ALL, options: { singleEvent: true } });
		const calls = [server.nextCall(), server.nextCall(), server.nextCall()];
		await env.sb.emitEvents([emailStatus('a@example.com', 'ok_read'), emailStatus('b@example.com', 'ok_read'), emailStatus('c@example.com', 'ok_read')]);
		const emails = (await Promise.all(calls)).flatMap((call) => env.itemsOf(call).map((item) => item.email));
		expect(emails.sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
	});
});

describe('Selzy’s retries', () => {
	test('of a delivery answered too late (retry_count in the body) start nothing a second time', async () => {
		const server = await env.live(ALL);
		// The sandbox gives up on the first answer at once, as Selzy does after 3 s, then retries.
		env.sb.configureHooks({ answerTimeoutMs: 1, retryEveryMs: 200, stopAfterMs: 5000 });
		const first = server.nextCall();
		const retried = server.nextCall();
		await env.sb.emitEvents([emailStatus('anna@example.com', 'err_mailbox_full'), subscribe('ivan@example.com', [1])]);
		expect(env.itemsOf(await first)).toHaveLength(2);
		env.sb.configureHooks({ answerTimeoutMs: 3000 });
		const retry = await retried;
		expect(retry.request.body.retry_count).toBe(1);
		expect(retry.response.statusCode).toBe(200);
		expect(retry.webhookResult.workflowData).toBeUndefined();
		await waitUntil(() => env.sb.hookDeliveries.some((d) => d.status === 200));
	});

	test('with retry_count in the query are recognised the same way', async () => {
		const server = await env.live(ALL);
		const { delivery, call } = await env.deliver(server, [unsubscribe('olga@example.com', [3])]);
		expect(env.itemsOf(call)).toHaveLength(1);
		const url = new URL(delivery.url);
		url.searchParams.set('retry_count', '2');
		const next = server.nextCall();
		const answer = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: delivery.body });
		expect(answer.status).toBe(200);
		expect((await next).webhookResult.workflowData).toBeUndefined();
	});

	test('of a batch with one new event output only that event', async () => {
		const server = await env.live(ALL);
		await env.deliver(server, [emailStatus('anna@example.com', 'ok_read')]);
		const { call } = await env.deliver(server, [emailStatus('anna@example.com', 'ok_read'), emailStatus('anna@example.com', 'ok_link_visited')]);
		expect(env.itemsOf(call).map((item) => item.status)).toEqual(['ok_link_visited']);
	});

	test('reaching a process that did not see the delivery (another webhook process, or n8n after a restart) start an execution that outputs nothing', async () => {
		const server = await env.live(ALL);
		const { delivery, call } = await env.deliver(server, [emailStatus('restart@example.com', 'ok_read'), subscribe('new@example.com', [1])]);
		expect(env.itemsOf(call)).toHaveLength(2);
		expect(await env.processedCount()).toBe(2);

		env.inAnotherProcess();
		const next = server.nextCall();
		const retry = await fetch(`${delivery.url}&retry_count=1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: delivery.body });
		expect(retry.status).toBe(200);
		const retried = await next;
		expect(retried.execution.status).toBe('success');
		expect(env.itemsOf(retried)).toEqual([]);
		expect(env.harness.logs.some((log) => /2 of 2 events were output by an earlier execution/.test(log.message))).toBe(true);

		// A new event in the same kind of delivery is output there.
		const { call: later } = await env.deliver(server, [emailStatus('restart@example.com', 'ok_read'), emailStatus('restart@example.com', 'ok_link_visited')]);
		expect(env.itemsOf(later).map((item) => item.status)).toEqual(['ok_link_visited']);
	});

	test('a retried execution (Retry in n8n) outputs its events again, whatever n8n’s deduplication store says', async () => {
		const server = await env.live(ALL);
		const { call } = await env.deliver(server, [unsubscribe('again@example.com', [3])]);
		const [item] = call.execution.output[0];
		const retried = await env.harness.runExecute(env.NodeClass, { parameters: ALL, mode: 'retry', inputItems: [{ json: item.json }] });
		expect(retried.output[0].map((output) => output.json.email)).toEqual(['again@example.com']);
		const replayed = await env.harness.runExecute(env.NodeClass, { parameters: ALL, mode: 'webhook', inputItems: [{ json: item.json }] });
		expect(replayed.output[0]).toEqual([]);
	});
});

describe('Selzy’s answer', () => {
	test('comes from n8n once the execution holding the events has started, with the number of events received', async () => {
		const server = await env.live(ALL);
		const { delivery, call } = await env.deliver(server, [emailStatus('saved@example.com', 'ok_read'), emailStatus('kept@example.com', 'ok_read')]);
		expect(delivery.status).toBe(200);
		// The node does not answer itself: n8n (here the harness) answers as the execution starts.
		expect(call.responded).toBe('harness');
		expect(call.webhookResult).toEqual({ workflowData: [expect.any(Array)], webhookResponse: { received: 2 } });
		expect(call.execution.status).toBe('success');
		expect(env.itemsOf(call).map((item) => item.email)).toEqual(['saved@example.com', 'kept@example.com']);
	});

	test('is an error when n8n cannot start the execution, and Selzy’s retry of that delivery is output', async () => {
		const server = await env.live(ALL);
		const { harnessWorkflow } = env.harness.internals(env.NodeClass);
		const createWorkflow = harnessWorkflow.createWorkflow.bind(harnessWorkflow);
		// The second workflow n8n builds for this request is the execution's: its save fails.
		const failing = jest
			.spyOn(harnessWorkflow, 'createWorkflow')
			.mockImplementationOnce(createWorkflow)
			.mockImplementationOnce(() => {
				throw new Error('SQLITE_BUSY: database is locked');
			});
		const first = server.nextCall();
		env.sb.configureHooks({ retryEveryMs: 100 });
		const retried = server.nextCall();
		try {
			await env.sb.emitEvents([emailStatus('unsaved@example.com', 'err_user_unknown')]);
			expect((await first).response.statusCode).toBe(500);
		} finally {
			failing.mockRestore();
		}
		const retry = await retried;
		expect(retry.request.body.retry_count).toBe(1);
		expect(retry.response.statusCode).toBe(200);
		expect(env.itemsOf(retry).map((item) => item.email)).toEqual(['unsaved@example.com']);
	});

	test('is 200 from the node itself when no event is left (all output before), and nothing starts', async () => {
		const server = await env.live(ALL);
		const { delivery } = await env.deliver(server, [emailStatus('once@example.com', 'ok_read')]);
		const next = server.nextCall();
		const again = await fetch(delivery.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: delivery.body });
		expect(await again.json()).toEqual({ received: 1 });
		const call = await next;
		expect(call.responded).toBe('node');
		expect(call.execution).toBeUndefined();
	});
});

describe('n8n’s deduplication store', () => {
	test('holds the output events once per trigger, one lookup per execution; test events are not recorded', async () => {
		const server = await env.live(ALL);
		const lookups = jest.spyOn(env.harness.runtime.deduplication, 'checkProcessedAndRecord');
		try {
			await env.deliver(server, [emailStatus('store-a@example.com', 'ok_read'), emailStatus('store-b@example.com', 'ok_read'), subscribe('store-c@example.com', [1])]);
			expect(lookups).toHaveBeenCalledTimes(1);
			expect(lookups.mock.calls[0][0]).toHaveLength(3);
		} finally {
			lookups.mockRestore();
		}
		expect(await env.processedCount()).toBe(3);

		await env.harness.clearProcessed(env.NodeClass);
		const test = await env.serve(ALL, { mode: 'manual' });
		await env.publish(test, ALL, { mode: 'manual' });
		const testHook = env.sb.hooks.find((hook) => hook.hook_url.includes('/webhook-test/'));
		const next = test.nextCall();
		await fetch(testHook.hook_url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ event_name: 'email_status', event_time: '2026-03-01 10:00:00', email: 'test@example.com', status: 'ok_read' }) });
		expect(env.itemsOf(await next).map((item) => item.email)).toEqual(['test@example.com']);
		expect(await env.processedCount()).toBe(0);
	});
});

describe('what the trigger outputs', () => {
	test('unknown event names and status codes pass through as Selzy sent them', async () => {
		const server = await env.live({ ...ALL, options: { otherEvents: 'sender_verified' } });
		expect(Object.keys(env.sb.hooks[0].events)).toContain('sender_verified');
		const { call } = await env.deliver(server, [
			emailStatus('anna@example.com', 'err_brand_new_code'),
			{ event_name: 'sender_verified', event_time: '2026-03-03 12:00:00', email: 'news@shop.example', campaign_ids: ['7', 'x'] },
		]);
		const [status, other] = env.itemsOf(call);
		expect(status).toMatchObject({ status: 'err_brand_new_code', status_group: 'failed' });
		expect(other).toMatchObject({ event: 'sender_verified', time: '2026-03-03T12:00:00Z', email: 'news@shop.example', campaign_ids: [7, 'x'] });
	});

	test('campaign statuses say whether the campaign has finished', async () => {
		const server = await env.live(ALL);
		const calls = [server.nextCall(), server.nextCall()];
		env.sb.scheduleCampaignStatus({ id: 1002, statuses: ['in_progress', 'completed'], everyMs: 100 });
		const items = (await Promise.all(calls)).flatMap((call) => env.itemsOf(call));
		expect(items.map((item) => [item.campaign_id, item.status, item.finished])).toEqual([
			[1002, 'in_progress', false],
			[1002, 'completed', true],
		]);
		expect(items[0].status_description).toBe('Sending');
	});

	test('Email Status Groups and Email Statuses keep only the statuses asked for', async () => {
		const server = await env.live({ ...ALL, statusGroups: ['hard_bounce'], sendResults: 'ok_unsubscribed' });
		const { call } = await env.deliver(server, [
			emailStatus('a@example.com', 'ok_read'),
			emailStatus('b@example.com', 'err_user_unknown'),
			emailStatus('c@example.com', 'ok_unsubscribed'),
			subscribe('d@example.com', [1]),
		]);
		expect(env.itemsOf(call).map((item) => item.email)).toEqual(['b@example.com', 'c@example.com', 'd@example.com']);
	});

	test('a list filter keeps that list’s subscribes and unsubscribes, and those naming no list', async () => {
		const parameters = { events: ['subscribe', 'unsubscribe'], listId: { __rl: true, mode: 'id', value: '3' }, options: {} };
		const server = await env.live(parameters);
		expect(env.sb.hooks[0].events).toEqual({ subscribe: '3', unsubscribe: '3' });
		// Selzy may filter less than asked: the events are sent to the trigger directly.
		const next = server.nextCall();
		const body = {
			events_by_user: [{
				login: 'shop',
				events: [
					{ event_name: 'subscribe', event_time: '2026-03-01 10:00:00', event_data: { email: 'in@example.com', subscribed_list_ids: [3] } },
					{ event_name: 'subscribe', event_time: '2026-03-01 10:00:00', event_data: { email: 'other@example.com', subscribed_list_ids: [1] } },
					{ event_name: 'unsubscribe', event_time: '2026-03-01 10:00:00', event_data: { email: 'unknown-list@example.com' } },
					{ event_name: 'email_status', event_time: '2026-03-01 10:00:00', event_data: { email: 'not-asked@example.com', status: 'ok_read' } },
				],
			}],
		};
		await fetch(env.sb.hooks[0].hook_url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		expect(env.itemsOf(await next).map((item) => item.email)).toEqual(['in@example.com', 'unknown-list@example.com']);
	});

	test('a delivery whose events are all filtered out starts nothing and is still answered 200', async () => {
		const server = await env.live({ ...ALL, statusGroups: ['spam'] });
		const { delivery, call } = await env.deliver(server, [emailStatus('a@example.com', 'ok_read')]);
		expect(delivery.status).toBe(200);
		expect(call.webhookResult.workflowData).toBeUndefined();
	});
});

test('a GET to the trigger’s URL is answered 200 and starts nothing', async () => {
	const server = await env.live(ALL);
	const next = server.nextCall();
	const answer = await fetch(server.url());
	expect(answer.status).toBe(200);
	expect((await next).webhookResult.workflowData).toBeUndefined();
});

test('a burst of 100 batches of 100 events is answered within Selzy’s 3 seconds, every event output once', async () => {
	const server = await env.live(ALL);
	const events = Array.from({ length: 10_000 }, (_, i) => emailStatus(`r${i}@example.com`, i % 2 ? 'ok_read' : 'err_user_unknown', { email_id: i }));
	const started = Date.now();
	const deliveries = await env.sb.emitEvents(events);
	expect(deliveries).toHaveLength(100);
	expect(deliveries.every((d) => d.status === 200)).toBe(true);
	expect(Math.max(...deliveries.map((d) => d.ms))).toBeLessThan(3000);
	await waitUntil(() => server.calls.length === 100, 20_000);
	const emails = server.calls.flatMap((call) => env.itemsOf(call).map((item) => item.email));
	expect(new Set(emails).size).toBe(10_000);
	expect(emails).toHaveLength(10_000);
	expect(Date.now() - started).toBeLessThan(20_000);
}, 30_000);

