'use strict';
// What forged and repeated callbacks may cost: the customer's API quota (getTaskResult calls with
// their key) and the credential's decryption, which n8n 2.x pays for with an expression sandbox.
// Its own file: the trigger's guard lives in this process's memory, per workflow and node.

const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { useTriggerSandbox, completedTask, selzyCalls, randomTaskUuid, startedItems, waitUntil } = require('./trigger-support');

let sb;
let harness;
let clock;

useTriggerSandbox(14, (ready) => ({ sb, harness } = ready));
beforeEach(() => {
	// Each test starts a quarter of an hour after the last, so no guard window carries over.
	const realNow = Date.now.bind(Date);
	const skew = (clock?.skew ?? 0) + 15 * 60_000;
	clock = { skew, spy: jest.spyOn(Date, 'now').mockImplementation(() => realNow() + clock.skew) };
});
afterEach(() => clock.spy.mockRestore());

const forged = () => ({ result: { task_uuid: randomTaskUuid(), task_type: 'getCampaignDeliveryStats', status: 'completed' } });
const post = (body, parameters = { output: 'task' }) => harness.runWebhook(SelzyTrigger, { parameters, request: { body } });
const verifications = () => selzyCalls(sb, 'async/getTaskResult').length;

// The trigger's defaults, as the README states them.
const UNKNOWN_TASKS_PER_MINUTE = 20;
const VERIFICATIONS_AT_ONCE = 50;
const VERIFY_ATTEMPTS = 3;
const DEFERRED_PER_MINUTE = 40;
const LOGGED_REFUSALS = 10;

