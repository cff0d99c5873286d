'use strict';
// Wait modes of Campaign → Get Delivery Report: don't wait, poll, and park the execution until
// Selzy calls back; timeouts, cancellation and use as an AI agent's tool.
const net = require('node:net');
const {
	Selzy,
	SelzyTool,
	useSelzy,
	credentialsFor,
	reportParams,
	apiCalls,
	downloads,
	expectedRow,
	comparableRow,
	jsonOf,
	post,
	completeTask,
	waitUntil,
	jumpClockOnPoll,
} = require('./selzy.support');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Records every outgoing TCP connection; connections beyond loopback are refused. */
function guardConnections() {
	const attempts = [];
	const connect = net.Socket.prototype.connect;
	net.Socket.prototype.connect = function guardedConnect(...args) {
		const options = typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] };
		const host = options.host ?? 'localhost';
		attempts.push(host);
		if (!options.path && !/^(127\.|localhost$|::1$)/.test(host)) {
			process.nextTick(() => this.destroy(new Error(`test guard: no connection to ${host}`)));
			return this;
		}
		return connect.apply(this, args);
	};
	return { attempts, restore: () => (net.Socket.prototype.connect = connect) };
}

describe("Don't Wait", () => {
	test('returns the new task at once, without polling or downloading', async () => {
		const { sb } = env;
		const { status, output } = await run(
			reportParams(1001, { waitMode: 'none', notifyUrl: 'https://n8n.example.com/webhook/abc/selzy?token=t' }),
		);
		expect(status).toBe('success');
		expect(jsonOf(output[0])).toEqual([
			{ task_uuid: sb.tasks[0].uuid, status: 'new', task_type: 'getCampaignDeliveryStats', campaign_id: 1001, campaign_status: 'completed' },
		]);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(sb.requests.map((r) => r.apiMethod)).toEqual(['getCampaignStatus', 'async/getCampaignDeliveryStats']);
		expect(sb.tasks[0].params.notify_url).toBe('https://n8n.example.com/webhook/abc/selzy?token=t');
	});
});

describe('Poll Until Ready', () => {
	test('a report that is never ready ends in an error naming the task ID to fetch it later', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: null });
		const restore = jumpClockOnPoll(sb, 61 * 60_000);
		let result;
		try {
			result = await run(reportParams(1001, { waitMode: 'poll', output: 'rows', options: { timeout: 60 } }));
		} finally {
			restore();
		}
		const taskUuid = sb.tasks[0].uuid;
		expect(result.status).toBe('error');
		expect(result.error.message).toContain(`task ${taskUuid}`);
		expect(result.error.message).toMatch(/not ready after 60 minutes/);
		expect(result.error.description).toContain(`Task → Get Result and task ID ${taskUuid}`);
		expect(downloads(sb)).toHaveLength(0);
	});

	test('Stop during polling ends the execution at once and polls no more', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: null });
		const controller = new AbortController();
		const running = run(reportParams(1001, { waitMode: 'poll', output: 'rows', options: { pollInterval: 30 } }), {
			abortSignal: controller.signal,
		});
		await waitUntil(() => apiCalls(sb, 'async/getTaskResult').length === 1);
		const stoppedAt = Date.now();
		controller.abort();
		const result = await running;

		expect(Date.now() - stoppedAt).toBeLessThan(1500);
		expect(result.status).toBe('canceled');
		expect(result.output).toBeUndefined();
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(apiCalls(sb, 'async/getTaskResult')).toHaveLength(1);
	});
});

