'use strict';
// The same Selzy callback at two webhook processes: one after the other (as Selzy's retry would
// reach another process, which never saw the first), and at the same moment. n8n's deduplication
// store, in the database every process shares, lets one execution return the task when they
// come one after the other; at the same moment both may (the figures are recorded).

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const h = require('../../tooling');
const s = require('./support');

const REPORT = 1002;
const AT_ONCE_TRIES = 5;

const duplicates = {
	id: 'duplicates',
	name: 'the same callback at both webhook processes: one after the other, one execution returns the task; at once, measured',
	async run(env) {
		assert.ok(env.webhookUrls.length >= 2, 'two webhook processes');
		const trigger = await s.publishTrigger(env, s.triggerWorkflow('queue duplicates', `queue-dup-${crypto.randomUUID()}`, env.good, { output: 'summary' }));
		// Executions are told apart by order: each phase's are those that came after the last phase's.
		let seen = 0;
		const newExecutions = async (count) => {
			await h.waitUntil(async () => (await s.finishedExecutions(env, trigger.workflow.id)).length >= seen + count, 120_000, `${count} more execution(s)`, 500);
			await h.sleep(3000); // nothing more comes
			const all = await s.finishedExecutions(env, trigger.workflow.id);
			const fresh = all.slice(seen);
			seen = all.length;
			return fresh;
		};
		// A worker names a task it did not return again.
		const skipped = (uuid) => s.processesLogging(env, `task ${uuid} was returned by`);

		// One after the other: the first process, again the first (its own memory), then the second.
		const first = await s.completedTask(env, REPORT);
		const one = await s.postJson(trigger.urls[0], s.callbackBody(first.uuid));
		const firstRun = await newExecutions(1);
		const again = await s.postJson(trigger.urls[0], s.callbackBody(first.uuid));
		const other = await s.postJson(trigger.urls[1], s.callbackBody(first.uuid));
		const sequential = [...firstRun, ...(await newExecutions(1))];
		const sequentialFigures = {
			answers: [one, again, other].map((answer) => `${answer.status} ${answer.text}`),
			executions: sequential.length,
			returning: s.returningTask(sequential, first.uuid).length,
			downloads: s.downloadsOf(env, first),
			skippedOn: skipped(first.uuid),
		};

		// At once, at both processes: a few tries, as the outcome depends on timing.
		const atOnceTries = [];
		for (let attempt = 0; attempt < AT_ONCE_TRIES; attempt++) {
			const task = await s.completedTask(env, REPORT);
			const body = s.callbackBody(task.uuid);
			const both = await Promise.all(trigger.urls.slice(0, 2).map((url) => s.postJson(url, body)));
			const atOnce = await newExecutions(1);
			atOnceTries.push({
				answers: both.map((answer) => answer.status),
				executions: atOnce.length,
				returning: s.returningTask(atOnce, task.uuid).length,
				downloads: s.downloadsOf(env, task),
				skippedOn: skipped(task.uuid),
			});
		}
		env.figures.duplicates = { sequential: sequentialFigures, atOnce: atOnceTries };

		assert.deepEqual([one.status, again.status, other.status], [200, 200, 200], 'every callback acknowledged');
		assert.match(again.text, /"duplicate":true/, 'the first process recognises its own repeat');
		assert.equal(sequentialFigures.returning, 1, `one after the other: ${sequentialFigures.returning} executions returned the task`);
		assert.equal(sequentialFigures.downloads, 1, 'one after the other: one download');
		// n8n's store is read, then written, without a lock: two executions that record the same task
		// at the same moment may both find it new. Measured, not promised: the task is never lost.
		for (const attempt of atOnceTries) {
			assert.deepEqual(attempt.answers, [200, 200], 'both simultaneous callbacks acknowledged');
			assert.ok(attempt.returning >= 1, 'at once: the task was returned');
		}
		const describe = (f) => `${f.executions} execution(s), ${f.returning} returned the task, ${f.downloads} download(s)`;
		const doubled = atOnceTries.filter((attempt) => attempt.returning > 1).length;
		return (
			`one after the other (webhook, webhook again, webhook-2): ${describe(sequentialFigures)}; ` +
			`at once, ${AT_ONCE_TRIES} tries: ${atOnceTries.map(describe).join(' | ')} — both returned the task in ${doubled} of ${AT_ONCE_TRIES}`
		);
	},
};

module.exports = { scenarios: [duplicates] };