describe('forged callbacks cannot burn the API quota', () => {
	const limit = UNKNOWN_TASKS_PER_MINUTE;

	test(`after ${limit} unknown tasks in a minute, callbacks are verified in the execution they start: forged ones return nothing, a genuine one its report`, async () => {
		const statuses = [];
		for (let i = 0; i < limit; i++) statuses.push((await post(forged())).response.statusCode);
		expect(statuses).toEqual(Array(limit).fill(404));
		expect(verifications()).toBe(limit);

		// Past the allowance a callback is not refused: the execution it starts asks Selzy first.
		const late = await post(forged());
		expect(late.response).toMatchObject({ statusCode: 200, body: { received: true } });
		expect(late.webhookResult.workflowData[0][0].json).toEqual({ task_uuid: expect.any(String), status: 'unverified', verified: false });
		expect(late.execution.status).toBe('success');
		expect(startedItems(late)).toEqual([]);
		expect(verifications()).toBe(limit + 1);
		expect(harness.logs.some((entry) => entry.message.includes('names no task Selzy knows'))).toBe(true);

		// The genuine callback that would have got 429 here: its report reaches the workflow.
		const task = await completedTask(sb);
		const genuine = await post({ result: task }, { output: 'summary' });
		expect(genuine.response.statusCode).toBe(200);
		expect(startedItems(genuine)).toEqual([expect.objectContaining({ json: expect.objectContaining({ task_uuid: task.task_uuid, total: 25 }) })]);
		// What the callback claimed is not used: only the task as Selzy's API describes it.
		expect(startedItems(genuine)[0].json.file_to_download).toBe(task.file_to_download);
	});

	test(`past ${DEFERRED_PER_MINUTE} deferred callbacks a minute, callbacks get 429 with Retry-After, each logged with its task ID up to ${LOGGED_REFUSALS} a minute`, async () => {
		for (let i = 0; i < limit; i++) await post(forged());
		for (let i = 0; i < DEFERRED_PER_MINUTE; i++) expect((await post(forged())).response.statusCode).toBe(200);
		const verified = verifications();
		const refused = [];
		for (let i = 0; i < LOGGED_REFUSALS + 5; i++) {
			const body = forged();
			const call = await post(body);
			expect(call.response.statusCode).toBe(429);
			expect(Number(call.response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
			expect(call.response.body).toEqual({ error: 'Too many callbacks for unknown tasks; try again later' });
			expect(call.execution).toBeUndefined();
			refused.push(body.result.task_uuid);
		}
		expect(verifications()).toBe(verified); // refusals cost no call
		const lines = harness.logs.filter((entry) => entry.level === 'warn' && /refused with 429/.test(entry.message));
		expect(lines.map((entry) => entry.message.match(/task ([0-9a-f-]{36})/)[1])).toEqual(refused.slice(0, LOGGED_REFUSALS));
		expect(lines[0].message).toContain('fetch it with Task → Get Result');
		// A minute later the next refusal is logged with the count of those left out.
		clock.skew += 61_000;
		for (let i = 0; i < limit; i++) await post(forged());
		for (let i = 0; i < DEFERRED_PER_MINUTE; i++) await post(forged());
		await post(forged());
		expect(harness.logs.at(-1).message).toMatch(/\(5 more refused since the last such line\)/);
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
		// Selzy answers no verification until every callback has arrived, however slowly they come.
		sb.fault({ kind: 'hold', method: 'async/getTaskResult', times: atOnce });
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'task' } });
		const answered = [];
		const answers = Promise.all(
			Array.from({ length: atOnce + 20 }, async () => {
				const response = await fetch(hook.url(), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(forged()),
				});
				const answer = { status: response.status, retryAfter: response.headers.get('retry-after') };
				answered.push(answer);
				return answer;
			}),
		);
		// Every callback is either held at Selzy or answered (the 20 past the 50 start executions).
		await waitUntil(() => sb.held + answered.length >= atOnce + 20, 20_000);
		const peak = sb.heldPeak;
		sb.release();
		const all = await answers;
		await hook.close();
		expect(peak).toBeLessThanOrEqual(atOnce);
		// A verification held past its own 5 s (a very slow machine) ends in 503 and frees its place;
		// otherwise exactly 50 were verified at once, and the 20 past them started executions that
		// verify their tasks one after another (and found none).
		const ranOutOfTime = all.filter((a) => a.status === 503 && !a.retryAfter).length;
		const deferred = all.filter((a) => a.status === 200).length;
		expect(all.filter((a) => a.status === 404)).toHaveLength(verifications() - ranOutOfTime - deferred);
		if (ranOutOfTime === 0) {
			expect(deferred).toBe(20);
			expect(verifications()).toBe(atOnce + 20);
		}
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

describe('while Selzy fails, forged callbacks cost a few calls, not one each', () => {
	const CALLBACKS = 10;
	const failingVerifications = () => harness.logs.filter((entry) => entry.level === 'error' && /could not verify task/.test(entry.message));

	test.each([
		['HTTP 503', { kind: 'http', status: 503 }],
		['retry_later', { kind: 'code', code: 'retry_later' }],
		['a rate-limit answer', { kind: 'code', code: 'api_call_limit_exceeded_for_api_key' }],
	])('%s: callbacks get 503 with Retry-After, Selzy is asked for two per 10 s, one line is logged, the credential is read once', async (_name, fault) => {
		sb.fault({ ...fault, method: 'async/getTaskResult', times: 1000 });
		const loggedBefore = failingVerifications().length;
		const decrypted = jest.spyOn(harness.credentialsHelper, 'getDecrypted');
		try {
			const answers = [];
			for (let i = 0; i < CALLBACKS; i++) {
				const call = await post(forged());
				answers.push({ status: call.response.statusCode, retryAfter: Number(call.response.headers['retry-after'] ?? 0) });
				expect(startedItems(call)).toBeUndefined();
			}
			expect(answers.map((answer) => answer.status)).toEqual(Array(CALLBACKS).fill(503));
			// Two asked Selzy (the one that found it failing, then one more in the period; a third if
			// the flood outlasted its 10 s); the others were answered at once, saying when to come back.
			const answeredAtOnce = answers.filter((answer) => answer.retryAfter >= 1 && answer.retryAfter <= 10);
			expect(answeredAtOnce.length).toBeGreaterThanOrEqual(CALLBACKS - 3);
			expect(verifications()).toBeLessThanOrEqual((CALLBACKS - answeredAtOnce.length) * VERIFY_ATTEMPTS);
			expect(failingVerifications().length - loggedBefore).toBe(1);
			// Read once (twice if the one reused from before ran out during the flood), not per verification.
			expect(decrypted.mock.calls.length).toBeLessThanOrEqual(2);
		} finally {
			decrypted.mockRestore();
		}
	});

	test('once Selzy answers again, a genuine callback is verified and delivered after the Retry-After', async () => {
		const task = await completedTask(sb);
		// Two verifications of three attempts each find Selzy failing; then it is back.
		const before = verifications();
		sb.fault({ kind: 'http', status: 503, method: 'async/getTaskResult', times: 2 * VERIFY_ATTEMPTS });
		for (let i = 0; i < 3; i++) await post(forged());
		expect(verifications() - before).toBe(2 * VERIFY_ATTEMPTS);
		const refused = await post({ result: task });
		expect(refused.response.statusCode).toBe(503);
		const retryAfter = Number(refused.response.headers['retry-after']);
		expect(retryAfter).toBeLessThanOrEqual(10);

		clock.skew += retryAfter * 1000;
		const genuine = await post({ result: task });
		expect(genuine.response.statusCode).toBe(200);
		expect(startedItems(genuine)[0].json.task_uuid).toBe(task.task_uuid);
	});
});

describe('letter case of a task ID', () => {
	test('a real task ID sent first in capitals does not make the genuine callback be refused', async () => {
		const task = await completedTask(sb);
		const shouted = await post({ result: { ...task, task_uuid: task.task_uuid.toUpperCase() } });
		expect(startedItems(shouted)).toBeUndefined();
		const genuine = await post({ result: task });
		expect(genuine.response.statusCode).toBe(200);
		expect(startedItems(genuine)[0].json.task_uuid).toBe(task.task_uuid);
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

	test('a verification that fails for any other reason keeps the credential: the next callback does not decrypt it again', async () => {
		// A refused key makes the trigger read the credential again, so what follows starts fresh.
		sb.fault({ kind: 'code', code: 'invalid_api_key', method: 'async/getTaskResult' });
		await post(forged());
		sb.fault({ kind: 'http', status: 503, method: 'async/getTaskResult', times: VERIFY_ATTEMPTS });
		expect((await post(forged())).response.statusCode).toBe(503);
		clock.skew += 10_000; // past the period in which Selzy counts as failing
		const task = await completedTask(sb);
		const decrypted = jest.spyOn(harness.credentialsHelper, 'getDecrypted');
		try {
			expect((await post({ result: task })).response.statusCode).toBe(200);
			expect(decrypted).not.toHaveBeenCalled();
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
