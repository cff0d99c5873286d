'use strict';
// The pure parts of `npm run bench:trigger`: its targets (each threshold checked on both sides,
// so a comparison turned the wrong way fails here), the callback plan and the rounds.

const { evaluateTargets } = require('../../bench/trigger/targets');
const { callbackPlan } = require('../../bench/trigger/callbacks');
const { combineRounds, severity } = require('../../bench/trigger/rounds');
const { parseArgs } = require('../../bench/trigger/options');

const done = (id, figures) => ({
	id,
	label: id,
	status: 'done',
	kind: id.startsWith('trigger') ? 'trigger' : 'webhook',
	rate: 30,
	callbacks: 360,
	answered: 360,
	answersByStatus: { 200: 360 },
	distinctTasks: 300,
	executions: 300,
	executionTasksDistinct: 300,
	executionsFailed: 0,
	readinessFailures: 0,
	readinessChecks: 20,
	answerMs: { p50: 10, p99: 100 },
	peakIncreaseMiB: 100,
	...figures,
});
const target = (targets, start) => {
	const found = targets.filter((t) => t.name.startsWith(start));
	if (found.length !== 1) throw new Error(`expected one target starting "${start}", got ${found.map((t) => t.name).join(' | ') || 'none'}`);
	return found[0];
};

describe('trigger against the Webhook node and the do-it-yourself workflow', () => {
	const run = (trigger, control) => evaluateTargets([done('trigger-summary', { label: 'T', ...trigger }), done(control.id, control)]);

	it('answer p99 at most twice the Webhook node’s', () => {
		expect(target(run({ answerMs: { p99: 200 } }, { id: 'webhook', answerMs: { p99: 100 } }), 'T: answer p99').met).toBe(true);
		expect(target(run({ answerMs: { p99: 201 } }, { id: 'webhook', answerMs: { p99: 100 } }), 'T: answer p99').met).toBe(false);
	});

	it('peak memory at most twice the do-it-yourself workflow’s', () => {
		expect(target(run({ peakIncreaseMiB: 200 }, { id: 'diy', peakIncreaseMiB: 100 }), 'T: peak memory').met).toBe(true);
		expect(target(run({ peakIncreaseMiB: 201 }, { id: 'diy', peakIncreaseMiB: 100 }), 'T: peak memory').met).toBe(false);
	});
});

describe('trigger under a burst, regular and queue mode', () => {
	for (const id of ['trigger-summary-burst', 'trigger-summary-burst-queue']) {
		const checks = (figures) => evaluateTargets([done(id, { label: 'B', ...figures })]);

		it(`${id}: met when every callback got a 2xx and each distinct task one execution`, () => {
			expect(checks({}).map((t) => t.met)).toEqual([true, true, true]);
		});

		it(`${id}: missed on a timeout, an error answer or a 503`, () => {
			expect(target(checks({ answered: 359, answersByStatus: { 200: 359, timeout: 1 } }), 'B at 30/s: every callback').met).toBe(false);
			expect(target(checks({ answersByStatus: { 200: 359, 503: 1 } }), 'B at 30/s: every callback').met).toBe(false);
		});

		it(`${id}: missed when an execution is lost, doubled or failed`, () => {
			const executions = (figures) => target(checks(figures), 'B at 30/s: executions').met;
			expect(executions({ executions: 299, executionTasksDistinct: 299 })).toBe(false);
			expect(executions({ executions: 301 })).toBe(false);
			expect(executions({ executionTasksDistinct: 299 })).toBe(false); // one task twice, another not at all
			expect(executions({ executionsFailed: 1 })).toBe(false);
		});

		it(`${id}: missed on a readiness failure in any round`, () => {
			expect(target(checks({ readinessFailures: 1 }), 'B at 30/s: no readiness').met).toBe(false);
			expect(target(checks({ perRound: [{ readinessFailures: 0 }, { readinessFailures: 2 }] }), 'B at 30/s: no readiness').met).toBe(false);
		});
	}

	it('ignores scenarios that did not finish', () => {
		expect(evaluateTargets([{ ...done('trigger-summary-burst-queue', {}), status: 'error' }])).toEqual([]);
	});
});

describe('callback plan', () => {
	const tasks = Array.from({ length: 300 }, (_, i) => ({ uuid: `t${i}` }));

	it('sends every task once plus repeats of the given share, each repeat after its first delivery', () => {
		const plan = callbackPlan(tasks, 0.2);
		expect(plan).toHaveLength(360);
		expect(new Set(plan.map((entry) => entry.task.uuid)).size).toBe(300);
		expect(plan.filter((entry) => entry.repeat)).toHaveLength(60);
		const firstAt = new Map();
		plan.forEach((entry, at) => {
			if (!entry.repeat) firstAt.set(entry.task.uuid, at);
			else expect(firstAt.has(entry.task.uuid)).toBe(true);
		});
	});

	it('is the same sequence every time', () => {
		expect(callbackPlan(tasks, 0.2).map((e) => e.task.uuid)).toEqual(callbackPlan(tasks, 0.2).map((e) => e.task.uuid));
	});
});

describe('rounds', () => {
	it('severity counts unanswered callbacks, missing executions, failures and readiness failures', () => {
		expect(severity(done('trigger-summary-burst', {}))).toBe(0);
		expect(severity(done('trigger-summary-burst', { answersByStatus: { timeout: 2 }, executions: 299, executionsFailed: 1, readinessFailures: 1 }))).toBe(5);
		expect(severity({ status: 'error' })).toBe(Infinity);
	});

	it('takes medians of the figures and the counts of the worst round', () => {
		const list = [{ id: 'trigger-summary-burst' }];
		const runs = [
			done('trigger-summary-burst', { round: 1, answerMs: { p50: 1, p99: 10, max: 20 }, peakIncreaseMiB: 50 }),
			done('trigger-summary-burst', { round: 2, answerMs: { p50: 3, p99: 30, max: 90 }, peakIncreaseMiB: 70, executions: 299 }),
			done('trigger-summary-burst', { round: 3, answerMs: { p50: 2, p99: 20, max: 40 }, peakIncreaseMiB: 60 }),
		];
		const [combined] = combineRounds(list, runs);
		expect(combined.answerMs).toEqual({ p50: 2, p90: undefined, p99: 20, max: 90 });
		expect(combined.peakIncreaseMiB).toBe(60);
		expect(combined.executions).toBe(299);
		expect(combined.rounds).toBe(3);
	});
});

describe('options', () => {
	it('has the burst of the issue by default: 360 callbacks (300 tasks and 20 % repeats) at 30/s, two queue workers', () => {
		expect(parseArgs([])).toMatchObject({ burstRate: 30, burstCallbacks: 360, repeatShare: 0.2, workers: 2 });
	});

	it('keeps an = inside --n8n-env values', () => {
		expect(parseArgs(['--n8n-env=A=b=c,D=e']).n8nEnv).toEqual({ A: 'b=c', D: 'e' });
	});
});
