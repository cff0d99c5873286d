'use strict';
// The Selzy Trigger receiving real callbacks from the sandbox: verify with the API, start an
// execution with the verified task (Selzy is answered once it is saved), read the file from the
// API's link inside that execution, output file / rows / summary / task, and never return a task twice.

const { setTimeout: sleep } = require('node:timers/promises');
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');
const { VERIFY_RETRY } = require('../../nodes/Selzy/callback/verify.ts');
const duplicates = require('../../nodes/Selzy/callback/duplicates.ts');
const { triggerScope } = require('../../nodes/Selzy/callback/handler.ts');
const {
	startRecorder,
	callSelzy,
	startReport,
	completedTask,
	waitUntil,
	selzyCalls,
	sha256,
	randomTaskUuid,
	startedItems,
} = require('./trigger-support');

let sb;
let harness;
let recorder;

beforeAll(async () => {
	sb = await createSandbox({ seed: 11 });
	harness = await createHarness({ credentials: { selzyApi: { apiKey: sb.apiKey, baseUrl: sb.url, language: 'en' } } });
	recorder = await startRecorder();
});
afterAll(async () => {
	await harness.close();
	await recorder.close();
	await sb.close();
});
/** What another n8n process (or this one after a restart) knows of a callback accepted here: nothing. */
function forgetAcceptedCallback(task) {
	const { harnessWorkflow } = harness.internals(SelzyTrigger);
	const node = harnessWorkflow.buildNode();
	duplicates.releaseTask(`${triggerScope(harnessWorkflow.id, node.id)}:${duplicates.taskKey({ ...task, status: 'completed' })}`);
}

beforeEach(async () => {
	sb.reset();
	await harness.clearProcessed(SelzyTrigger);
	recorder.requests.length = 0;
	harness.setStaticData(SelzyTrigger, undefined);
});

/** Starts the trigger's server and a report whose notify_url is the trigger; resolves with the task id. */
async function reportCallingBack(hook, { campaignId = 1001, ...config } = {}) {
	sb.configure({ readyAfterMs: 0, ...config });
	return await startReport(sb, { campaign_id: campaignId, notify_url: hook.url() });
}

