'use strict';
// The Selzy Trigger receiving real callbacks from the sandbox: answer first, verify with the API,
// download from the API's link, output file / rows / summary / task, and never deliver twice.

const { NodeOperationError } = require('n8n-workflow');
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');
const { VERIFY_RETRY } = require('../../nodes/Selzy/callback/verify.ts');
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
beforeEach(() => {
	sb.reset();
	recorder.requests.length = 0;
	harness.setStaticData(SelzyTrigger, undefined);
});

/** Starts the trigger's server and a report whose notify_url is the trigger; resolves with the task id. */
async function reportCallingBack(hook, { campaignId = 1001, ...config } = {}) {
	sb.configure({ readyAfterMs: 0, ...config });
	return await startReport(sb, { campaign_id: campaignId, notify_url: hook.url() });
}

describe('a callback from Selzy', () => {
	test('is answered with 200 while the report is still downloading, then the file is output byte for byte', async () => {
		const stallMs = 1500;
		sb.fault({ kind: 'stall', ms: stallMs });
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'file' } });
		const nextCall = hook.nextCall();
		const uuid = await reportCallingBack(hook);

		const callback = await waitUntil(() => sb.callbacks.find((entry) => entry.status !== null));
		const answeredAt = Date.now();
		expect(callback).toMatchObject({ taskUuid: uuid, contentType: 'application/json', status: 200, error: null });
		expect(hook.calls).toHaveLength(0); // webhook() is still busy with the download

		const call = await nextCall;
		const finishedAt = Date.now();
		const [download] = selzyCalls(sb, 'download');
		expect(answeredAt).toBeLessThan(download.time + stallMs);
		expect(finishedAt - answeredAt).toBeGreaterThanOrEqual(stallMs - 300);

		expect(call.error).toBeUndefined();
		expect(call.responded).toBe('node');
		expect(call.lateResponseAttempt).toBe(false);
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
		expect(call.error).toBeInstanceOf(NodeOperationError);
		expect(call.error.message).toMatch(/no longer valid \(HTTP 403.*request a new report/);
		expect(call.error.description).toMatch(/Request a new report/);
		expect(call.error.description).toContain(task.task_uuid);
		expect(call.lateResponseAttempt).toBe(true); // n8n only logs "Cannot set headers after they are sent"

		// A failed delivery is not remembered: the same callback again is tried again, not called a duplicate.
		const again = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'file' }, request: { body: { result: task } } });
		expect(again.response.body).toEqual({ received: true, task_uuid: task.task_uuid });
		expect(selzyCalls(sb, 'download')).toHaveLength(2);
	});
});

describe('duplicate deliveries', () => {
	test('Selzy calling back twice for one task starts the workflow once, even while the first download runs', async () => {
		sb.fault({ kind: 'stall', ms: 500 }); // keeps the first download busy while the twin arrives
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'file' } });
		const uuid = await reportCallingBack(hook, { campaignId: 1002, callbackTimes: 2 });
		await waitUntil(() => hook.calls.length === 2);

		expect(sb.callbacks.map((entry) => entry.status)).toEqual([200, 200]);
		expect(hook.calls[0].response.statusCode).toBe(200);
		expect(hook.calls[0].webhookResult.workflowData).toBeUndefined(); // the twin finished first...
		expect(startedItems(hook.calls[1])).toHaveLength(1); // ...while the original was still downloading
		const started = hook.calls.filter((call) => startedItems(call));
		expect(started).toHaveLength(1);
		expect(selzyCalls(sb, 'download')).toHaveLength(1);
		expect(harness.getStaticData(SelzyTrigger)).toEqual({ recentDeliveries: [`${uuid}:completed`] });
		await hook.close();
	});

	test('the same callback posted twice in a row starts the workflow once', async () => {
		const task = await completedTask(sb, 1001);
		const request = { body: { result: task } };
		const first = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'task' }, request });
		const second = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'task' }, request });

		expect(startedItems(first)).toHaveLength(1);
		expect(first.staticData.saved).toBe(true);
		expect(second.response).toMatchObject({ statusCode: 200, body: { received: true, duplicate: true } });
		expect(startedItems(second)).toBeUndefined();
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
			const call = await harness.runWebhook(SelzyTrigger, { mode: 'manual', parameters: { output: 'task' }, request });
			expect(startedItems(call)).toHaveLength(1);
			expect(call.staticData.saved).toBe(false);
		}
	});

	test('a delivery saved in static data earlier (e.g. before a restart) is not delivered again', async () => {
		const task = await completedTask(sb, 1001);
		const call = await harness.runWebhook(SelzyTrigger, {
			parameters: { output: 'task' },
			staticData: { recentDeliveries: [`${task.task_uuid}:completed`] },
			request: { body: { result: task } },
		});
		expect(call.response.body).toEqual({ received: true, duplicate: true });
		expect(startedItems(call)).toBeUndefined();
	});
});