describe('Until Selzy Notifies', () => {
	const rowsParams = (options = {}) =>
		reportParams(1002, { waitMode: 'callback', output: 'rows', options: { additionalFields: ['101', '104'], ...options } });

	test('parks the execution, refuses forged callbacks, and resumes with the report when Selzy calls back', async () => {
		const { sb, harness } = env;
		sb.configure({ readyAfterPolls: 10 });
		const waiting = await run(rowsParams(), { inputItems: [{ json: { batch: 'april' } }] });

		expect(waiting.status).toBe('waiting');
		const [task] = sb.tasks;
		// notify_url is n8n's resume URL plus a secret of this execution.
		const notifyUrl = new URL(task.params.notify_url);
		const resumeUrl = new URL(waiting.resumeUrl);
		expect(notifyUrl.origin + notifyUrl.pathname).toBe(resumeUrl.origin + resumeUrl.pathname);
		expect(notifyUrl.searchParams.get('signature')).toBe(resumeUrl.searchParams.get('signature'));
		expect(notifyUrl.searchParams.get('selzy_secret')).toMatch(/^[0-9a-f]{32}$/);
		expect(downloads(sb)).toHaveLength(0);
		// The input item carries a marker naming the task while it waits.
		const parked = waiting.run.data.executionData.nodeExecutionStack[0].data.main[0][0].json;
		expect(parked).toMatchObject({ batch: 'april', selzyReport: { task_uuid: task.uuid, campaign_id: 1002, state: 'waiting_for_callback' } });

		const completedBody = (uuid) => ({ result: { task_uuid: uuid, status: 'completed', file_to_download: `${sb.url}/files/x/forged.csv` } });
		const wrongSecret = new URL(notifyUrl);
		wrongSecret.searchParams.set('selzy_secret', '0'.repeat(32));
		const noSecret = new URL(notifyUrl);
		noSecret.searchParams.delete('selzy_secret');
		expect(await post(wrongSecret, completedBody(task.uuid))).toMatchObject({ status: 401 });
		expect(await post(noSecret, completedBody(task.uuid))).toMatchObject({ status: 401 });
		expect(await post(notifyUrl, completedBody('0b0e5b7e-0000-4000-8000-000000000000'))).toMatchObject({ status: 404 });
		// A callback claiming completion is checked with Selzy, which says the task still runs.
		expect(await post(notifyUrl, completedBody(task.uuid))).toMatchObject({ status: 200, body: { waiting: true } });
		expect(harness.resumeCalls(waiting).map((call) => call.webhookResult?.workflowData)).toEqual([undefined, undefined, undefined, undefined]);
		expect(downloads(sb)).toHaveLength(0);

		// Selzy finishes the task and calls back; the execution continues with the report.
		const resumedPromise = harness.waitForResume(waiting);
		await completeTask(sb, task.uuid);
		const resumed = await resumedPromise;
		expect(sb.callbacks).toEqual([expect.objectContaining({ taskUuid: task.uuid, status: 200 })]);
		expect(resumed.status).toBe('success');
		expect(resumed.call.response.statusCode).toBe(200);
		expect(downloads(sb)).toHaveLength(1);

		sb.configure({ readyAfterPolls: 0 });
		const polled = await run(reportParams(1002, { waitMode: 'poll', output: 'rows', options: { additionalFields: ['101', '104'] } }));
		expect(jsonOf(resumed.output[0])).toEqual(jsonOf(polled.output[0]));
		expect(jsonOf(resumed.output[0]).map(comparableRow)).toEqual(
			sb.groundTruth({ campaignId: 1002, fieldIds: [101, 104] }).rows.map(expectedRow),
		);
		// n8n's engine pairs a resumed node's items by position with the callback's data.
		expect(resumed.output[0].map((item) => item.pairedItem.item)).toEqual(resumed.output[0].map((_, index) => index));
	});

	test('a form-encoded callback resumes it as well, here with the summary', async () => {
		const { sb, harness } = env;
		sb.configure({ readyAfterPolls: 10, callbackFormat: 'form' });
		const waiting = await run(reportParams(1001, { waitMode: 'callback', output: 'summary' }));
		expect(waiting.status).toBe('waiting');
		const resumedPromise = harness.waitForResume(waiting);
		await completeTask(sb, sb.tasks[0].uuid);
		const resumed = await resumedPromise;
		expect(sb.callbacks[0].contentType).toBe('application/x-www-form-urlencoded');
		expect(resumed.output[0][0].json).toMatchObject({ task_uuid: sb.tasks[0].uuid, total: 25, bySendResult: sb.groundTruth({ campaignId: 1001 }).bySendResult });
	});

	test('a report ready within the first seconds is returned without parking', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: 0 });
		const { status, output } = await run(rowsParams());
		expect(status).toBe('success');
		expect(output[0]).toHaveLength(1000);
		expect(sb.tasks[0].params.notify_url).toContain('selzy_secret=');
	});

	test('when the wait times out, the input items continue with a marker naming the task', async () => {
		const { sb, harness } = env;
		sb.configure({ readyAfterPolls: null });
		const before = Date.now();
		const waiting = await run(rowsParams({ timeout: 10 }), { inputItems: [{ json: { batch: 'may' } }] });
		expect(waiting.status).toBe('waiting');
		// Parked for the rest of the Timeout.
		expect(new Date(waiting.waitTill).getTime()).toBeGreaterThan(before + 9 * 60_000);
		expect(new Date(waiting.waitTill).getTime()).toBeLessThanOrEqual(Date.now() + 10 * 60_000);

		const expired = await harness.expireWait(waiting);
		expect(expired.status).toBe('success');
		expect(jsonOf(expired.output[0])).toEqual([
			{
				batch: 'may',
				selzyReport: {
					task_uuid: sb.tasks[0].uuid,
					status: 'new',
					task_type: 'getCampaignDeliveryStats',
					campaign_id: 1002,
					campaign_status: 'completed',
					state: 'waiting_for_callback',
					waitingSince: expect.any(String),
					callbackSecretSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
				},
			},
		]);
		expect(downloads(sb)).toHaveLength(0);
	});

	test('several input items are refused before any report starts', async () => {
		const { sb } = env;
		const { status, error } = await run(rowsParams(), { inputItems: [{ json: {} }, { json: {} }, { json: {} }] });
		expect(status).toBe('error');
		expect(error.message).toContain('one report per execution');
		expect(error.message).toContain('3 items');
		expect(error.description).toContain('Loop Over Items');
		expect(sb.tasks).toHaveLength(0);
		expect(sb.requests).toHaveLength(0);
	});

	test('Only Changes Since Last Run is refused before any report starts', async () => {
		const { sb } = env;
		const { error } = await run(rowsParams({ sinceLastRun: true }));
		expect(error.message).toContain('Only Changes Since Last Run');
		expect(sb.requests).toHaveLength(0);
	});

	test('with the real Selzy API and a local n8n address it asks for WEBHOOK_URL and sends nothing', async () => {
		const { sb, harness } = env;
		const guard = guardConnections();
		await harness.credentialsHelper.setCredential('selzyApi', { ...credentialsFor(sb), baseUrl: 'https://api.selzy.com' });
		let result;
		try {
			result = await run(rowsParams());
		} finally {
			guard.restore();
			await harness.credentialsHelper.setCredential('selzyApi', credentialsFor(sb));
		}
		expect(result.status).toBe('error');
		expect(result.error.message).toContain('Selzy cannot reach this n8n');
		expect(result.error.description).toContain('WEBHOOK_URL');
		expect(guard.attempts.filter((host) => !/^(127\.|localhost$|::1$)/.test(host))).toEqual([]);
		expect(sb.requests).toHaveLength(0);
	});
});

