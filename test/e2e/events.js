'use strict';
// E2E scenarios p and q: the Selzy Events Trigger in a real n8n. p: the real-time example is
// published → the sandbox holds one hook → Selzy's events become items (retries not doubled) → a
// forged POST starts nothing → unpublishing removes the hook. q: n8n restarts → still one hook,
// a retry from before the restart is not doubled, signed single events arrive; and a delivery
// report of a campaign still sending carries its status and n8n's execution hint.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const h = require('../tooling');
const { signedBody } = require('../sandbox/hooks');
const { loadExample } = require('../../scripts/examples');

const EVENTS_TRIGGER = 'n8n-nodes-selzy.selzyEventsTrigger';
const EXAMPLE = 'unsubscribes-bounces-to-crm.json';

/** The hooks the sandbox holds for one webhook path. */
const hooksOf = (env, path) => env.sandbox.hooks.filter((hook) => new URL(hook.hook_url).pathname === path);

/** POSTs a body to a URL on n8n; resolves with the status. */
async function postTo(env, url, body, headers = { 'content-type': 'application/json' }) {
	const target = new URL(url);
	return (await env.client.call('POST', target.pathname + target.search, { body, headers, expect: null })).status;
}

/** Selzy's retry of a delivery: the same events with retry_count, signed again. */
function retryOf(delivery, apiKey) {
	const { auth, ...value } = JSON.parse(delivery.body);
	return signedBody({ ...value, retry_count: 1 }, apiKey);
}

async function unpublish(env, workflowId) {
	await env.client.rest('POST', `/workflows/${workflowId}/deactivate`, {});
}

async function published(env, path) {
	await h.waitUntil(async () => hooksOf(env, path).length > 0, 30_000, `a Selzy hook for ${path}`);
	const hooks = hooksOf(env, path);
	assert.equal(hooks.length, 1, `hooks for ${path}: ${JSON.stringify(hooks)}`);
	return hooks[0];
}

async function publishAndDeliver(env, helpers) {
	const { client, sandbox } = env;
	const example = loadExample(EXAMPLE, env.good);
	const trigger = example.nodes.find((node) => node.type === EVENTS_TRIGGER);
	trigger.webhookId = crypto.randomUUID();
	const path = `/webhook/${trigger.webhookId}/selzy-events`;
	const workflow = await client.createWorkflow(example);
	await client.activate(workflow.id);
	const hook = await published(env, path);
	assert.equal(new URL(hook.hook_url).searchParams.get('selzy_secret')?.length, 32, 'the hook URL carries the trigger’s secret');
	assert.deepEqual(hook.events, { email_status: '*', unsubscribe: '*' }, 'the hook asks for the chosen events');

	sandbox.configureHooks({ answerTimeoutMs: 3000, retryEveryMs: null });
	const [delivery] = await sandbox.emitEvents([
		{ event_name: 'email_status', event_time: '2026-05-04 10:00:00', email: 'gone@example.com', status: 'err_user_unknown', campaign_id: 1001 },
		{ event_name: 'email_status', event_time: '2026-05-04 10:00:01', email: 'reader@example.com', status: 'ok_read', campaign_id: 1001 },
		{ event_name: 'unsubscribe', event_time: '2026-05-04 10:00:02', email: 'bye@example.com', list_ids: [2] },
	]);
	assert.equal(delivery.status, 200, 'the delivery is answered 200');
	const [run] = await helpers.waitForExecutions(env, workflow.id, 1);
	// Selzy retrying it (its answer came too late, say): answered 200, nothing started again.
	assert.equal(await postTo(env, hook.hook_url, retryOf(delivery, sandbox.apiKey)), 200, 'the retry is answered 200');
	await h.sleep(1500);
	assert.equal((await client.executionsOf(workflow.id)).length, 1, 'the retry started no second execution');
	const items = helpers.expectSuccess(run, trigger.name).map((item) => item.json);
	assert.deepEqual(items.map((item) => [item.event, item.email, item.status_group ?? null]), [
		['email_status', 'gone@example.com', 'hard_bounce'],
		['unsubscribe', 'bye@example.com', null],
	]);
	assert.equal(items[0].campaign_id, 1001, 'campaign IDs are numbers');
	assert.equal(items[0].time, '2026-05-04T10:00:00Z', 'time in ISO 8601 UTC');
	const shaped = helpers.expectSuccess(run, 'Shape for CRM').map((item) => item.json);
	assert.deepEqual(shaped.map((item) => [item.email, item.reason]), [['gone@example.com', 'hard_bounce'], ['bye@example.com', 'unsubscribed']]);
	return { workflow, path, hook };
}

async function refuseForgeries(env, { workflow, path, hook }) {
	const before = (await env.client.executionsOf(workflow.id)).length;
	const body = JSON.stringify({ events_by_user: [{ login: 'x', events: [{ event_name: 'unsubscribe', event_time: '2026-05-04 11:00:00', event_data: { email: 'forged@example.com' } }] }] });
	const noSecret = await postTo(env, `${env.n8n.url}${path}`, body);
	const wrong = new URL(hook.hook_url);
	wrong.searchParams.set('selzy_secret', '0'.repeat(32));
	const wrongSecret = await postTo(env, wrong.toString(), body);
	assert.deepEqual([noSecret, wrongSecret], [401, 401], 'forged POSTs are refused');
	const probe = await env.client.call('GET', path, { expect: null });
	assert.equal(probe.status, 200, 'a GET to the URL is answered 200');
	await h.sleep(1000);
	assert.equal((await env.client.executionsOf(workflow.id)).length, before, 'the forged POSTs started nothing');
	return `${noSecret}/${wrongSecret}`;
}

