'use strict';
// The Markdown that `npm run bench:trigger` prints and puts into docs/performance.md.

const { fmt, count, targetTable } = require('../lib/format');
const { evaluateTargets } = require('./targets');

const isEvents = (r) => r.kind === 'events' || r.kind === 'events-webhook';

/** The events load: answers against Selzy's 3 seconds, and the events that came out. */
function eventsTable(results) {
	const lines = [
		'| Workflow | Load | Answers | Answered 200 within 3 s | Answer p50 / p90 / p99 / max (ms) | Events sent → output (lost, doubled) | Executions | Start node p50 / p99 (ms) | Peak memory increase (MiB) | RSS after (MiB) | n8n CPU (s) | Readiness failures |',
		'|---|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|',
	];
	for (const r of results) {
		const load = `${count(r.callbacks)} requests × ${r.perRequest} at ${r.rate}/s (${r.seconds} s)`;
		if (r.status !== 'done') {
			lines.push(`| ${r.label} | ${load} | **${r.status}**: ${r.error ?? ''} | | | | | | | | | |`);
			continue;
		}
		const answers = Object.entries(r.answersByStatus).map(([status, n]) => `${n}× ${status}`).join(', ');
		const share = `${count(r.within3s)} (${fmt((100 * r.within3s) / r.requests, 1)} %)`;
		const events = `${count(r.eventsSent)} → ${count(r.eventsOutput)} (${count(r.eventsLost)}, ${count(r.eventsDoubled)})`;
		const executions = `${count(r.executions)}${r.executionsFailed ? `, **${r.executionsFailed} failed**` : ''}${r.drainTimedOut ? ' (still running)' : ''}`;
		lines.push(
			`| ${r.label} | ${load} | ${answers} | ${share} | ${fmt(r.answerMs.p50, 0)} / ${fmt(r.answerMs.p90, 0)} / ${fmt(r.answerMs.p99, 0)} / ${fmt(r.answerMs.max, 0)} | ${events} | ${executions} | ${r.startNodeMs ? `${fmt(r.startNodeMs.p50, 0)} / ${fmt(r.startNodeMs.p99, 0)}` : ''} | ${fmt(r.peakIncreaseMiB, 0)} | ${fmt(r.rssAfterMiB, 0)} | ${fmt(r.cpuSeconds)} | ${r.readinessFailures} of ${r.readinessChecks} |`,
		);
	}
	return lines.join('\n');
}

function table(results) {
	const lines = [
		'| Workflow | Callbacks | Answer p50 / p99 (ms) | Answers | Peak memory increase of the receiving process (MiB) | its CPU (s) | Sandbox + load CPU (s) | Executions | getTaskResult calls | Isolates acquired | Readiness failures | p99 (ms) / peak (MiB) / readiness failures per round |',
		'|---|---|---:|---|---:|---:|---:|---|---:|---:|---:|---|',
	];
	for (const r of results) {
		if (r.status !== 'done') {
			lines.push(`| ${r.label} | ${count(r.callbacks)} at ${r.rate}/s | **${r.status}**: ${r.error ?? ''} | | | | | | | | | |`);
			continue;
		}
		const answers = Object.entries(r.answersByStatus).map(([status, n]) => `${n}× ${status}`).join(', ');
		const executions =
			r.kind === 'trigger'
				? `${r.executions} for ${r.executionTasksDistinct} of ${r.distinctTasks} tasks${r.executionTasksDuplicated ? `, ${r.executionTasksDuplicated} doubled` : ''}${r.executionsUnreadable ? `, ${r.executionsUnreadable} not readable` : ''}`
				: `${r.executions}`;
		const failed = r.executionsFailed ? `, **${r.executionsFailed} failed**` : ', none failed';
		lines.push(
			`| ${r.label} | ${count(r.callbacks)} at ${r.rate}/s | ${fmt(r.answerMs.p50, 0)} / ${fmt(r.answerMs.p99, 0)} | ${answers} | ${fmt(r.peakIncreaseMiB, 0)}${otherProcesses(r)} | ${fmt(r.cpuSeconds)} | ${fmt(r.benchCpuSeconds)} | ${executions}${failed}${r.drainTimedOut ? ' (still running)' : ''} | ${count(r.getTaskResultCalls)} | ${r.isolatesAcquired ?? '—'} | ${r.readinessFailures} of ${r.readinessChecks} | ${(r.perRound ?? []).map((x) => `${fmt(x.p99, 0)} / ${fmt(x.peakIncreaseMiB, 0)} / ${x.readinessFailures}`).join('; ')} |`,
		);
	}
	return lines.join('\n');
}

