'use strict';
/**
 * The node as an AI agent's tool: answers a model can read. n8n sends the tool's items (json only)
 * to the model as one JSON string, so what counts is JSON.stringify of the items' json.
 */
const { SelzyTool, useSelzy, reportParams, taskParams, jsonOf, apiCalls, post } = require('./selzy.support');
const { describeSendResult } = require('../../nodes/Selzy/report/statuses');

const env = useSelzy();
const runTool = (parameters) => env.harness.runExecute(SelzyTool, { parameters });
/** What the agent hands the model. */
const answerText = (output) => JSON.stringify(jsonOf(output[0]));
/** Campaign → Get Delivery Report with the campaign as the model fills it in (an expression). */
const reportByExpression = (written, rest) => ({
	...reportParams(0, rest),
	campaignId: { __rl: true, mode: 'id', value: `={{ ${JSON.stringify(written)} }}` },
});

function groupCount(truth, group) {
	return Object.entries(truth.bySendResult)
		.filter(([code]) => describeSendResult(code).group === group)
		.reduce((sum, [, count]) => sum + count, 0);
}

async function startTask(sb, campaignId) {
	const form = `api_key=${encodeURIComponent(sb.apiKey)}&format=json&campaign_id=${campaignId}`;
	const { body } = await post(`${sb.url}/en/api/async/getCampaignDeliveryStats`, form, 'application/x-www-form-urlencoded');
	return body.result.task_uuid;
}

