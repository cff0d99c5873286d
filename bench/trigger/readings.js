'use strict';
// What the bench reads from n8n around a load: readiness, the expression-isolate counter, the
// workflow's executions once they settle, and the tasks the trigger's executions carried.

const { request } = require('undici');

const h = require('../../test/tooling');


/** Polls /healthz/readiness every second; stop() returns the failures seen. */
function watchReadiness(baseUrl) {
	const failures = [];
	let checks = 0;
	let stopped = false;
	const loop = (async () => {
		while (!stopped) {
			const at = Date.now();
			checks++;
			try {
				const response = await request(`${baseUrl}/healthz/readiness`, { headersTimeout: 5000, bodyTimeout: 5000 });
				const text = await response.body.text();
				if (response.statusCode !== 200) failures.push({ at, status: response.statusCode, body: text.slice(0, 200) });
			} catch (error) {
				failures.push({ at, error: error.message });
			}
			await h.sleep(Math.max(0, 1000 - (Date.now() - at)));
		}
	})();
	return {
		async stop() {
			stopped = true;
			await loop;
			return { checks, failures };
		},
	};
}

/** n8n's expression-isolate counter (Prometheus, N8N_METRICS=true); undefined when absent. */
async function isolatesAcquired(baseUrl) {
	try {
		const response = await request(`${baseUrl}/metrics`, { headersTimeout: 10_000 });
		const text = await response.body.text();
		const match = /^n8n_expression_pool_acquired_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(text);
		return match ? Number(match[1]) : undefined;
	} catch {
		return undefined;
	}
}

/** Waits until the workflow's executions stop changing and none runs; returns them. */
async function drain(client, workflowId, expected, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	let stableSince = Date.now();
	for (;;) {
		const list = await client.executionsOf(workflowId).catch(() => undefined);
		if (list) {
			const running = list.filter((execution) => !execution.stoppedAt).length;
			const signature = `${list.length}/${running}`;
			if (signature !== last) {
				last = signature;
				stableSince = Date.now();
			}
			const settled = running === 0 && (list.length >= expected || Date.now() - stableSince > 15_000);
			if (settled || Date.now() > deadline) return { executions: list, timedOut: !settled };
		}
		await h.sleep(500);
	}
}

/**
 * Reads the executions with their data (after the measurement): the task ID each trigger
 * execution started with, the error of each failed one, and which could not be read (and why).
 */
async function readExecutions(client, executions) {
	const uuids = [];
	const errors = [];
	const unreadable = [];
	for (const { id } of executions) {
		let execution;
		try {
			execution = await client.waitForExecution(id, { timeoutMs: 30_000 });
		} catch (error) {
			unreadable.push(`${id}: ${String(error.message).slice(0, 120)}`);
			continue;
		}
		const resultData = execution.data?.resultData;
		if (execution.status !== 'success') errors.push(`${execution.status}: ${resultData?.error?.message ?? 'no error message'}`.slice(0, 200));
		const item = h.nodeOutput(execution, 'Selzy Trigger')?.[0];
		if (item?.json?.task_uuid) uuids.push(String(item.json.task_uuid));
		else if (execution.status === 'success') unreadable.push(`${id}: no task_uuid in the trigger's output`);
	}
	return { uuids, errors, unreadable };
}

module.exports = { watchReadiness, isolatesAcquired, drain, readExecutions };
