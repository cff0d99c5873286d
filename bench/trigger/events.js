'use strict';
// The events load of `npm run bench:trigger`: Selzy event deliveries (batched or one event per
// request, signed as the sandbox signs them) sent open-loop at a steady rate to the Selzy Events
// Trigger's hook URL or to n8n's Webhook node, then every execution read back to count the events
// that came out: none may be lost or doubled.

const h = require('../../test/tooling');
const { signedBody, selzyTime } = require('../../test/sandbox/hooks');
const { percentile, round } = require('../lib/format');
const { watchProcess } = require('../lib/sampling');
const { sendAtRate, sendCallback } = require('./callbacks');
const { isolatesAcquired, watchReadiness } = require('./readings');

const STATUSES = ['ok_delivered', 'ok_read', 'ok_link_visited', 'err_user_unknown', 'err_mailbox_full', 'ok_unsubscribed'];
const WARMUP_REQUESTS = 3;

/** Request bodies: `requests` of `perRequest` events each, every event a different recipient. */
function eventBodies(apiKey, { requests, perRequest, single, prefix = 'r' }) {
	const time = selzyTime();
	const bodies = [];
	for (let r = 0; r < requests; r++) {
		const emails = [];
		const events = [];
		for (let i = 0; i < perRequest; i++) {
			const email = `${prefix}${r}-${i}@load.example`;
			emails.push(email);
			events.push({ email, status: STATUSES[(r + i) % STATUSES.length], email_id: r * perRequest + i, campaign_id: 9101 });
		}
		const value = single
			? { login: 'load-shop', event_name: 'email_status', event_time: time, ...events[0] }
			: { events_by_user: [{ login: 'load-shop', events: events.map((data) => ({ event_name: 'email_status', event_time: time, event_data: data })) }] };
		bodies.push({ body: signedBody(value, apiKey), emails });
	}
	return bodies;
}

/** The recipients an item stands for: the trigger's one event, or every event of the Webhook node's body. */
function emailsOfItem(json) {
	if (typeof json.email === 'string' && json.event) return [json.email];
	const body = json.body ?? {};
	if (Array.isArray(body.events_by_user)) return body.events_by_user.flatMap((user) => user.events.map((event) => event.event_data?.email));
	return body.email ? [body.email] : [];
}

/** How many executions the workflow has (n8n's own count). */
async function executionCount(client, workflowId) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId: String(workflowId) }));
	const answer = await client.rest('GET', `/executions?filter=${filter}&limit=1`);
	return Number(answer?.count ?? 0);
}

/** Waits until the count reaches `expected` and holds for a few seconds, or stops changing for 20 s. */
async function settle(client, workflowId, expected, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	let last = -1;
	let since = Date.now();
	for (;;) {
		const now = await executionCount(client, workflowId).catch(() => last);
		if (now !== last) {
			last = now;
			since = Date.now();
		}
		const quietMs = Date.now() - since;
		if ((now >= expected && quietMs > 3000) || quietMs > 20_000) return { count: now, timedOut: false };
		if (Date.now() > deadline) return { count: now, timedOut: true };
		await h.sleep(1000);
	}
}

/**
 * Every execution of the workflow with its data, page by page: the emails its start node output,
 * and how long that node ran (the trigger's first step, with its lookup in n8n's deduplication store).
 */
async function readOutput(client, workflowId, startNode) {
	const emails = [];
	const startNodeMs = [];
	let executions = 0;
	let failed = 0;
	let cursor;
	do {
		const query = new URLSearchParams({ workflowId: String(workflowId), includeData: 'true', limit: '100' });
		if (cursor) query.set('cursor', cursor);
		const page = await client.publicApi(`/executions?${query}`);
		for (const execution of page.data) {
			executions++;
			if (execution.status !== 'success') failed++;
			for (const item of h.nodeOutput(execution, startNode) ?? []) emails.push(...emailsOfItem(item.json));
			const ran = execution.data?.resultData?.runData?.[startNode]?.[0]?.executionTime;
			if (typeof ran === 'number') startNodeMs.push(ran);
		}
		cursor = page.nextCursor;
	} while (cursor);
	return { emails, startNodeMs, executions, failed };
}

/** Sends the warm-up deliveries until the URL answers 200 (activation can take a moment). */
async function warmUp(url, bodies) {
	const deadline = Date.now() + 60_000;
	for (const { body } of bodies) {
		for (;;) {
			const outcome = await sendCallback(url, body, 60_000);
			if (outcome.status === 200) break;
			if (outcome.status !== 404 || Date.now() > deadline) throw new Error(`warm-up delivery answered ${outcome.status ?? outcome.error}`);
			await h.sleep(500);
		}
	}
}