describe('a callback from Selzy', () => {
	test('is answered with 200 once the execution starts, the file is read inside it and output byte for byte', async () => {
		const stallMs = 1500;
		sb.fault({ kind: 'stall', ms: stallMs });
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'file' } });
		const nextCall = hook.nextCall();
		const uuid = await reportCallingBack(hook);

		const callback = await waitUntil(() => sb.callbacks.find((entry) => entry.status !== null));
		const answeredAt = Date.now();
		expect(callback).toMatchObject({ taskUuid: uuid, contentType: 'application/json', status: 200, error: null });
		expect(hook.calls).toHaveLength(0); // the execution is still busy with the download

		const call = await nextCall;
		const finishedAt = Date.now();
		const [download] = selzyCalls(sb, 'download');
		expect(answeredAt).toBeLessThan(download.time + stallMs);
		expect(finishedAt - answeredAt).toBeGreaterThanOrEqual(stallMs - 300);

		expect(call.error).toBeUndefined();
		expect(call.responded).toBe('harness'); // n8n's own answer, sent once the execution exists
		expect(call.lateResponseAttempt).toBe(false);
		// webhook() hands on the verified task only; the download happens in the execution.
		expect(call.webhookResult.workflowData).toEqual([[{ json: expect.objectContaining({ task_uuid: uuid, status: 'completed' }) }]]);
		expect(call.webhookResult.noWebhookResponse).toBeUndefined();
		const items = startedItems(call);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ task_uuid: uuid, task_type: 'getCampaignDeliveryStats', status: 'completed' });
		const truth = await sb.groundTruth({ campaignId: 1001 }).sha256AndSize();
		const stored = harness.binaries(items[0]).data;
		expect(stored.size).toBe(truth.size);
		expect(sha256(stored.bytes())).toBe(truth.sha256);
		expect(items[0].json.fileSize).toBe(truth.size);
		await hook.close();
	});

	test('is confirmed with getTaskResult before anything is downloaded', async () => {
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'file' } });
		const nextCall = hook.nextCall();
		const uuid = await reportCallingBack(hook);
		await nextCall;

		const log = sb.requests.map((entry) => entry.apiMethod);
		const verified = log.indexOf('async/getTaskResult');
		expect(verified).toBeGreaterThan(-1);
		expect(sb.requests[verified].params.task_uuid).toBe(uuid);
		expect(log.indexOf('download')).toBeGreaterThan(verified);
		await hook.close();
	});

	test('sent as a form by a report the Selzy node started with a Notify URL outputs the file', async () => {
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'file' } });
		const nextCall = hook.nextCall();
		sb.configure({ readyAfterMs: 50, callbackFormat: 'form' });
		const started = await harness.runExecute(Selzy, {
			parameters: {
				resource: 'campaign',
				operation: 'getDeliveryReport',
				campaignId: { __rl: true, mode: 'id', value: '1002' },
				waitMode: 'none',
				notifyUrl: hook.url(),
			},
		});
		expect(started.error).toBeUndefined();
		const uuid = started.output[0][0].json.task_uuid;

		const call = await nextCall;
		expect(sb.callbacks[0]).toMatchObject({ taskUuid: uuid, contentType: 'application/x-www-form-urlencoded', status: 200 });
		expect(call.request.body).toEqual(expect.objectContaining({ 'result[task_uuid]': uuid }));
		const [item] = startedItems(call);
		expect(item.json.task_uuid).toBe(uuid);
		const truth = await sb.groundTruth({ campaignId: 1002 }).sha256AndSize();
		const stored = harness.binaries(item).data;
		expect(stored.size).toBe(truth.size);
		expect(sha256(stored.bytes())).toBe(truth.sha256);
		await hook.close();
	});

	test('outputs one row per recipient, named fields included, as the report has them', async () => {
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'rows' } });
		const nextCall = hook.nextCall();
		sb.configure({ readyAfterMs: 0 });
		await startReport(sb, { campaign_id: 1001, notify_url: hook.url(), field_ids: [102, 103] });
		const call = await nextCall;

		const truth = sb.groundTruth({ campaignId: 1001, fieldIds: [102, 103] });
		const rows = startedItems(call).map((item) => item.json);
		expect(rows).toHaveLength(truth.total);
		expect(rows.map((row) => [row.email, row.send_result, row.last_update, row.fields])).toEqual(
			truth.rows.map((row) => [row.email, row.send_result, row.last_update.replace(' ', 'T') + 'Z', row.fields]),
		);
		expect(rows[0]).toEqual(expect.objectContaining({ status: expect.any(String), status_group: expect.any(String) }));
		expect(selzyCalls(sb, 'getFields')).toHaveLength(1); // field ids became names
		await hook.close();
	});

	test('outputs the same summary as the Selzy node for the same report', async () => {
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'summary' } });
		const nextCall = hook.nextCall();
		await reportCallingBack(hook, { campaignId: 1002 });
		const call = await nextCall;
		const [fromTrigger] = startedItems(call);

		const truth = sb.groundTruth({ campaignId: 1002 });
		expect(fromTrigger.json.total).toBe(truth.total);
		expect(fromTrigger.json.bySendResult).toEqual(truth.bySendResult);

		const polled = await harness.runExecute(Selzy, {
			parameters: {
				resource: 'campaign',
				operation: 'getDeliveryReport',
				campaignId: { __rl: true, mode: 'id', value: '1002' },
				waitMode: 'poll',
				output: 'summary',
				options: { pollInterval: 1 },
			},
		});
		expect(polled.error).toBeUndefined();
		const fromNode = polled.output[0][0].json;
		for (const key of ['total', 'bySendResult', 'byGroup', 'rates', 'report']) {
			expect(fromTrigger.json[key]).toEqual(fromNode[key]);
		}
		await hook.close();
	});

	test('with Output "Task Only" outputs the verified task and downloads nothing', async () => {
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'task' } });
		const nextCall = hook.nextCall();
		const uuid = await reportCallingBack(hook);
		const call = await nextCall;

		const [item] = startedItems(call);
		expect(item.json).toEqual({
			task_uuid: uuid,
			task_type: 'getCampaignDeliveryStats',
			status: 'completed',
			file_to_download: sb.tasks[0].fileUrl,
		});
		expect(item.binary).toBeUndefined();
		expect(selzyCalls(sb, 'download')).toHaveLength(0);
		await hook.close();
	});
});