async function scenarioP(env, helpers) {
	const published = await publishAndDeliver(env, helpers);
	const forged = await refuseForgeries(env, published);
	await unpublish(env, published.workflow.id);
	await h.waitUntil(async () => hooksOf(env, published.path).length === 0, 30_000, 'the hook to be removed');
	return `one hook, 2 items from 3 events (retry not doubled), forged ${forged}, unpublished → no hook`;
}

async function scenarioQ(env, helpers) {
	const { client, sandbox } = env;
	sandbox.configureHooks({ answerTimeoutMs: 3000, retryEveryMs: null });
	const webhookId = crypto.randomUUID();
	const path = `/webhook/${webhookId}/selzy-events`;
	const spec = {
		name: 'e2e q: events across a restart',
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'Selzy Events Trigger',
				type: EVENTS_TRIGGER,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { events: ['subscribe', 'campaign_status'], listId: { __rl: true, mode: 'id', value: '3' }, options: { singleEvent: true, verifySignature: true } },
				credentials: { selzyApi: { id: env.good.id, name: env.good.name } },
			},
		],
		connections: {},
	};
	const workflow = await client.createWorkflow(spec);
	await client.activate(workflow.id);
	const hook = await published(env, path);
	assert.deepEqual(hook.events, { subscribe: '3', campaign_status: '*' });
	assert.equal(hook.single_event, 1);
	const [before] = await sandbox.emitEvents([{ event_name: 'subscribe', event_time: '2026-05-05 08:00:00', email: 'early@example.com', subscribed_list_ids: [3] }]);
	assert.equal(before.status, 200);
	await helpers.waitForExecutions(env, workflow.id, 1);

	// n8n killed and started again on the same database and port (the same WEBHOOK_URL).
	await env.killAndRestartN8n();
	// n8n 2.x publishes again after a restart; the webhook answers once it is live.
	await h.waitUntil(async () => (await client.call('GET', path, { expect: null })).status === 200, 90_000, 'the trigger to be live after the restart');
	const after = hooksOf(env, path);
	assert.deepEqual(after.map((entry) => entry.hook_url), [hook.hook_url], 'still one hook, the same URL, after the restart');

	// Selzy retrying a delivery from before the restart: remembered in the workflow's static data.
	const retried = await postTo(env, hook.hook_url, retryOf(before, sandbox.apiKey));
	assert.equal(retried, 200, 'the retry is answered 200');
	sandbox.scheduleCampaignStatus({ id: 1001, statuses: ['in_progress'] });
	await h.waitUntil(async () => sandbox.hookDeliveries.some((d) => d.body.includes('campaign_status') && d.status === 200), 20_000, 'the campaign status event');
	await sandbox.emitEvents([{ event_name: 'subscribe', event_time: '2026-05-05 09:00:00', email: 'late@example.com', subscribed_list_ids: [3] }]);
	const runs = await helpers.waitForExecutions(env, workflow.id, 3);
	await h.sleep(1500);
	const all = await client.executionsOf(workflow.id);
	assert.equal(all.length, 3, `executions: the first subscribe, the campaign status and the later subscribe (${all.length})`);
	const emitted = runs.flatMap((run) => helpers.expectSuccess(run, 'Selzy Events Trigger').map((item) => item.json));
	assert.deepEqual(emitted.map((item) => item.email ?? item.status), ['early@example.com', 'in_progress', 'late@example.com']);
	await unpublish(env, workflow.id);
	await h.waitUntil(async () => hooksOf(env, path).length === 0, 30_000, 'the hook to be removed');

	// A report of a campaign still sending: its Summary and n8n's execution hint say so.
	const report = await helpers.runReport(env, 'e2e q: report while sending', {
		campaignId: { __rl: true, mode: 'id', value: '1001' },
		waitMode: 'poll',
		output: 'summary',
		options: { pollInterval: 1, timeout: 2 },
	});
	const [summary] = helpers.expectSuccess(report);
	assert.equal(summary.json.campaign_status, 'in_progress', 'the Summary names the campaign’s status');
	const hints = report.data.resultData.runData.Selzy[0].hints ?? [];
	assert.ok(hints.some((hint) => /still sending/.test(hint.message)), `execution hint: ${JSON.stringify(hints)}`);
	return 'one hook before and after the restart, the retry not doubled, hint shown';
}

/** The scenarios, given run.js's helpers (runReport, expectSuccess, waitForExecutions). */
function scenarios(helpers) {
	return [
		{
			id: 'p',
			name: 'Selzy Events Trigger: publish → one hook → events become items (retry not doubled); forged POST refused; unpublish → no hook',
			run: (env) => scenarioP(env, helpers),
		},
		{
			id: 'q',
			name: 'Selzy Events Trigger across an n8n restart: still one hook, no doubled retry; a report of a campaign still sending says so',
			run: (env) => scenarioQ(env, helpers),
		},
	];
}

module.exports = { scenarios };
