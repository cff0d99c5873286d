'use strict';
// What users see when something is wrong: bad parameters, rejected campaigns, broken or expired
// downloads, stalls and Stop; and how Continue On Fail keeps the other items going.
const {
	Selzy,
	useSelzy,
	reportParams,
	taskParams,
	apiCalls,
	downloads,
	jsonOf,
	completeTask,
	waitUntil,
} = require('./selzy.support');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });

describe('invalid parameters fail before anything is sent', () => {
	test('n8n refuses to run the node without a campaign or with a campaign ID that is not a number', async () => {
		await expect(run(reportParams('', { waitMode: 'poll' }))).rejects.toThrow('Parameter "Campaign" is required');
		await expect(run(reportParams('12a', { waitMode: 'poll' }))).rejects.toThrow('A campaign ID is a number');
		expect(env.sb.requests).toHaveLength(0);
	});

	test('a campaign ID from an expression that is not a number is named in the error', async () => {
		for (const value of ['abc', '', '12.5']) {
			const { status, error } = await run(reportParams('={{ $json.campaign }}', { waitMode: 'poll' }), {
				inputItems: [{ json: { campaign: value } }],
			});
			expect(status).toBe('error');
			expect(error.message).toMatch(/^Campaign: choose a campaign from the list or enter its numeric ID/);
		}
		expect(env.sb.requests).toHaveLength(0);
	});

	test('a malformed task ID is named in the error', async () => {
		for (const taskUuid of ['nope', 'ff719cf2-0d4b-4b34-9b2f-4c2ea7f3b2a', '={{ "x" }}']) {
			const { error } = await run(taskParams(taskUuid, { waitMode: 'poll', output: 'rows' }));
			expect(error.message).toMatch(/^Task ID: ".*" is not a Selzy task ID/);
		}
		await expect(run(taskParams(''))).rejects.toThrow('Parameter "Task ID" is required');
		expect(env.sb.requests).toHaveLength(0);
	});

	test('a Notify URL that is not an http(s) address is refused', async () => {
		const { error } = await run(reportParams(1001, { waitMode: 'none', notifyUrl: 'ftp://example.com/x' }));
		expect(error.message).toBe('Notify URL must be an http(s) address');
		expect(env.sb.requests).toHaveLength(0);
	});
});

describe('Selzy refusing the request', () => {
	test('an unknown campaign fails with Selzy’s message and is not retried', async () => {
		const { status, error } = await run(reportParams(424242, { waitMode: 'poll', output: 'rows' }));
		expect(status).toBe('error');
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toContain('campaign "424242" not found');
		expect(error.message).toContain('invalid_arg');
		expect(apiCalls(env.sb)).toHaveLength(1);
	});

	test('a temporary Selzy failure while polling is retried and the report still arrives', async () => {
		const { sb } = env;
		sb.fault({ kind: 'code', code: 'retry_later', method: 'async/getTaskResult', times: 2 });
		const { error, output } = await run(reportParams(1001, { waitMode: 'poll', output: 'summary' }));
		expect(error).toBeUndefined();
		expect(output[0][0].json.total).toBe(25);
		expect(apiCalls(sb, 'async/getTaskResult').map((r) => r.fault)).toEqual(['code', 'code', null]);
	});

	test('a broken connection after Selzy took the report request is not resent, so no second report starts', async () => {
		const { sb } = env;
		sb.fault({ kind: 'dropAfterProcessing', method: 'async/getCampaignDeliveryStats' });
		const { error } = await run(reportParams(1001, { waitMode: 'poll', output: 'summary' }));
		expect(error.message).toContain('Could not reach Selzy');
		expect(error.description).toContain('may already have started the report');
		expect(sb.tasks).toHaveLength(1);
		expect(apiCalls(sb, 'async/getCampaignDeliveryStats')).toHaveLength(1);
	});
});