describe('Selzy as an AI agent’s tool', () => {
	test('Summary (the default output) comes without the signed download link', async () => {
		const { status, output } = await runTool(reportParams(1002, { waitMode: 'poll' }));
		expect(status).toBe('success');
		const [answer] = jsonOf(output[0]);
		const truth = env.sb.groundTruth({ campaignId: 1002 });
		expect(answer).toMatchObject({ campaign_id: 1002, total: truth.total, bySendResult: truth.bySendResult });
		expect(answer.rates.hardBounce).toBeGreaterThan(0);
		expect(answerText(output)).not.toContain('/files/');
		expect(answer.file_to_download).toBeUndefined();
	});

	test('Rows: the first 100 rows, the count of all of them and how to get all', async () => {
		const { status, output } = await runTool(reportParams(1002, { waitMode: 'poll', output: 'rows' }));
		expect(status).toBe('success');
		expect(output[0]).toHaveLength(1);
		const [answer] = jsonOf(output[0]);
		expect(answer).toMatchObject({ total_rows: 1000, returned_rows: 100 });
		expect(answer.rows).toHaveLength(100);
		expect(answer.rows[0]).toMatchObject({ email: expect.stringContaining('@'), status_group: expect.any(String) });
		expect(answer.note).toContain('The report has 1000 matching rows; the first 100 are below');
		expect(answer.note).toContain('run the Selzy node in a workflow');
	});

	test('hard bounces named in words by the model: every one counted, Max Rows of them returned', async () => {
		const truth = env.sb.groundTruth({ campaignId: 1002 });
		const hardBounces = groupCount(truth, 'hard_bounce');
		const { status, output } = await runTool(
			reportParams(1002, { waitMode: 'poll', output: 'rows', options: { statusGroups: 'Hard Bounce', maxRows: 5 } }),
		);
		expect(status).toBe('success');
		const [answer] = jsonOf(output[0]);
		expect(answer).toMatchObject({ total_rows: hardBounces, returned_rows: 5 });
		expect(answer.rows.every((row) => row.status_group === 'hard_bounce')).toBe(true);
		expect(answer.note).toContain(`${hardBounces} matching rows (status groups hard_bounce)`);
	});

	test('an unknown status group is an error naming the groups there are', async () => {
		const { status, error } = await runTool(
			reportParams(1002, { waitMode: 'poll', output: 'rows', options: { statusGroups: 'bounced' } }),
		);
		expect(status).toBe('error');
		expect(error.message).toContain('"bounced" is not a status group; use delivered, opened');
	});

	test('a 1,000,000-row report asked for as Rows: a bounded answer', async () => {
		env.sb.addCampaign({ id: 7001, rows: 1_000_000 });
		const heapBefore = process.memoryUsage().heapUsed;
		const started = Date.now();
		const { status, output } = await runTool(reportParams(7001, { waitMode: 'poll', output: 'rows' }));
		const seconds = (Date.now() - started) / 1000;
		expect(status).toBe('success');
		const [answer] = jsonOf(output[0]);
		expect(answer).toMatchObject({ total_rows: 1_000_000, returned_rows: 100 });
		const bytes = Buffer.byteLength(answerText(output));
		const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
		console.log(`1,000,000-row report as Rows for a tool: ${bytes} bytes to the model, ${seconds.toFixed(1)} s, heap +${heapGrowthMb.toFixed(0)} MB`);
		expect(bytes).toBeLessThan(40_000);
		expect(heapGrowthMb).toBeLessThan(200);
	}, 180_000);

	test('File: a description of the stored file, not its bytes', async () => {
		const { status, output } = await runTool(reportParams(1001, { waitMode: 'poll', output: 'file' }));
		expect(status).toBe('success');
		const [item] = output[0];
		expect(item.binary.data.fileName).toBeTruthy();
		expect(item.json.note).toContain('is stored in this execution');
		expect(item.json.note).toContain('Ask for the Summary or Rows output');
		expect(item.json.fileSize).toBeGreaterThan(0);
		expect(answerText(output)).not.toContain('/files/');
	});

	test('Get Result of a task still pending: its ID and a sentence saying to ask again', async () => {
		env.sb.configure({ readyAfterPolls: null });
		const taskUuid = await startTask(env.sb, 1002);
		const { status, output } = await runTool(taskParams(taskUuid));
		expect(status).toBe('success');
		const [answer] = jsonOf(output[0]);
		expect(answer).toMatchObject({ task_uuid: taskUuid, ready: false });
		expect(answer.next_step).toContain(`Ask again in a minute with the Task → Get Result operation and task_uuid ${taskUuid}`);
		expect(apiCalls(env.sb, 'async/getTaskResult')).toHaveLength(1);
	});

	test('Get Result of a ready task as Task Status says how to get the report', async () => {
		const taskUuid = await startTask(env.sb, 1001);
		const { output } = await runTool(taskParams(taskUuid, { output: 'status' }));
		const [answer] = jsonOf(output[0]);
		expect(answer).toMatchObject({ task_uuid: taskUuid, ready: true });
		expect(answer.next_step).toContain('The report is ready');
		expect(answerText(output)).not.toContain('/files/');
	});

	test('Get Result of a ready task as Rows is capped as well', async () => {
		const taskUuid = await startTask(env.sb, 1002);
		const { output } = await runTool(taskParams(taskUuid, { output: 'rows', options: { maxRows: 3 } }));
		expect(jsonOf(output[0])[0]).toMatchObject({ task_uuid: taskUuid, total_rows: 1000, returned_rows: 3 });
	});

	test('a campaign named by its subject, as a model knows it, is found in the campaign list', async () => {
		const { status, output } = await runTool(reportByExpression('новинки АПРЕЛЯ', { waitMode: 'poll' }));
		expect(status).toBe('success');
		expect(jsonOf(output[0])[0]).toMatchObject({ campaign_id: 1002, total: 1000 });
		expect(env.sb.tasks[0].params.campaign_id).toBe('1002');
		const partly = await runTool(reportByExpression('spring sale', { waitMode: 'poll' }));
		expect(jsonOf(partly.output[0])[0]).toMatchObject({ campaign_id: 1001, total: 25 });
	});

	test('a name that fits no campaign, or several, is an error listing campaigns with their IDs', async () => {
		const none = await runTool(reportByExpression('Black Friday', { waitMode: 'poll' }));
		expect(none.status).toBe('error');
		expect(none.error.message).toBe('Campaign: no campaign is named "Black Friday"; give a numeric campaign ID');
		expect(none.error.description).toContain('"Spring sale: 25 friends" (ID 1001');
		const several = await runTool(reportByExpression('s', { waitMode: 'poll' }));
		expect(several.error.message).toMatch(/^Campaign: "s" matches \d+ campaigns; give the numeric ID of one$/);
		expect(env.sb.tasks).toHaveLength(0);
	});
});
