'use strict';
// What forged and repeated callbacks may cost: the customer's API quota (getTaskResult calls with
// their key) and the credential's decryption, which n8n 2.x pays for with an expression sandbox.
// Its own file: the trigger's guard lives in this process's memory, per workflow and node.

const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { useTriggerSandbox, completedTask, selzyCalls, randomTaskUuid, startedItems } = require('./trigger-support');

let sb;
let harness;
let clock;

useTriggerSandbox(14, (ready) => ({ sb, harness } = ready));
beforeEach(() => {
	// Each test starts a quarter of an hour after the last, so no guard window carries over.
	const realNow = Date.now.bind(Date);
	const skew = (clock?.skew ?? 0) + 15 * 60_000;
	clock = { skew, spy: jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skew) };
});
afterEach(() => clock.spy.mockRestore());

const forged = () => ({ result: { task_uuid: randomTaskUuid(), task_type: 'getCampaignDeliveryStats', status: 'completed' } });
const post = (body, parameters = { output: 'task' }) => harness.runWebhook(SelzyTrigger, { parameters, request: { body } });
const verifications = () => selzyCalls(sb, 'async/getTaskResult').length;

// The trigger's defaults, as the README states them.
const UNKNOWN_TASKS_PER_MINUTE = 20;
const VERIFICATIONS_AT_ONCE = 50;

describe('forged callbacks cannot burn the API quota', () => {
	const limit = UNKNOWN_TASKS_PER_MINUTE;

	test(`after ${limit} unknown tasks in a minute, callbacks get 429 with Retry-After and Selzy is not asked`, async () => {
		const statuses = [];
		for (let i = 0; i < limit + 5; i++) {
			const call = await post(forged());
			statuses.push(call.response.statusCode);
			if (call.response.statusCode === 429) {
				expect(Number(call.response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
				expect(Number(call.response.headers['retry-after'])).toBeLessThanOrEqual(60);
				expect(call.response.body).toEqual({ error: 'Too many callbacks for unknown tasks; try again later' });
			}
			expect(startedItems(call)).toBeUndefined();
		}
		expect(statuses).toEqual([...Array(limit).fill(404), ...Array(5).fill(429)]);
		expect(verifications()).toBe(limit);

		// A genuine callback waits for the minute to pass as well: that is what the Shared Secret avoids.
		const task = await completedTask(sb);
		const before = verifications();
		expect((await post({ result: task })).response.statusCode).toBe(429);
		expect(verifications()).toBe(before);
	});

	test('the same unknown task ID is answered 404 again without asking Selzy', async () => {
		const body = forged();
		for (let i = 0; i < 5; i++) {
			const call = await post(body);
			expect(call.response.statusCode).toBe(404);
			expect(call.response.body).toEqual({ error: 'Unknown task' });
		}
		expect(verifications()).toBe(1);
	});

	test('a flood of forged callbacks at the same moment starts at most 50 verifications', async () => {
		const atOnce = VERIFICATIONS_AT_ONCE;
		sb.fault({ kind: 'slow', method: 'async/getTaskResult', ms: 800, times: atOnce + 20 });
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'task' } });
		const answers = await Promise.all(
			Array.from({ length: atOnce + 20 }, async () => {
				const response = await fetch(hook.url(), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(forged()),
				});
				return { status: response.status, retryAfter: response.headers.get('retry-after') };
			}),
		);
		await hook.close();
		expect(answers.filter((a) => a.status === 404)).toHaveLength(atOnce);
		expect(answers.filter((a) => a.status === 429)).toEqual(Array(20).fill({ status: 429, retryAfter: '1' }));
		expect(verifications()).toBe(atOnce);
	});

	test('genuine callbacks are never limited by the unknown-task allowance', async () => {
		const tasks = [];
		for (let i = 0; i < limit + 5; i++) tasks.push(await completedTask(sb));
		for (const task of tasks) {
			const call = await post({ result: task });
			expect(call.response.statusCode).toBe(200);
			expect(startedItems(call)[0].json.task_uuid).toBe(task.task_uuid);
		}
	});

	test('a repeat of a delivered task is acknowledged as a duplicate without asking Selzy again', async () => {
		const task = await completedTask(sb);
		const first = await post({ result: task });
		expect(startedItems(first)).toHaveLength(1);
		const before = verifications();
		for (const claimed of ['completed', 'processing', 'new']) {
			const call = await post({ result: { ...task, status: claimed } });
			expect(call.response.body).toEqual({ received: true, duplicate: true });
			expect(startedItems(call)).toBeUndefined();
		}
		expect(verifications()).toBe(before);
	});
});

describe('a burst of callbacks (issue 18)', () => {
	test('decrypts the credential once, not for every callback', async () => {
		const decrypted = jest.spyOn(harness.credentialsHelper, 'getDecrypted');
		try {
			const tasks = [];
			for (let i = 0; i < 10; i++) tasks.push(await completedTask(sb));
			const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'summary' } });
			const answers = await Promise.all(
				tasks.map(async (task) => {
					const response = await fetch(hook.url(), {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ result: task }),
					});
					return response.status;
				}),
			);
			while (hook.calls.length < tasks.length) await new Promise((resolve) => setTimeout(resolve, 10));
			await hook.close();
			expect(answers).toEqual(Array(10).fill(200));
			expect(hook.calls.map((call) => startedItems(call)?.[0]?.json.total)).toEqual(Array(10).fill(25));
			// In n8n 2.x each decryption outside an execution builds (and throws away) an isolate;
			// the executions the callbacks start read the credential as every execution does.
			const inWebhookCalls = decrypted.mock.calls.filter(([additionalData]) => additionalData?.executionId === undefined);
			expect(inWebhookCalls.length).toBeLessThanOrEqual(2);
		} finally {
			decrypted.mockRestore();
		}
	});

	test('a key changed in the credential is read again as soon as Selzy refuses the remembered one', async () => {
		const task = await completedTask(sb);
		expect((await post({ result: task })).response.statusCode).toBe(200);
		const next = await completedTask(sb);
		// Selzy now refuses the remembered key once (as after a key rotation); the trigger re-reads it.
		sb.fault({ kind: 'code', method: 'async/getTaskResult', code: 'invalid_api_key', message: 'Invalid API key' });
		const decrypted = jest.spyOn(harness.credentialsHelper, 'getDecrypted');
		try {
			const call = await post({ result: next });
			expect(call.response.statusCode).toBe(200);
			expect(startedItems(call)[0].json.task_uuid).toBe(next.task_uuid);
			expect(decrypted).toHaveBeenCalledTimes(1);
		} finally {
			decrypted.mockRestore();
		}
	});
});