describe('verification with Selzy (the default)', () => {
	test('a forged callback for an unknown task gets 404, starts nothing and fetches nothing', async () => {
		const call = await harness.runWebhook(SelzyTrigger, {
			parameters: { output: 'file' },
			request: {
				body: {
					result: {
						task_uuid: randomTaskUuid(),
						task_type: 'getCampaignDeliveryStats',
						status: 'completed',
						file_to_download: `${recorder.url}/steal.csv`,
					},
				},
			},
		});
		expect(call.response.statusCode).toBe(404);
		expect(call.response.body).toEqual({ error: 'Unknown task' });
		expect(startedItems(call)).toBeUndefined();
		expect(selzyCalls(sb, 'async/getTaskResult')).toHaveLength(1);
		expect(recorder.requests).toHaveLength(0);
	});

	test('a callback with a real task but another file link downloads from the link the API gives', async () => {
		const task = await completedTask(sb, 1001);
		const call = await harness.runWebhook(SelzyTrigger, {
			parameters: { output: 'file' },
			request: { body: { result: { ...task, file_to_download: `${recorder.url}/other.csv` } } },
		});
		expect(call.response.statusCode).toBe(200);
		expect(recorder.requests).toHaveLength(0);
		const downloads = selzyCalls(sb, 'download');
		expect(downloads).toHaveLength(1);
		expect(task.file_to_download).toContain(downloads[0].path);

		const [item] = startedItems(call);
		expect(item.json.file_to_download).toBe(task.file_to_download);
		const truth = await sb.groundTruth({ campaignId: 1001 }).sha256AndSize();
		expect(sha256(harness.binaries(item).data.bytes())).toBe(truth.sha256);
	});

	test('a callback claiming "completed" for a task Selzy still prepares is acknowledged and ignored', async () => {
		sb.configure({ readyAfterPolls: null });
		const uuid = await startReport(sb, { campaign_id: 1001 });
		const claim = { result: { task_uuid: uuid, status: 'completed', file_to_download: `${recorder.url}/early.csv` } };

		const ignored = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'file' }, request: { body: claim } });
		expect(ignored.response.statusCode).toBe(200);
		expect(ignored.response.body).toEqual({ received: true, ignored: expect.stringMatching(/status (new|processing)/) });
		expect(startedItems(ignored)).toBeUndefined();

		const unfinished = await harness.runWebhook(SelzyTrigger, {
			parameters: { output: 'file', includeUnfinished: true },
			request: { body: claim },
		});
		expect(unfinished.response.statusCode).toBe(200);
		const [item] = startedItems(unfinished);
		expect(item.json).toMatchObject({ task_uuid: uuid, status: expect.stringMatching(/^(new|processing)$/) });
		expect(item.json.file_to_download).toBeUndefined();
		expect(item.binary).toBeUndefined();
		expect(selzyCalls(sb, 'download')).toHaveLength(0);
		expect(recorder.requests).toHaveLength(0);
	});

	test('when Selzy cannot confirm the task, the caller gets 503 (try again) and nothing starts', async () => {
		const task = await completedTask(sb, 1001);
		// Selzy waits for the answer, so verification makes only a few quick attempts.
		sb.fault({ kind: 'html502', method: 'async/getTaskResult', times: VERIFY_RETRY.maxAttempts });
		const call = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'file' }, request: { body: { result: task } } });
		expect(call.response.statusCode).toBe(503);
		expect(call.response.body.error).toMatch(/try again later/);
		expect(startedItems(call)).toBeUndefined();
		expect(selzyCalls(sb, 'download')).toHaveLength(0);
		expect(sb.faults).toHaveLength(0); // every attempt met the outage
		// Not remembered as delivered: Selzy's retry must still start the workflow.
		const retried = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'task' }, request: { body: { result: task } } });
		expect(retried.response.statusCode).toBe(200);
		expect(startedItems(retried)).toHaveLength(1);
	});

	test('an expired file link after verification fails with an n8n error saying to request a new report', async () => {
		const task = await completedTask(sb, 1001);
		sb.expireFiles();
		const call = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'file' }, request: { body: { result: task } } });

		expect(call.response.statusCode).toBe(200); // Selzy already has its answer
		expect(call.response.body).toEqual({ received: true, task_uuid: task.task_uuid });
		// The execution fails, naming the task: it can be retried, or the report fetched again.
		const { error, status } = call.execution;
		expect(status).toBe('error');
		expect(error.message).toMatch(/no longer valid \(HTTP 403.*request a new report/);
		expect(error.description).toMatch(/Request a new report/);
		expect(error.description).toContain(task.task_uuid);
		expect(call.lateResponseAttempt).toBe(false);

		// A failed execution is not remembered: the same callback again is tried again, not called a duplicate.
		const again = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'file' }, request: { body: { result: task } } });
		expect(again.response.body).toEqual({ received: true, task_uuid: task.task_uuid });
		expect(selzyCalls(sb, 'download')).toHaveLength(2);
	});
});

