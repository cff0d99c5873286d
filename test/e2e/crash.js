'use strict';
// E2E scenarios t and u: n8n is killed (kill -9 of its process group) at the worst moment and
// started again on the same database. What the package acknowledged to Selzy must not be lost:
// t — the trigger answered Selzy and n8n died during the download: the execution is there,
//     names the task, and Retry returns the report;
// u — an execution waiting for Selzy's callback (Until Selzy Notifies) survives the restart and
//     Selzy's callback resumes it exactly once.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const h = require('../tooling');

/** A large report: a million recipients, as the crash was first seen with. */
const BIG_CAMPAIGN = { id: 7001, rows: 1_000_000, subject: 'Crash test: a million recipients', listId: 1 };

function scenarios({ triggerWorkflow, manualReportWorkflow, expectSuccess, runReport, TRIGGER_TOKEN }) {
	return [
		{
			id: 't',
			name: 'n8n killed right after the trigger answered Selzy: after the restart the execution names the task and Retry returns the report',
			async run(env) {
				const { sandbox } = env;
				sandbox.addCampaign(BIG_CAMPAIGN);
				const webhookId = `e2e-crash-${crypto.randomUUID()}`;
				const workflow = await env.client.createWorkflow(
					triggerWorkflow('e2e t: trigger, killed mid-download', webhookId, { verify: true, token: TRIGGER_TOKEN, output: 'summary', options: {} }, env.good),
				);
				await env.client.activate(workflow.id);
				const notifyUrl = `${env.n8n.url}/webhook/${webhookId}/selzy?token=${TRIGGER_TOKEN}`;
				await h.waitUntil(async () => (await post(notifyUrl, {})).status === 400, 60_000, 'the trigger to be live');

				// The download pauses after its first megabyte, so n8n is surely killed during it.
				sandbox.configure({ readyAfterPolls: null, readyAfterMs: 0, callbackTimes: 1, callbackFormat: 'json' });
				sandbox.fault({ kind: 'stall', bytes: 1_000_000, ms: 120_000 });
				const { task_uuid: uuid } = await callSelzy(sandbox, 'async/getCampaignDeliveryStats', { campaign_id: BIG_CAMPAIGN.id, notify_url: notifyUrl });
				await h.waitUntil(() => sandbox.callbacks.some((c) => c.taskUuid === uuid && c.status === 200), 60_000, 'the trigger to answer Selzy');
				const answeredAt = Date.now();
				await env.killAndRestartN8n();
				const restartedIn = Date.now() - answeredAt;
				sandbox.faults.splice(0); // the file server is well again (the stall may not have been reached)

				// The execution n8n saved for the callback is there, marked as interrupted.
				await env.client.ownerLogin(env.owner);
				const [crashed, ...others] = await env.client.executionsOf(workflow.id);
				assert.equal(others.length, 0, 'one execution for the callback');
				assert.ok(['crashed', 'error'].includes(crashed.status), `the interrupted execution is ${crashed.status}`);
				const total = sandbox.groundTruth({ campaignId: BIG_CAMPAIGN.id }).total;
				const saved = await env.client.publicApi(`/executions/${crashed.id}?includeData=true`).catch(() => undefined);
				const note = `callback answered, n8n killed and up again in ${(restartedIn / 1000).toFixed(1)} s; execution ${crashed.id} was ${crashed.status}`;
				if (saved?.data) {
					// It names the task; Retry, as the README says, and the report reaches the workflow.
					assert.ok(JSON.stringify(saved.data).includes(uuid), 'the saved execution names the task');
					const retried = await env.client.rest('POST', `/executions/${crashed.id}/retry`, { loadWorkflow: false });
					const execution = await env.client.waitForExecution(retried.id, { timeoutMs: 180_000 });
					const [summary] = expectSuccess(execution, 'Selzy Trigger');
					assert.equal(summary.json.task_uuid, uuid, 'the retried execution returns the task');
					assert.equal(summary.json.total, total, 'the whole report');
					return `${note}; Retry → ${summary.json.total} rows`;
				}
				// n8n 1.x on its legacy SQLite answers before it writes the execution's data: the
				// execution is there without it. n8n's log names the task, and Task → Get Result fetches it.
				assert.equal(env.version.startsWith('1.'), true, 'only n8n 1.x answers before the execution data is saved');
				assert.ok(h.tailOf(env.logFile, 100_000).includes(`callback for task ${uuid} accepted`), 'the log names the task');
				const fetched = await runReport(env, 'e2e t: the task from the log, fetched', { resource: 'task', operation: 'getResult', taskUuid: uuid, waitMode: 'poll', output: 'summary' });
				assert.equal(expectSuccess(fetched)[0].json.total, total, 'Task → Get Result returns the whole report');
				return `${note} without its data (n8n 1.x, legacy SQLite); the log names the task; Task → Get Result → ${total} rows`;
			},
		},
		{
			id: 'u',
			name: 'n8n killed while an execution waits for Selzy: after the restart Selzy’s callback resumes it exactly once',
			async run(env) {
				const { sandbox } = env;
				sandbox.configure({ readyAfterPolls: null, readyAfterMs: null, callbackTimes: 2, callbackFormat: 'json' });
				const workflow = await env.client.createWorkflow(
					manualReportWorkflow(
						'e2e u: waiting execution survives a restart',
						{ campaignId: { __rl: true, mode: 'id', value: '1002' }, waitMode: 'callback', output: 'summary', options: { callbackGrace: 1, timeout: 10 } },
						env.good,
					),
				);
				const executionId = await env.client.runManually(workflow.id);
				await h.waitUntil(
					async () => (await env.client.publicApi(`/executions/${executionId}`).catch(() => undefined))?.status === 'waiting',
					60_000,
					'the execution to wait for the callback',
				);
				const task = sandbox.tasks.at(-1);
				await env.killAndRestartN8n();
				await env.client.ownerLogin(env.owner);
				assert.equal((await env.client.publicApi(`/executions/${executionId}`)).status, 'waiting', 'still waiting after the restart');

				// Selzy finishes and calls back twice: the first resumes the execution, the repeat does nothing.
				const downloadsBefore = sandbox.requests.filter((r) => r.apiMethod === 'download').length;
				await sandbox.completeTask(task.uuid);
				await h.waitUntil(() => sandbox.callbacks.filter((c) => c.taskUuid === task.uuid && (c.status || c.error)).length === 2, 60_000, 'both callbacks');
				const execution = await env.client.waitForExecution(executionId, { timeoutMs: 60_000 });
				const [summary] = expectSuccess(execution);
				assert.equal(summary.json.total, sandbox.groundTruth({ campaignId: 1002 }).total, 'the right total');
				const statuses = sandbox.callbacks.filter((c) => c.taskUuid === task.uuid).map((c) => c.status);
				assert.equal(statuses[0], 200, 'the first callback resumed the execution');
				// The repeat is answered as a duplicate while the first still downloads, or refused by
				// n8n itself (409) once the execution no longer waits; either way it resumes nothing.
				assert.ok([200, 409].includes(statuses[1]), `the repeat was answered ${statuses[1]}`);
				assert.equal((await env.client.executionsOf(workflow.id)).length, 1, 'one execution');
				assert.equal(execution.data.resultData.runData.Selzy.length, 1, 'the node returned once');
				const downloads = sandbox.requests.filter((r) => r.apiMethod === 'download').length - downloadsBefore;
				assert.equal(downloads, 1, 'the repeat downloaded nothing');
				return `waiting execution ${executionId} survived the restart; callbacks ${statuses.join('/')}; total ${summary.json.total}`;
			},
		},
	];
}

async function post(url, body) {
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	return { status: response.status };
}

async function callSelzy(sandbox, method, params) {
	const form = new URLSearchParams({ api_key: sandbox.apiKey, format: 'json', ...params });
	const response = await fetch(`${sandbox.url}/en/api/${method}`, { method: 'POST', body: form });
	const json = await response.json();
	if (json.error) throw new Error(`${method}: ${json.code} ${json.error}`);
	return json.result;
}

module.exports = { scenarios };
