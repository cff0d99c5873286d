'use strict';
// The webhook process stays light: Selzy's callback for the big report through the Selzy Trigger
// costs the webhook process next to nothing and is answered at once, the worker reads the file;
// and what "Until Selzy Notifies" costs the webhook process, which reads the file itself when the
// execution resumes.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const h = require('../../tooling');
const s = require('./support');

/** What the callback may add to the webhook process's peak memory. */
const WEBHOOK_SLACK_MB = 64;

const triggerBig = {
	id: 'light',
	name: `Selzy Trigger (Summary) on the big report: the webhook process answers at once within +${WEBHOOK_SLACK_MB} MiB, a worker reads the file`,
	async run(env) {
		const { BIG_CAMPAIGN, ROWS } = env.sizes;
		const truth = env.sandbox.groundTruth({ campaignId: BIG_CAMPAIGN });
		const trigger = await s.publishTrigger(env, s.triggerWorkflow('queue light: trigger summary', `queue-light-${crypto.randomUUID()}`, env.good, { output: 'summary' }));
		// A first callback warms the webhook process up (its first execution of the workflow).
		const warm = await s.completedTask(env, 1001);
		await s.postJson(trigger.urls[0], s.callbackBody(warm.uuid));
		await s.waitForExecutions(env, trigger.workflow.id, 1);

		const task = await s.completedTask(env, BIG_CAMPAIGN);
		const dbBefore = s.databaseMb(env);
		let answer;
		const run = await s.measurePeaks(s.allPids(env), async () => {
			answer = await s.postJson(trigger.urls[0], s.callbackBody(task.uuid));
			return s.waitForFinishedCount(env, trigger.workflow.id, 2);
		});
		run.result = await env.client.waitForExecution(run.result);
		assert.equal(answer.status, 200, `callback answered ${answer.status} ${answer.text}`);
		const [summary] = s.expectSuccess(run.result, 'Selzy Trigger');
		assert.equal(summary.json.total, ROWS, 'summary total');
		assert.deepEqual(summary.json.bySendResult, truth.bySendResult, 'summary bySendResult');
		const [worker] = await s.assertOnWorker(env, run.result.id);
		assert.deepEqual(s.readBy(env, task.uuid, 'summarised'), [worker], 'read on the worker');
		const webhook = run.memory.webhook;
		const took = Date.parse(run.result.stoppedAt) - Date.parse(run.result.startedAt);
		env.figures.triggerBig = { rows: ROWS, answerMs: answer.ms, executionMs: took, totalMs: run.ms, memory: run.memory, worker, databaseGrowthMb: s.databaseMb(env) - dbBefore };
		assert.ok(webhook.increaseMb < WEBHOOK_SLACK_MB, `the webhook process rose ${s.mb(webhook.increaseMb)} (${webhook.method})`);
		assert.ok(answer.ms < 10_000, `Selzy waited ${answer.ms} ms for the answer`);
		return `answered in ${answer.ms} ms; execution ${s.seconds(took)} on ${worker}; ${s.describeMemory(run.memory)}`;
	},
};

/**
 * Runs "Until Selzy Notifies" on the big report with `output` and `options`; measures every
 * process from the moment the execution waits until it has finished.
 */
async function resumeBig(env, label, output, options = {}) {
	const { BIG_CAMPAIGN } = env.sizes;
	env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 8000, callbackTimes: 1, callbackFormat: 'json' });
	const workflow = await env.client.createWorkflow(
		s.manualWorkflow(`queue resume: ${label}`, { campaignId: s.campaign(BIG_CAMPAIGN), waitMode: 'callback', output, options: { callbackGrace: 1, timeout: 15, ...options } }, env.good),
	);
	const executionId = await env.client.runManually(workflow.id);
	await h.waitUntil(async () => (await env.client.publicApi(`/executions/${executionId}`).catch(() => undefined))?.status === 'waiting', 60_000, 'the execution to wait', 100);
	const task = env.sandbox.tasks.at(-1);
	const dbBefore = s.databaseMb(env);
	const run = await s.measurePeaks(s.allPids(env), () => s.waitUntilFinished(env, executionId, 900_000));
	run.result = await env.client.waitForExecution(executionId);
	const callback = env.sandbox.callbacks.find((c) => c.taskUuid === task.uuid);
	return { run, task, callback, databaseGrowthMb: s.databaseMb(env) - dbBefore };
}

const resumeSummaryBig = {
	id: 'resume',
	name: 'Until Selzy Notifies (Summary) on the big report: what the resume costs the webhook process that reads the file',
	async run(env) {
		const { run, task, callback, databaseGrowthMb } = await resumeBig(env, 'summary', 'summary');
		const [summary] = s.expectSuccess(run.result);
		assert.equal(summary.json.total, env.sizes.ROWS, 'summary total');
		assert.equal(callback?.status, 200, 'the webhook process answered the callback');
		assert.deepEqual(s.readBy(env, task.uuid, 'summarised'), ['webhook'], 'read on the webhook process');
		env.figures.resumeSummary = { rows: env.sizes.ROWS, memory: run.memory, totalMs: run.ms, databaseGrowthMb };
		// Summary streams: the webhook process holds one summary, not the file.
		assert.ok(run.memory.webhook.increaseMb < 2 * WEBHOOK_SLACK_MB, `the webhook process rose ${s.mb(run.memory.webhook.increaseMb)}`);
		s.assertAlive(env);
		return `${s.seconds(run.ms)} from the wait to the end; ${s.describeMemory(run.memory)}`;
	},
};

module.exports = { scenarios: [triggerBig, resumeSummaryBig], resumeBig, WEBHOOK_SLACK_MB };
