'use strict';
// The load: completed report tasks in the sandbox, the order their callbacks are sent in (with
// repeats), and sending them open-loop at a steady rate over loopback.

const http = require('node:http');
const { request } = require('undici');

const { sleep } = require('../../test/tooling');
const { phpJson } = require('../../test/sandbox/data');
const { round } = require('../lib/format');


/** Completed report tasks in the sandbox, with the body Selzy would POST for each. */
async function completedTasks(sandbox, campaignId, howMany) {
	const tasks = [];
	for (let i = 0; i < howMany; i++) {
		const form = new URLSearchParams({ api_key: sandbox.apiKey, format: 'json', campaign_id: String(campaignId) });
		const response = await request(`${sandbox.url}/en/api/async/getCampaignDeliveryStats`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: form.toString(),
		});
		const { result } = await response.body.json();
		tasks.push(result.task_uuid);
	}
	// readyAfterMs 0: each task completed on a timer right after it was created.
	await sleep(50);
	return tasks.map((uuid) => {
		const task = sandbox.tasks.find((t) => t.uuid === uuid);
		if (task?.status !== 'completed') throw new Error(`sandbox task ${uuid} did not complete`);
		const result = { task_uuid: uuid, task_type: 'getCampaignDeliveryStats', status: 'completed', file_to_download: task.fileUrl };
		return { uuid, body: phpJson({ result }) };
	});
}

/** Small deterministic generator, so every scenario and every run sends the same sequence. */
function seeded(seed) {
	let state = seed >>> 0;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

/**
 * The order of callbacks: every task once, plus repeats of `repeatShare` of them, each repeat
 * 1–30 callbacks after the first delivery (some while the first is still being handled).
 */
function callbackPlan(tasks, repeatShare, seed = 18) {
	const random = seeded(seed);
	const entries = tasks.map((task, index) => ({ key: index, task, repeat: false }));
	const repeats = Math.round(tasks.length * repeatShare);
	const step = tasks.length / Math.max(1, repeats);
	for (let r = 0; r < repeats; r++) {
		const index = Math.floor(r * step);
		entries.push({ key: index + 1 + Math.floor(random() * 30) + 0.5, task: tasks[index], repeat: true });
	}
	return entries.sort((a, b) => a.key - b.key);
}

/** POSTs one callback on a fresh connection; resolves with its status and answer time. */
function sendCallback(url, body, timeoutMs) {
	return new Promise((resolve) => {
		const started = performance.now();
		const done = (outcome) => resolve({ ...outcome, ms: round(performance.now() - started, 1) });
		const req = http.request(
			url,
			{ method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'selzy-load' } },
			(res) => {
				res.resume();
				res.on('end', () => done({ status: res.statusCode }));
				res.on('error', (error) => done({ error: error.message }));
			},
		);
		req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
		req.on('error', (error) => done({ error: error.message }));
		req.end(body);
	});
}

/** Sends the plan open-loop at `rate` per second; resolves when every callback has an outcome. */
async function sendAtRate(url, plan, rate, timeoutMs) {
	const started = performance.now();
	const pending = plan.map(async (entry, index) => {
		const due = started + (index * 1000) / rate;
		const wait = due - performance.now();
		if (wait > 0) await sleep(wait);
		const outcome = await sendCallback(url, entry.task.body, timeoutMs);
		return { ...outcome, repeat: entry.repeat, uuid: entry.task.uuid, sentAt: round((due - started) / 1000, 2) };
	});
	return Promise.all(pending);
}


module.exports = { completedTasks, callbackPlan, sendCallback, sendAtRate };
