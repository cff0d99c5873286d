'use strict';
// A campaign's status and totals (Campaign → Get Status, Campaign → Get Stats), and a delivery
// report of a campaign still sending: said in the Summary and a hint, or waited out with
// "Wait for Campaign to Finish" through the run's one poll loop, within the Timeout.

const { useSelzy, Selzy, SelzyTool, byId, reportParams, apiCalls, jsonOf } = require('./selzy.support');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });
const campaignParams = (operation, campaignId) => ({ resource: 'campaign', operation, campaignId: byId(campaignId) });

describe('Campaign → Get Status', () => {
	test('says where the campaign is, whether it has finished, and its times in ISO 8601 UTC', async () => {
		env.sb.scheduleCampaignStatus({ id: 1002, statuses: ['in_progress'] });
		const { status, output } = await run(campaignParams('getStatus', 1002), { inputItems: [{ json: {} }, { json: {} }] });
		expect(status).toBe('success');
		const [item] = jsonOf(output[0]);
		expect(item).toEqual({
			campaign_id: 1002,
			status: 'in_progress',
			status_description: 'Sending',
			finished: false,
			creation_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
			start_time: expect.stringMatching(/Z$/),
		});
		expect(output[0].map((entry) => entry.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(apiCalls(env.sb, 'getCampaignStatus')).toHaveLength(2);

		const finished = await run(campaignParams('getStatus', 1001));
		expect(jsonOf(finished.output[0])[0]).toMatchObject({ status: 'completed', finished: true });
	});

	test('of an unknown campaign fails with Selzy’s message', async () => {
		const { status, error } = await run(campaignParams('getStatus', 424242));
		expect(status).toBe('error');
		expect(error.message).toContain('campaign "424242" not found');
	});

	test('as an AI agent’s tool takes the campaign’s subject', async () => {
		env.sb.addCampaign({ id: 5501, rows: 10, subject: 'Autumn digest' });
		env.sb.scheduleCampaignStatus({ id: 5501, statuses: ['scheduled'] });
		// A model fills the campaign in through an expression ($fromAI), which skips the ID check of the field.
		const parameters = { ...campaignParams('getStatus', 0), campaignId: { __rl: true, mode: 'id', value: '={{ "autumn digest" }}' } };
		const { status, output } = await env.harness.runExecute(SelzyTool, { parameters });
		expect(status).toBe('success');
		expect(jsonOf(output[0])[0]).toMatchObject({ campaign_id: 5501, status: 'scheduled', finished: false });
	});
});

describe('Campaign → Get Stats', () => {
	test('gives Selzy’s totals as numbers, and the rates read from them', async () => {
		const { status, output } = await run(campaignParams('getStats', 1002));
		expect(status).toBe('success');
		const [stats] = jsonOf(output[0]);
		const truth = env.sb.getCampaignCommonStats({ campaign_id: '1002' });
		expect(stats).toMatchObject({ campaign_id: 1002, ...truth });
		expect(stats.rates).toEqual({
			delivery: Math.round((truth.delivered / truth.sent) * 10_000) / 10_000,
			open: Math.round((truth.read_unique / truth.delivered) * 10_000) / 10_000,
			click: Math.round((truth.clicked_unique / truth.delivered) * 10_000) / 10_000,
			unsubscribe: Math.round((truth.unsubscribed / truth.delivered) * 10_000) / 10_000,
			spam: Math.round((truth.spam / truth.delivered) * 10_000) / 10_000,
		});
		expect(Object.keys(stats).slice(0, 4)).toEqual(['campaign_id', 'total', 'sent', 'delivered']);
	});
});

describe('a delivery report of a campaign still sending', () => {
	test('says so in its Summary and in an execution hint', async () => {
		env.sb.scheduleCampaignStatus({ id: 1001, statuses: ['in_progress'] });
		const { status, output, hints } = await run(reportParams(1001, { waitMode: 'poll', output: 'summary', options: { pollInterval: 0.2 } }));
		expect(status).toBe('success');
		expect(jsonOf(output[0])[0]).toMatchObject({ total: 25, campaign_status: 'in_progress' });
		expect(hints).toEqual([
			expect.objectContaining({ type: 'warning', message: expect.stringMatching(/Campaign 1001 was still sending .*in_progress.*Wait for Campaign to Finish/) }),
		]);
	});

	test('of a finished campaign carries its status and no hint', async () => {
		const { output, hints } = await run(reportParams(1001, { waitMode: 'poll', output: 'summary' }));
		expect(jsonOf(output[0])[0].campaign_status).toBe('completed');
		expect(hints ?? []).toEqual([]);
	});

	test('with “Wait for Campaign to Finish” is requested only once the campaign has finished, checked with growing pauses', async () => {
		env.sb.scheduleCampaignStatus({ id: 1002, statuses: ['in_progress', 'analysed', 'completed'], everyMs: 1200 });
		const started = Date.now();
		const { status, output, hints } = await run(
			reportParams(1002, { waitMode: 'poll', output: 'summary', options: { waitForCampaign: true, pollInterval: 0.2 } }),
		);
		expect(status).toBe('success');
		expect(jsonOf(output[0])[0]).toMatchObject({ total: 1000, campaign_status: 'completed' });
		expect(hints ?? []).toEqual([]);

		const checks = apiCalls(env.sb, 'getCampaignStatus').map((call) => call.time);
		const [request] = apiCalls(env.sb, 'async/getCampaignDeliveryStats');
		expect(request.time - started).toBeGreaterThanOrEqual(2400);
		expect(request.time).toBeGreaterThan(checks.at(-1));
		const pauses = checks.slice(1).map((time, i) => time - checks[i]);
		expect(pauses.length).toBeGreaterThanOrEqual(3);
		expect(pauses.at(-1)).toBeGreaterThan(pauses[0]);
	});

	test('with “Wait for Campaign to Finish” gives up at the Timeout without requesting a report', async () => {
		env.sb.scheduleCampaignStatus({ id: 1002, statuses: ['stopped'] });
		// The clock jumps past the 1-minute Timeout at the first status check.
		const realNow = Date.now.bind(Date);
		let skew = 0;
		const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
		const check = env.sb.getCampaignStatus;
		env.sb.getCampaignStatus = function (params) {
			skew = 61_000;
			return check.call(this, params);
		};
		let result;
		try {
			result = await run(reportParams(1002, { waitMode: 'poll', output: 'summary', options: { waitForCampaign: true, timeout: 1 } }));
		} finally {
			clock.mockRestore();
			delete env.sb.getCampaignStatus;
		}
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/Campaign 1002 had not finished sending after \d+ s \(status "stopped": Paused\)/);
		expect(result.error.description).toMatch(/No report was requested\. Raise the Timeout/);
		expect(apiCalls(env.sb, 'async/getCampaignDeliveryStats')).toHaveLength(0);
	});

	test('of several campaigns waits for each in the same loop: the finished one is requested at once', async () => {
		env.sb.scheduleCampaignStatus({ id: 1002, statuses: ['in_progress', 'completed'], everyMs: 1500 });
		const { status, output } = await run(reportParams('={{ $json.campaign }}', { waitMode: 'poll', output: 'summary', options: { waitForCampaign: true, pollInterval: 0.2 } }), {
			inputItems: [{ json: { campaign: 1002 } }, { json: { campaign: 1001 } }],
		});
		expect(status).toBe('success');
		expect(jsonOf(output[0]).map((summary) => [summary.total, summary.campaign_status])).toEqual([[1000, 'completed'], [25, 'completed']]);
		const requests = apiCalls(env.sb, 'async/getCampaignDeliveryStats');
		expect(requests.map((call) => call.params.campaign_id)).toEqual(['1001', '1002']);
		expect(requests[1].time - requests[0].time).toBeGreaterThan(1000);
	});
});