describe('Continue On Fail', () => {
	test('a failing item becomes an error item while the others get their reports', async () => {
		const { sb } = env;
		// The first download's link has expired; the second campaign does not exist.
		sb.fault({ kind: 'expired' });
		const inputItems = [{ json: { campaign: 1001 } }, { json: { campaign: 424242 } }, { json: { campaign: 1002 } }];
		const { status, output } = await run(reportParams('={{ $json.campaign }}', { waitMode: 'poll', output: 'summary' }), {
			inputItems,
			continueOnFail: true,
		});

		expect(status).toBe('success');
		expect(output[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const [first, unknown, last] = jsonOf(output[0]);
		expect(unknown).toEqual({ error: expect.stringContaining('campaign "424242" not found') });
		// Reports are fetched together, so whichever download came first met the expired link.
		const expired = first.error ? first : last;
		const fine = first.error ? last : first;
		const fineCampaign = first.error ? 1002 : 1001;
		expect(expired).toEqual({ error: expect.stringContaining('request a new report') });
		expect(fine).toMatchObject({ total: 1000, bySendResult: sb.groundTruth({ campaignId: fineCampaign }).bySendResult });
	});

	test('without it, an item with bad parameters stops the node before any report is requested, and the error names that item', async () => {
		const inputItems = [{ json: { campaign: 1001 } }, { json: { campaign: 'x' } }, { json: { campaign: 1002 } }];
		const { status, error } = await run(reportParams('={{ $json.campaign }}', { waitMode: 'poll', output: 'summary' }), { inputItems });
		expect(status).toBe('error');
		expect(error.context.itemIndex).toBe(1);
		expect(env.sb.tasks).toEqual([]);
	});
});

describe('downloads that go wrong never give a short report', () => {
	const cases = ['truncate', 'dropMidway', 'brokenGzip'].flatMap((kind) => ['rows', 'summary', 'file'].map((output) => [kind, output]));

	test.each(cases)('%s download with %s output → error naming the task', async (kind, output) => {
		const { sb } = env;
		sb.fault({ kind });
		const { status, error, output: data } = await run(reportParams(1002, { waitMode: 'poll', output }));
		expect(status).toBe('error');
		expect(data).toBeUndefined();
		expect(error.message).toMatch(
			kind === 'brokenGzip'
				? /could not be read: The gzip data of the report is damaged or incomplete/
				: /^The report download (broke off after \d+ bytes of \d+|ended early)/,
		);
		expect(`${error.message} ${error.description}`).toContain(sb.tasks[0].uuid);
		expect(downloads(sb)).toHaveLength(1);
	});

	test('an expired link says to request a new report', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: 1 });
		const started = await run(reportParams(1001, { waitMode: 'none' }));
		const taskUuid = started.output[0][0].json.task_uuid;
		await completeTask(sb, taskUuid);
		sb.expireFiles();
		const { error } = await run(taskParams(taskUuid, { output: 'rows' }));
		expect(error.message).toBe('The report link is no longer valid (HTTP 403, AccessDenied: Request has expired); request a new report');
		expect(error.description).toContain('Request a new report with Campaign → Get Delivery Report');
		expect(error.description).toContain(taskUuid);
	});

	test('a download that stalls longer than Download Stall Timeout is aborted', async () => {
		const { sb } = env;
		sb.fault({ kind: 'stall', ms: 20_000 });
		const started = Date.now();
		const { error } = await run(reportParams(1002, { waitMode: 'poll', output: 'rows', options: { stallTimeout: 5 } }));
		const elapsed = Date.now() - started;
		expect(error.message).toMatch(/^The report download stalled: no data for 5 s after \d+ bytes/);
		expect(error.description).toContain('Download Stall Timeout');
		// Aborted after about 5 s, long before the server would have gone on sending (20 s).
		expect(elapsed).toBeGreaterThanOrEqual(5000);
		expect(elapsed).toBeLessThan(15_000);
	}, 30_000);
});

describe('Stop during a download', () => {
	test.each(['rows', 'file'])('ends the execution at once (%s output)', async (output) => {
		const { sb } = env;
		sb.fault({ kind: 'stall', ms: 20_000 });
		const controller = new AbortController();
		const running = run(reportParams(1002, { waitMode: 'poll', output }), { abortSignal: controller.signal });
		await waitUntil(() => downloads(sb).length === 1);
		await new Promise((resolve) => setTimeout(resolve, 100));
		const stoppedAt = Date.now();
		controller.abort();
		const result = await running;
		expect(Date.now() - stoppedAt).toBeLessThan(1500);
		expect(result.status).toBe('canceled');
		expect(result.output).toBeUndefined();
	});
});

describe('parameter values from expressions', () => {
	test('campaign IDs may carry spaces and come as numbers', async () => {
		const { output, error } = await run(reportParams('={{ $json.campaign }}', { waitMode: 'none' }), {
			inputItems: [{ json: { campaign: 1001 } }, { json: { campaign: ' 1002 ' } }],
		});
		expect(error).toBeUndefined();
		expect(jsonOf(output[0]).map((j) => j.campaign_id)).toEqual([1001, 1002]);
		expect(env.sb.tasks.map((t) => t.params.campaign_id)).toEqual(['1001', '1002']);
	});

	test('the campaign may be picked from the list', async () => {
		const { output } = await run({ ...reportParams(1001, { waitMode: 'none' }), campaignId: { __rl: true, mode: 'list', value: '1003', cachedResultName: 'SMS' } });
		expect(output[0][0].json.campaign_id).toBe(1003);
		expect(env.sb.tasks[0].campaignId).toBe(1003);
	});
});