describe('as an AI agent’s tool', () => {
	const runTool = (parameters) => env.harness.runExecute(SelzyTool, { parameters });

	test('the tool polls instead of parking and returns the report', async () => {
		const { sb } = env;
		const { status, output } = await runTool(reportParams(1001, { waitMode: 'callback', output: 'summary' }));
		expect(status).toBe('success');
		expect(output[0][0].json).toMatchObject({ total: 25 });
		expect(sb.tasks[0].params.notify_url).toBeUndefined();
	});

	test('after at most a minute the tool returns the pending task instead of failing', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: null });
		const restore = jumpClockOnPoll(sb, 61_000);
		let result;
		try {
			result = await runTool(reportParams(1001, { waitMode: 'poll', output: 'rows', options: { timeout: 30 } }));
		} finally {
			restore();
		}
		expect(result.status).toBe('success');
		expect(jsonOf(result.output[0])).toEqual([
			{
				task_uuid: sb.tasks[0].uuid,
				status: 'new',
				ready: false,
				campaign_id: 1001,
				next_step: `Selzy is still preparing this report. Ask again in a minute with the Task → Get Result operation and task_uuid ${sb.tasks[0].uuid}; do not start a new report.`,
			},
		]);
		expect(sb.tasks[0].uuid).toMatch(UUID);
	});
});
