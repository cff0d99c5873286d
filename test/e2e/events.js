'use strict';
// E2E scenarios p, q and v: the Selzy Events Trigger in a real n8n. p: the real-time example is
// published → the sandbox holds one hook → Selzy's events become items (retries not doubled) → a
// forged POST starts nothing → unpublishing removes the hook. q: n8n restarts → still one hook,
// a retry from before the restart outputs nothing again, signed single events arrive; and a
// delivery report of a campaign still sending carries its status and n8n's execution hint.
// v: n8n is killed right after Selzy had its 200 for a delivery: after the restart the events are
// in an execution, and Retry outputs them.

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
			eventsTriggerNode(env, webhookId, { events: ['subscribe', 'campaign_status'], listId: { __rl: true, mode: 'id', value: '3' }, options: { singleEvent: true, verifySignature: true } }),
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

	// Selzy retrying a delivery from before the restart: the restarted n8n starts an execution,
	// whose first step finds the event in n8n's deduplication store and outputs nothing.
	const retried = await postTo(env, hook.hook_url, retryOf(before, sandbox.apiKey));
	assert.equal(retried, 200, 'the retry is answered 200');
	sandbox.scheduleCampaignStatus({ id: 1001, statuses: ['in_progress'] });
	await h.waitUntil(async () => sandbox.hookDeliveries.some((d) => d.body.includes('campaign_status') && d.status === 200), 20_000, 'the campaign status event');
	await sandbox.emitEvents([{ event_name: 'subscribe', event_time: '2026-05-05 09:00:00', email: 'late@example.com', subscribed_list_ids: [3] }]);
	const runs = await helpers.waitForExecutions(env, workflow.id, 4);
	await h.sleep(1500);
	const all = await client.executionsOf(workflow.id);
	assert.equal(all.length, 4, `executions: the first subscribe, the retry, the campaign status and the later subscribe (${all.length})`);
	const outputs = runs.map((run) => helpers.expectSuccess(run, 'Selzy Events Trigger').map((item) => item.json));
	assert.equal(outputs.filter((items) => items.length === 0).length, 1, 'the retry’s execution outputs nothing');
	assert.deepEqual(outputs.flat().map((item) => item.email ?? item.status), ['early@example.com', 'in_progress', 'late@example.com']);
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

/** A Selzy Events Trigger node of a workflow built here, with the suite's working credential. */
function eventsTriggerNode(env, webhookId, parameters) {
	return {
		id: crypto.randomUUID(),
		name: 'Selzy Events Trigger',
		type: EVENTS_TRIGGER,
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		parameters,
		credentials: { selzyApi: { id: env.good.id, name: env.good.name } },
	};
}

/** The trigger, then a Wait of `seconds` (under 65 s n8n waits inside the running execution). */
function triggerThenWait(env, name, webhookId, seconds) {
	const trigger = eventsTriggerNode(env, webhookId, { events: ['email_status', 'unsubscribe'], options: {} });
	const wait = { id: crypto.randomUUID(), name: 'Wait', type: 'n8n-nodes-base.wait', typeVersion: 1.1, position: [220, 0], parameters: { amount: seconds, unit: 'seconds' } };
	return { name, nodes: [trigger, wait], connections: { [trigger.name]: { main: [[{ node: wait.name, type: 'main', index: 0 }]] } } };
}

async function scenarioV(env, helpers) {
	const { client, sandbox } = env;
	sandbox.configureHooks({ answerTimeoutMs: 3000, retryEveryMs: null });
	const webhookId = crypto.randomUUID();
	const path = `/webhook/${webhookId}/selzy-events`;
	const workflow = await client.createWorkflow(triggerThenWait(env, 'e2e v: events, n8n killed after the answer', webhookId, 20));
	await client.activate(workflow.id);
	await published(env, path);

	const emails = ['killed-1@example.com', 'killed-2@example.com', 'killed-3@example.com'];
	const [delivery] = await sandbox.emitEvents([
		{ event_name: 'email_status', event_time: '2026-05-06 07:00:00', email: emails[0], status: 'err_user_unknown' },
		{ event_name: 'email_status', event_time: '2026-05-06 07:00:01', email: emails[1], status: 'ok_read' },
		{ event_name: 'unsubscribe', event_time: '2026-05-06 07:00:02', email: emails[2], list_ids: [2] },
	]);
	assert.equal(delivery.status, 200, 'Selzy had its 200');
	const answeredAt = Date.now();
	await env.killAndRestartN8n();
	const restartedIn = Date.now() - answeredAt;

	await client.ownerLogin(env.owner);
	const [crashed, ...others] = await client.executionsOf(workflow.id);
	if (!crashed) {
		// n8n 1.x answers a webhook before it creates the execution: killed in that moment, nothing
		// is left (the README's Compatibility section says so). n8n 2.x answers only once it is saved.
		assert.equal(env.version.startsWith('1.'), true, 'an execution for the acknowledged delivery');
		await h.waitUntil(async () => (await client.call('GET', path, { expect: null })).status === 200, 90_000, 'the trigger to be live after the restart');
		await unpublish(env, workflow.id);
		return `answered, n8n killed and up again in ${((Date.now() - answeredAt) / 1000).toFixed(1)} s; no execution (n8n 1.x answers before it creates one)`;
	}
	assert.equal(others.length, 0, 'one execution for the delivery');
	assert.ok(['crashed', 'error'].includes(crashed.status), `the interrupted execution is ${crashed.status}`);
	const note = `answered, n8n killed and up again in ${(restartedIn / 1000).toFixed(1)} s; execution ${crashed.id} was ${crashed.status}`;
	const saved = await client.publicApi(`/executions/${crashed.id}?includeData=true`).catch(() => undefined);
	let result;
	if (saved?.data) {
		const text = JSON.stringify(saved.data);
		assert.ok(emails.every((email) => text.includes(email)), 'the saved execution holds the events');
		// Retry (as the README says): the trigger outputs the events again, whatever n8n's
		// deduplication store says, and they go on through the workflow.
		const retried = await client.rest('POST', `/executions/${crashed.id}/retry`, { loadWorkflow: false });
		const execution = await client.waitForExecution(retried.id, { timeoutMs: 120_000 });
		const waited = helpers.expectSuccess(execution, 'Wait').map((item) => item.json);
		assert.deepEqual(waited.map((item) => item.email), emails, 'the retried execution carries every event');
		assert.ok(waited.every((item) => typeof item.event_id === 'string'), 'each item has its event_id');
		result = `${note}; Retry → ${waited.length} events`;
	} else {
		// n8n 1.x answers before it saves the execution, and on its legacy SQLite writes the data
		// in a second step: killed in that moment, the execution is listed without it.
		assert.equal(env.version.startsWith('1.'), true, 'only n8n 1.x answers before the execution data is saved');
		result = `${note} without its data (n8n 1.x answers before saving)`;
	}
	await h.waitUntil(async () => (await client.call('GET', path, { expect: null })).status === 200, 90_000, 'the trigger to be live after the restart');
	await unpublish(env, workflow.id);
	await h.waitUntil(async () => hooksOf(env, path).length === 0, 30_000, 'the hook to be removed');
	return result;
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
		{
			id: 'v',
			name: 'Selzy Events Trigger: n8n killed right after Selzy had its 200 for a delivery: after the restart the events are in an execution and Retry outputs them',
			run: (env) => scenarioV(env, helpers),
		},
	];
}

module.exports = { scenarios };
