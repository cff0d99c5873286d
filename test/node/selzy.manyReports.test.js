'use strict';
// Many input items in one run: the reports are requested and waited for together, downloads are
// bounded, the order and pairing follow the input, Continue On Fail and Stop behave per item,
// and every call stays under the API key's rate.
const { Selzy, useSelzy, reportParams, taskParams, apiCalls, jsonOf, waitUntil } = require('./selzy.support');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });

/** Campaigns 3001… whose reports take different times to prepare (the slowest `slowestMs`). */
function campaignsTakingDifferentTimes(count, slowestMs, rows = 200) {
	const ids = [];
	for (let i = 0; i < count; i++) {
		const id = 3001 + i;
		// Spread over the range in a shuffled order, so input order ≠ completion order.
		const readyAfterMs = Math.round((((i * 7) % count) + 1) * (slowestMs / count));
		env.sb.addCampaign({ id, rows, readyAfterMs });
		ids.push(id);
	}
	return ids;
}

const itemsFor = (ids) => ids.map((campaign) => ({ json: { campaign } }));
const pollSummary = (options = {}) =>
	reportParams('={{ $json.campaign }}', { waitMode: 'poll', output: 'summary', options: { pollInterval: 0.2, ...options } });

async function timed(work) {
	const started = Date.now();
	const result = await work();
	return { ...result, ms: Date.now() - started };
}

describe('Get Delivery Report with many items', () => {
	test('20 reports ready at different times take about the time of the slowest, not the sum', async () => {
		const ids = campaignsTakingDifferentTimes(20, 500);

		const together = await timed(() => run(pollSummary(), { inputItems: itemsFor(ids) }));
		let oneAfterAnother = 0;
		for (const id of ids) oneAfterAnother += (await timed(() => run(pollSummary(), { inputItems: itemsFor([id]) }))).ms;

		expect(together.status).toBe('success');
		// Output follows the input: item i is campaign ids[i]'s report, paired with item i.
		expect(together.output[0]).toHaveLength(20);
		const taskOf = (campaignId) => env.sb.tasks.find((task) => task.campaignId === campaignId).uuid;
		together.output[0].forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({ task_uuid: taskOf(ids[index]), total: 200 });
		});
		// Measured side by side: the sum of twenty waits against one shared wait.
		expect(together.ms * 3).toBeLessThan(oneAfterAnother);
	});

	test('every pending task is checked once per round, each with its own growing interval', async () => {
		const ids = campaignsTakingDifferentTimes(5, 1500);
		const { status } = await run(pollSummary(), { inputItems: itemsFor(ids) });
		expect(status).toBe('success');
		const checks = apiCalls(env.sb, 'async/getTaskResult');
		// Checks at about 0, 0.2, 0.5, 0.95, 1.6 s: at most five per task, never a tight loop.
		const perTask = new Map();
		for (const call of checks) perTask.set(call.params.task_uuid, (perTask.get(call.params.task_uuid) ?? 0) + 1);
		expect(perTask.size).toBe(5);
		for (const count of perTask.values()) expect(count).toBeLessThanOrEqual(6);
	});

	test('at most Parallel Downloads reports are downloaded at the same time', async () => {
		const { sb } = env;
		// Six big reports, all ready together.
		const ids = [3101, 3102, 3103, 3104, 3105, 3106];
		for (const id of ids) sb.addCampaign({ id, rows: 150_000, readyAfterMs: 50 });
		let active = 0;
		let mostAtOnce = 0;
		const serveFile = sb.serveFile;
		sb.serveFile = function countedServeFile(req, res, ...rest) {
			active++;
			mostAtOnce = Math.max(mostAtOnce, active);
			res.once('close', () => active--);
			return serveFile.call(this, req, res, ...rest);
		};
		try {
			const { status, output } = await run(pollSummary({ parallelDownloads: 2 }), { inputItems: itemsFor(ids) });
			expect(status).toBe('success');
			expect(jsonOf(output[0]).map((summary) => summary.total)).toEqual(ids.map(() => 150_000));
		} finally {
			delete sb.serveFile;
		}
		expect(mostAtOnce).toBe(2);
	});

	test('with Continue On Fail a failed report becomes its own error item and the others arrive', async () => {
		const { sb } = env;
		const ids = campaignsTakingDifferentTimes(4, 400);
		sb.fault({ kind: 'expired' });
		const inputItems = [...itemsFor(ids.slice(0, 2)), { json: { campaign: 424242 } }, ...itemsFor(ids.slice(2))];
		const { status, output } = await run(pollSummary(), { inputItems, continueOnFail: true });

		expect(status).toBe('success');
		const results = jsonOf(output[0]);
		expect(output[0].map((item) => item.pairedItem.item)).toEqual([0, 1, 2, 3, 4]);
		expect(results[2]).toEqual({ error: expect.stringContaining('campaign "424242" not found') });
		const failed = results.filter((json) => json.error);
		expect(failed).toHaveLength(2);
		expect(failed.find((json) => json !== results[2]).error).toContain('request a new report');
		expect(results.filter((json) => json.total === 200)).toHaveLength(3);
	});

	test('without Continue On Fail the first failure ends the run and polls no more', async () => {
		const { sb } = env;
		const ids = campaignsTakingDifferentTimes(3, 300);
		sb.addCampaign({ id: 3999, rows: 10, readyAfterMs: 60_000 });
		sb.fault({ kind: 'expired' });
		const started = Date.now();
		const { status, error } = await run(pollSummary(), { inputItems: itemsFor([...ids, 3999]) });

		expect(status).toBe('error');
		expect(error.message).toMatch(/expired|new report/i);
		expect(Date.now() - started).toBeLessThan(10_000);
		// Checks sent just before the end may reach the sandbox a moment later.
		await new Promise((resolve) => setTimeout(resolve, 200));
		const checksAtEnd = apiCalls(sb, 'async/getTaskResult').length;
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(apiCalls(sb, 'async/getTaskResult')).toHaveLength(checksAtEnd);
	});

	test('Stop ends every item at once', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: null });
		const controller = new AbortController();
		const running = run(pollSummary({ pollInterval: 30 }), {
			inputItems: itemsFor([1001, 1002, 1001]),
			abortSignal: controller.signal,
		});
		await waitUntil(() => apiCalls(sb, 'async/getTaskResult').length === 3);
		const stoppedAt = Date.now();
		controller.abort();
		const result = await running;

		expect(result.status).toBe('canceled');
		expect(Date.now() - stoppedAt).toBeLessThan(1500);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(apiCalls(sb, 'async/getTaskResult')).toHaveLength(3);
	});
});