/** In queue mode: which process received the callbacks, and what the others' peaks rose by. */
function otherProcesses(r) {
	if (r.mode !== 'queue' || !r.processes) return '';
	const others = Object.entries(r.processes)
		.filter(([name]) => name !== r.receiver)
		.map(([name, p]) => `${name} +${fmt(p.peakIncreaseMiB, 0)} (${fmt(p.cpuSeconds)} s CPU)`);
	return ` (${r.receiver} process; ${others.join(', ')})`;
}

const EVENTS_NOTE =
	'Answer = from sending a delivery to the end of n8n’s answer (Selzy waits 3 s, then retries). Lost = sent but in no execution’s output: ' +
	'deliveries n8n itself refused (503, its database check failing under load) or did not answer in time; Selzy would send those again and the trigger outputs each event once. ' +
	'Start node = how long the workflow’s first node ran in each execution (n8n’s own figure): for the Selzy Events Trigger its step that looks the events up in n8n’s deduplication store. ' +
	'Peak memory increase = the n8n process, from just before the load until the executions finished; RSS after = when they had. Readiness = `/healthz/readiness`, polled every second.';

function report(run) {
	const m = run.machine;
	const parts = [
		`Run ${run.startedAt}${run.label ? ` (${run.label})` : ''}, total ${fmt(run.totalSeconds / 60, 1)} min. Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM; n8n ${m.n8n} on Node ${m.n8nNode}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
		(run.results.every(isEvents)
			? `Selzy event deliveries of email_status events, signed as Selzy signs them, each on a new connection; client timeout ${run.options.clientTimeout} s.`
			: `Callbacks for completed tasks of a ${count(run.options.rows)}-row report, ${Math.round(run.options.repeatShare * 100)} % of the tasks delivered twice; client timeout ${run.options.clientTimeout} s.`) +
			(run.options.priority !== undefined ? ` The bench and n8n ran at niceness ${run.options.priority} (the machine was shared with other work).` : '') +
			(Object.keys(run.options.n8nEnv ?? {}).length ? ` n8n settings: ${Object.entries(run.options.n8nEnv).map(([k, v]) => `\`${k}=${v}\``).join(', ')}.` : ''),
		'',
		...(run.results.some((r) => !isEvents(r)) ? [table(run.results.filter((r) => !isEvents(r))), ''] : []),
		...(run.results.some(isEvents) ? [eventsTable(run.results.filter(isEvents)), ''] : []),
		run.results.every(isEvents)
			? EVENTS_NOTE
			: `${run.results[0]?.rounds > 1 ? `Figures are medians of ${run.results[0].rounds} rounds (each round a fresh n8n per workflow); answers, executions and readiness are those of the worst round. ` : ''}` +
			'Answer = from sending the callback to the end of n8n’s answer. Peak memory increase = the n8n process that received the callbacks (main in regular mode, the webhook process in queue mode; the other processes in brackets), from just before the load until the executions finished. ' +
			'Isolates acquired = n8n’s `n8n_expression_pool_acquired_total` during the load (expression sandboxes taken from or created for its pool). Readiness = `/healthz/readiness` of the receiving process, polled every second. Sandbox + load CPU = the bench process, which sends the callbacks and serves the Selzy sandbox (it generates every report file it serves), on the same cores as n8n.',
	];
	const targets = evaluateTargets(run.results);
	if (targets.length) parts.push('', targetTable(targets));
	const failures = run.results.filter((r) => r.failureSamples?.length);
	if (failures.length) parts.push('', 'Errors of failed executions: ' + failures.map((r) => `${r.label}: ${r.failureSamples.map((m) => `“${m}”`).join(', ')}`).join('; ') + '.');
	for (const r of (run.profiles ?? []).filter((p) => p.profile)) parts.push('', ...profileTable(r));
	return parts.join('\n');
}

function profileTable(r) {
	return [
		`CPU profile of “${r.label}” at ${r.rate}/s (${r.profileFile}; main thread, ${fmt(r.profile.busyMs / 1000)} s busy of ${fmt(r.profile.wallMs / 1000)} s):`,
		'',
		'| Under frame | ms |',
		'|---|---:|',
		...Object.entries(r.profile.inclusive).map(([frame, ms]) => `| \`${frame}\` | ${count(ms)} |`),
		...Object.entries(r.profile.selfGroups ?? {}).map(([group, ms]) => `| ${group}, self | ${count(ms)} |`),
	];
}

module.exports = { report };