describe('repeated callbacks', () => {
	test('Selzy calling back twice for one task starts the workflow once, even while the first download runs', async () => {
		sb.fault({ kind: 'stall', ms: 500 }); // keeps the first download busy while the twin arrives
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'file' } });
		const uuid = await reportCallingBack(hook, { campaignId: 1002, callbackTimes: 2 });
		await waitUntil(() => hook.calls.length === 2);

		expect(sb.callbacks.map((entry) => entry.status)).toEqual([200, 200]);
		expect(hook.calls[0].webhookResult.workflowData).toBeUndefined(); // the twin finished first, starting nothing...
		expect(hook.calls[0].execution).toBeUndefined();
		expect(startedItems(hook.calls[1])).toHaveLength(1); // ...while the original was still downloading
		expect(selzyCalls(sb, 'download')).toHaveLength(1);
		// Recorded where every n8n process looks: n8n's deduplication store of this node.
		expect(await harness.processedCount(SelzyTrigger)).toBe(1);
		expect(harness.getStaticData(SelzyTrigger)).toBeUndefined();
		await hook.close();
		expect(uuid).toBeDefined();
	});

	test('the same callback posted twice in a row starts the workflow once', async () => {
		const task = await completedTask(sb, 1001);
		const request = { body: { result: task } };
		const first = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'task' }, request });
		const second = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'task' }, request });

		expect(startedItems(first)).toHaveLength(1);
		expect(second.response).toMatchObject({ statusCode: 200, body: { received: true, duplicate: true } });
		expect(startedItems(second)).toBeUndefined();
	});

	test('a repeat reaching a process that did not see the first (another webhook process, or after a restart) returns nothing', async () => {
		const task = await completedTask(sb, 1001);
		const request = { body: { result: task } };
		const first = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'summary' }, request });
		expect(startedItems(first)).toHaveLength(1);
		forgetAcceptedCallback(task);
		const repeat = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'summary' }, request });
		expect(repeat.response.body).toEqual({ received: true, task_uuid: task.task_uuid });
		expect(repeat.execution.status).toBe('success');
		expect(startedItems(repeat)).toEqual([]);
		expect(selzyCalls(sb, 'download')).toHaveLength(1); // looked up before downloading
	});

	test('of two executions for one task on two processes, the one that took it first returns it; the other downloads nothing', async () => {
		const task = await completedTask(sb, 1001);
		const request = { body: { result: task } };
		sb.fault({ kind: 'stall', ms: 800 }); // the first execution's download waits
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'summary' } });
		const send = () => fetch(hook.url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) });
		await send();
		await waitUntil(() => selzyCalls(sb, 'download').length === 1);
		forgetAcceptedCallback(task); // the twin reaches another webhook process
		await send();
		await waitUntil(() => hook.calls.length === 2);
		// The twin finishes first, returning nothing; the first one returns the task once its download ends.
		const [twin, first] = hook.calls;
		expect(startedItems(twin)).toEqual([]);
		expect(startedItems(first)).toHaveLength(1);
		expect(selzyCalls(sb, 'download')).toHaveLength(1);
		await hook.close();
	});

	test('an execution that looks a task up while another records it does not make both return nothing', async () => {
		// n8n's store reads its row, then writes it back without a lock; here each write comes 40 ms after its read.
		harness.runtime.deduplication.writeDelayMs = 40;
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'summary' } });
		const post = (task) => fetch(hook.url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result: task }) });
		try {
			// The twin reaches another process while the first execution's download ends, at offsets across that moment.
			for (let offset = 0; offset <= 300; offset += 20) {
				const task = await completedTask(sb, 1001);
				sb.fault({ kind: 'stall', ms: 200 });
				const before = hook.calls.length;
				await post(task);
				await sleep(offset);
				forgetAcceptedCallback(task);
				await post(task);
				await waitUntil(() => hook.calls.length === before + 2);
				const returning = hook.calls.slice(before).filter((call) => startedItems(call)?.length);
				// Two that take it at the very same moment may both return it; none may be lost.
				expect({ offset, returned: returning.length > 0 }).toEqual({ offset, returned: true });
			}
		} finally {
			harness.runtime.deduplication.writeDelayMs = 5;
			await hook.close();
		}
	});

	test('two identical callbacks arriving at the same moment start the workflow once', async () => {
		const task = await completedTask(sb, 1001);
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'file' } });
		const send = () =>
			fetch(hook.url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result: task }) });
		const answers = await Promise.all([send(), send()]);
		const bodies = await Promise.all(answers.map((answer) => answer.json()));
		await waitUntil(() => hook.calls.length === 2);

		expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
		expect(bodies).toEqual(expect.arrayContaining([{ received: true, task_uuid: task.task_uuid }, { received: true, duplicate: true }]));
		expect(hook.calls.filter((call) => startedItems(call))).toHaveLength(1);
		expect(selzyCalls(sb, 'download')).toHaveLength(1);
		await hook.close();
	});

	test('a test webhook (Listen for Test Event) remembers nothing, so a callback can be replayed', async () => {
		const task = await completedTask(sb, 1001);
		const request = { body: { result: task } };
		for (let replay = 0; replay < 2; replay++) {
			const call = await harness.runWebhook(SelzyTrigger, { mode: 'manual', parameters: { output: 'summary' }, request });
			expect(startedItems(call)).toHaveLength(1);
		}
		expect(await harness.processedCount(SelzyTrigger)).toBe(0);
	});
});