describe('Task → Get Result with many task IDs', () => {
	test('checks all tasks together and keeps their order', async () => {
		const ids = campaignsTakingDifferentTimes(6, 600);
		const started = await run(reportParams('={{ $json.campaign }}', { waitMode: 'none' }), { inputItems: itemsFor(ids) });
		const uuids = jsonOf(started.output[0]).map((task) => task.task_uuid);

		const { status, output } = await run(
			taskParams('={{ $json.uuid }}', { waitMode: 'poll', output: 'summary', options: { pollInterval: 0.2 } }),
			{ inputItems: uuids.map((uuid) => ({ json: { uuid } })) },
		);
		expect(status).toBe('success');
		expect(jsonOf(output[0]).map((summary) => summary.task_uuid)).toEqual(uuids);
		expect(jsonOf(output[0]).every((summary) => summary.total === 200)).toBe(true);
	});
});

describe('API Calls per Minute', () => {
	test('keeps the calls the sandbox sees under the configured rate', async () => {
		const { sb } = env;
		const perMinute = 120;
		// Twenty reports at once: without the limiter all twenty requests arrive in a few milliseconds.
		const { status } = await run(
			reportParams('={{ $json.campaign }}', { waitMode: 'none', options: { callsPerMinute: perMinute } }),
			{ inputItems: itemsFor(Array.from({ length: 20 }, (_, i) => (i % 2 ? 1001 : 1002))) },
		);
		expect(status).toBe('success');

		const times = apiCalls(sb).map((call) => call.time);
		// Two calls per report: the campaign's status, then the request.
		expect(times).toHaveLength(40);
		// A tenth of the limit may go at once; the rest is spread over the minute.
		const burst = perMinute / 10;
		const perSecond = (perMinute - burst) / 60;
		for (const windowMs of [500, 1000, 2000]) {
			const allowed = burst + Math.ceil((windowMs / 1000) * perSecond) + 1;
			for (const start of times) {
				const inWindow = times.filter((time) => time >= start && time < start + windowMs).length;
				expect(inWindow).toBeLessThanOrEqual(allowed);
			}
		}
	});

	test('a rate-limit answer holds back every item, not only the one that got it', async () => {
		const { sb } = env;
		const method = 'async/getCampaignDeliveryStats';
		// The first request is refused at once; the next ones take 300 ms, so later items start only
		// after the refusal has arrived.
		sb.fault({ kind: 'code', code: 'api_call_limit_exceeded_for_api_key', method });
		sb.fault({ kind: 'slow', ms: 300, method, times: 20 });
		const { status, output } = await run(reportParams('={{ $json.campaign }}', { waitMode: 'none' }), {
			inputItems: itemsFor([1001, 1002, 1001, 1002, 1001, 1002, 1001, 1002]),
		});
		expect(status).toBe('success');
		expect(jsonOf(output[0]).filter((task) => task.task_uuid)).toHaveLength(8);

		const calls = apiCalls(sb, method);
		const refusedAt = calls.find((call) => call.fault === 'code').time;
		// Requests already on their way (the first few milliseconds) aside, nobody called again until
		// the back-off (at least half a second) was over.
		const tooEarly = calls.filter((call) => call.time > refusedAt + 50 && call.time < refusedAt + 450);
		expect(tooEarly).toEqual([]);
	});
});
