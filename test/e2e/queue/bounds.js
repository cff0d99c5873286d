'use strict';
// Rows output of a resumed execution ("Until Selzy Notifies") is read and held by the webhook
// process that receives Selzy's callback: bounded there unless Row Safety Limit is set.

const assert = require('node:assert/strict');

const h = require('../../tooling');
const s = require('./support');
const { resumeBig } = require('./light');

/** What 100,000 rows (the bound) may add to the webhook process: about 2 KiB a row was measured. */
const BOUNDED_ROWS_MB = 400;

const resumeRowsBounded = {
	id: 'resume-rows',
	name: 'Until Selzy Notifies, Rows of the whole big report: refused with a clear error before the webhook process holds them; it keeps serving',
	async run(env) {
		const { run, task, databaseGrowthMb } = await resumeBig(env, 'rows (bounded)', 'rows');
		const error = h.nodeError(run.result, 'Selzy') ?? run.result.data?.resultData?.error;
		env.figures.resumeRowsBounded = { rows: env.sizes.ROWS, status: run.result.status, error: error?.message, memory: run.memory, totalMs: run.ms, databaseGrowthMb };
		assert.equal(run.result.status, 'error', `the execution ended ${run.result.status}`);
		assert.match(String(error?.message), /more than 100,000 rows/, `error: ${error?.message}`);
		assert.match(String(error?.description), /Poll Until Ready, or Don’t Wait with a Selzy Trigger, read them on a worker/, `hint: ${error?.description}`);
		assert.ok(run.memory.webhook.increaseMb < BOUNDED_ROWS_MB, `the webhook process rose ${s.mb(run.memory.webhook.increaseMb)}`);
		s.assertAlive(env);
		return `${run.result.status}: "${error?.message}"; ${s.seconds(run.ms)}; ${s.describeMemory(run.memory)}`;
	},
};

/** Benchmark only (QUEUE_UNBOUNDED=1): the same with Row Safety Limit raised, to show what the bound prevents. */
const resumeRowsUnbounded = {
	id: 'resume-rows-unbounded',
	name: 'Until Selzy Notifies, Rows of the whole big report with Row Safety Limit raised: what the webhook process then holds',
	async run(env) {
		const { run, task, databaseGrowthMb } = await resumeBig(env, 'rows (Row Safety Limit raised)', 'rows', { rowSafetyLimit: 1_500_000 });
		env.figures.resumeRowsUnbounded = { rows: env.sizes.ROWS, status: run.result.status, memory: run.memory, totalMs: run.ms, databaseGrowthMb, readBy: s.readBy(env, task.uuid, 'rows kept') };
		s.expectSuccess(run.result);
		return `${s.seconds(run.ms)}; ${s.describeMemory(run.memory)}; database +${s.mb(databaseGrowthMb)}`;
	},
};

module.exports = { scenarios: process.env.QUEUE_UNBOUNDED === '1' ? [resumeRowsBounded, resumeRowsUnbounded] : [resumeRowsBounded] };
