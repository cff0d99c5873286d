'use strict';
// Several rounds of the same scenarios combined into one result each: medians of the figures,
// the counts (answers, executions, readiness) of the worst round.

const { median } = require('../lib/format');

/** How far a run is from correct: unanswered callbacks, missing or failed executions, readiness failures. */
function severity(r) {
	if (r.status !== 'done') return Infinity;
	const expected = r.kind === 'trigger' ? r.distinctTasks : r.callbacks;
	const unanswered = (r.answersByStatus?.timeout ?? 0) + (r.answersByStatus?.error ?? 0);
	return unanswered + Math.abs(expected - r.executions) + r.executionsFailed + r.readinessFailures;
}

/** One result per scenario: medians of the figures over the rounds, the counts of the worst round. */
function combineRounds(list, runs) {
	const combined = [];
	for (const scenario of list) {
		const own = runs.filter((r) => r.id === scenario.id);
		if (!own.length) continue;
		const done = own.filter((r) => r.status === 'done');
		const worst = own.reduce((a, b) => (severity(b) > severity(a) ? b : a));
		if (own.length === 1 || done.length < own.length) {
			combined.push({ ...worst, rounds: own.length, perRound: own.map(roundFigures) });
			continue;
		}
		const mid = (get) => median(done.map(get).filter(Number.isFinite));
		combined.push({
			...worst,
			answerMs: { p50: mid((r) => r.answerMs.p50), p90: mid((r) => r.answerMs.p90), p99: mid((r) => r.answerMs.p99), max: Math.max(...done.map((r) => r.answerMs.max)) },
			peakIncreaseMiB: mid((r) => r.peakIncreaseMiB),
			cpuSeconds: mid((r) => r.cpuSeconds),
			isolatesAcquired: mid((r) => r.isolatesAcquired),
			getTaskResultCalls: mid((r) => r.getTaskResultCalls),
			rounds: own.length,
			perRound: own.map(roundFigures),
		});
	}
	return combined;
}

function roundFigures(r) {
	return {
		round: r.round,
		status: r.status,
		p50: r.answerMs?.p50,
		p99: r.answerMs?.p99,
		peakIncreaseMiB: r.peakIncreaseMiB,
		cpuSeconds: r.cpuSeconds,
		executions: r.executions,
		answersByStatus: r.answersByStatus,
		readinessFailures: r.readinessFailures,
		readinessChecks: r.readinessChecks,
		rssTimelineMiB: r.rssTimelineMiB,
	};
}

module.exports = { severity, combineRounds };