/** The URL the load goes to: the hook the trigger registered in the sandbox, or the Webhook node's. */
async function loadUrl(ctx, scenario, target, path) {
	if (scenario.kind === 'events-webhook') return target.receiver.url + path;
	await h.waitUntil(async () => ctx.sandbox.hooks.some((hook) => new URL(hook.hook_url).pathname === path), 30_000, 'the trigger’s hook in the sandbox');
	const hook = ctx.sandbox.hooks.find((entry) => new URL(entry.hook_url).pathname === path);
	// The sandbox stands for Selzy; the hook URL names n8n's own address.
	return hook.hook_url;
}

/** Warm-up, the load, and the readings; returns the scenario's figures. */
async function runEventsLoad(ctx, scenario, { target, client, workflow, path, startNode }) {
	const { options, sandbox } = ctx;
	const url = await loadUrl(ctx, scenario, target, path);
	const single = scenario.perRequest === 1;
	await warmUp(url, eventBodies(sandbox.apiKey, { requests: WARMUP_REQUESTS, perRequest: scenario.perRequest, single, prefix: 'warm' }));
	const warm = await settle(client, workflow.id, WARMUP_REQUESTS, 60_000);
	await h.sleep(3000);

	const requests = Math.round(scenario.rate * scenario.seconds);
	const bodies = eventBodies(sandbox.apiKey, { requests, perRequest: scenario.perRequest, single });
	const plan = bodies.map((entry, index) => ({ task: { body: entry.body, uuid: String(index) }, repeat: false }));
	const isolatesBefore = await isolatesAcquired(target.receiver.url);
	const watched = watchProcess(target.receiver.pid);
	const readiness = watchReadiness(target.receiver.url);
	const benchCpuBefore = process.cpuUsage();
	const loadStarted = Date.now();
	const answers = await sendAtRate(url, plan, scenario.rate, options.clientTimeout * 1000);
	const answeredAfter = (Date.now() - loadStarted) / 1000;
	const settled = await settle(client, workflow.id, warm.count + requests, options.drainTimeout * 1000);
	const settledAfter = (Date.now() - loadStarted) / 1000;
	const benchCpu = process.cpuUsage(benchCpuBefore);
	const health = await readiness.stop();
	const memory = watched.stop();
	const isolatesAfter = await isolatesAcquired(target.receiver.url);

	const times = answers.filter((a) => a.status !== undefined).map((a) => a.ms);
	const byStatus = {};
	for (const answer of answers) {
		const key = answer.status ?? (answer.error === 'client timeout' ? 'timeout' : 'error');
		byStatus[key] = (byStatus[key] ?? 0) + 1;
	}
	const read = await readOutput(client, workflow.id, startNode);
	const sent = new Set(bodies.flatMap((entry) => entry.emails));
	const output = read.emails.filter((email) => sent.has(email));
	const distinct = new Set(output);
	return {
		status: 'done',
		requests,
		eventsSent: sent.size,
		answered: times.length,
		answersByStatus: byStatus,
		within3s: answers.filter((a) => a.status === 200 && a.ms <= 3000).length,
		answerMs: { p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), max: times.length ? Math.max(...times) : undefined },
		answeredAfterSeconds: round(answeredAfter, 1),
		settledAfterSeconds: round(settledAfter, 1),
		drainTimedOut: settled.timedOut,
		executions: read.executions - warm.count,
		startNodeMs: { p50: percentile(read.startNodeMs, 50), p99: percentile(read.startNodeMs, 99), max: read.startNodeMs.length ? Math.max(...read.startNodeMs) : undefined },
		executionsFailed: read.failed,
		eventsOutput: output.length,
		eventsLost: sent.size - distinct.size,
		eventsDoubled: output.length - distinct.size,
		baselineRssMiB: memory.baselineRssMiB,
		peakIncreaseMiB: memory.peakIncreaseMiB,
		rssAfterMiB: memory.rssAfterMiB,
		cpuSeconds: memory.cpuSeconds,
		rssTimelineMiB: memory.rssTimelineMiB,
		readinessChecks: health.checks,
		readinessFailures: health.failures.length,
		readinessFailureSamples: health.failures.slice(0, 3),
		benchCpuSeconds: round((benchCpu.user + benchCpu.system) / 1e6, 1),
		isolatesAcquired: isolatesBefore !== undefined && isolatesAfter !== undefined ? isolatesAfter - isolatesBefore : undefined,
	};
}

const isEventsScenario = (scenario) => scenario.kind === 'events' || scenario.kind === 'events-webhook';

module.exports = { runEventsLoad, eventBodies, emailsOfItem, isEventsScenario };
