'use strict';
// "Until Selzy Notifies": what a waiting execution accepts on its resume URL. Its secret is made
// for the execution (not derived from the API key) and kept with it; it takes only its own task.

const crypto = require('node:crypto');
const { Selzy, useSelzy, credentialsFor, reportParams, apiCalls, downloads, post, completeTask, waitUntil } = require('./selzy.support');
const { startReport } = require('./trigger-support');

const env = useSelzy();

/** Parks an execution waiting for Selzy's callback; returns it with its task and notify_url. */
async function parked(output = 'summary', campaignId = 1001, options = {}) {
	const { sb, harness } = env;
	sb.configure({ readyAfterPolls: 10 });
	const waiting = await harness.runExecute(Selzy, { parameters: reportParams(campaignId, { waitMode: 'callback', output, options }) });
	expect(waiting.status).toBe('waiting');
	const task = sb.tasks.at(-1);
	return { waiting, task, notifyUrl: new URL(task.params.notify_url) };
}

const callbackOf = (uuid) => ({ result: { task_uuid: uuid, task_type: 'getCampaignDeliveryStats', status: 'completed' } });
const withSecret = (url, secret) => {
	const changed = new URL(url);
	changed.searchParams.set('selzy_secret', secret);
	return changed;
};

describe('the resume secret', () => {
	test('is random for each execution and kept with it only as a digest', async () => {
		const first = await parked();
		const second = await parked();
		const secretOf = ({ notifyUrl }) => notifyUrl.searchParams.get('selzy_secret');
		expect(secretOf(first)).toMatch(/^[0-9a-f]{32}$/);
		expect(secretOf(first)).not.toBe(secretOf(second));
		const marker = first.waiting.run.data.executionData.nodeExecutionStack[0].data.main[0][0].json.selzyReport;
		expect(marker.callbackSecretSha256).toBe(crypto.createHash('sha256').update(secretOf(first)).digest('hex'));
		expect(JSON.stringify(first.waiting.run.data)).not.toContain(secretOf(first));
	});

	test('cannot be computed from the API key and the execution ID', async () => {
		const { sb, harness } = env;
		const { waiting, task, notifyUrl } = await parked();
		const executionId = waiting.executionId;
		const fromKey = crypto.createHmac('sha256', sb.apiKey).update(`selzy-resume:${executionId}`).digest('hex').slice(0, 32);
		const answer = await post(withSecret(notifyUrl, fromKey), callbackOf(task.uuid));
		expect(answer).toEqual({ status: 401, body: { error: 'Missing or wrong secret' } });
		expect(harness.resumeCalls(waiting).map((call) => call.webhookResult?.workflowData)).toEqual([undefined]);
		expect(downloads(sb)).toHaveLength(0);
	});

	test('of the right length in other characters is refused with 401, not an error', async () => {
		const { sb, harness } = env;
		const { waiting, task, notifyUrl } = await parked();
		for (const secret of ['é'.repeat(32), '秘'.repeat(32), '\u0000'.repeat(32), 'x'.repeat(5000)]) {
			const answer = await post(withSecret(notifyUrl, secret), callbackOf(task.uuid));
			expect(answer).toEqual({ status: 401, body: { error: 'Missing or wrong secret' } });
		}
		expect(harness.resumeCalls(waiting).every((call) => call.error === undefined)).toBe(true);
		expect(downloads(sb)).toHaveLength(0);
	});

	test('keeps working when the API key is rotated while the execution waits', async () => {
		const { sb, harness } = env;
		const originalKey = sb.apiKey;
		const { waiting, task } = await parked();
		try {
			// The customer regenerates the key in Selzy and pastes the new one into the credential.
			sb.apiKey = `sbx_rotated_${crypto.randomBytes(8).toString('hex')}`;
			await harness.credentialsHelper.setCredential('selzyApi', credentialsFor(sb));
			const resumedPromise = harness.waitForResume(waiting);
			await completeTask(sb, task.uuid);
			const resumed = await Promise.race([
				resumedPromise,
				new Promise((resolve) => setTimeout(() => resolve({ status: 'still waiting' }), 5000)),
			]);
			expect(sb.callbacks).toEqual([expect.objectContaining({ taskUuid: task.uuid, status: 200 })]);
			expect(resumed.status).toBe('success');
			expect(resumed.output[0][0].json).toMatchObject({ task_uuid: task.uuid, total: 25 });
		} finally {
			sb.apiKey = originalKey;
			await harness.credentialsHelper.setCredential('selzyApi', credentialsFor(sb));
		}
	});
});

describe('a resumed execution', () => {
	test('accepts only the task it waits for: another task’s callback gets 404 and asks Selzy nothing', async () => {
		const { sb, harness } = env;
		const { waiting, task, notifyUrl } = await parked();
		sb.configure({ readyAfterPolls: 0 });
		const other = await startReport(sb, { campaign_id: 1002 });
		await completeTask(sb, other);
		const verificationsBefore = apiCalls(sb, 'async/getTaskResult').length;

		const answer = await post(notifyUrl, { result: { task_uuid: other, status: 'completed' } });
		expect(answer).toEqual({ status: 404, body: { error: 'This execution waits for a different task' } });
		expect(apiCalls(sb, 'async/getTaskResult')).toHaveLength(verificationsBefore);
		expect(harness.resumeCalls(waiting).map((call) => call.webhookResult?.workflowData)).toEqual([undefined]);
		expect(downloads(sb)).toHaveLength(0);

		// Selzy's callback for its own task still resumes it.
		const resumedPromise = harness.waitForResume(waiting);
		await completeTask(sb, task.uuid);
		const resumed = await resumedPromise;
		expect(sb.callbacks.filter((c) => c.taskUuid === task.uuid)).toEqual([expect.objectContaining({ status: 200 })]);
		expect(resumed.output[0][0].json).toMatchObject({ task_uuid: task.uuid, total: 25 });
	});
});

describe('Rows after Selzy’s callback', () => {
	// The process that receives the callback reads and holds the rows: in queue mode a webhook process.
	const BIG = 3100;

	test('stop at 100,000 rows with advice to read them on a worker, unless Row Safety Limit is set', async () => {
		const { sb, harness } = env;
		sb.addCampaign({ id: BIG, rows: 100_001 });
		const bounded = await parked('rows', BIG);
		await completeTask(sb, bounded.task.uuid);
		await waitUntil(() => harness.resumeCalls(bounded.waiting).some((call) => call.error || call.webhookResult), 60_000);
		const [call] = harness.resumeCalls(bounded.waiting);
		expect(call.webhookResult).toBeUndefined();
		expect(call.error.message).toContain('The report has more than 100,000 rows to return');
		expect(call.error.description).toMatch(/^After Selzy’s callback the rows are read and held by the n8n process that receives it \(in queue mode a webhook process\)/);
		expect(call.error.description).toContain('Poll Until Ready, or Don’t Wait with a Selzy Trigger, read them on a worker');

		const raised = await parked('rows', BIG, { rowSafetyLimit: 200_000 });
		const resumed = harness.waitForResume(raised.waiting);
		await completeTask(sb, raised.task.uuid);
		expect((await resumed).output[0]).toHaveLength(100_001);
	}, 120_000);

	test('within 100,000 rows are all returned', async () => {
		const { sb, harness } = env;
		const { waiting, task } = await parked('rows', 1004);
		const resumed = harness.waitForResume(waiting);
		await completeTask(sb, task.uuid);
		expect((await resumed).output[0]).toHaveLength(100_000);
	}, 120_000);
});
