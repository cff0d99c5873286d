'use strict';
// E2E scenario l: Contact → Export in each wait mode (poll, don't wait with a Selzy Trigger on the
// contact-export callback, until Selzy notifies), and the contacts-to-spreadsheet example.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const h = require('../tooling');
const { loadExample } = require('../../scripts/examples');

const CONTACT_FIELDS = ['email', 'email_status', 'phone', 'phone_status', 'Имя', 'Last order note'];
const contactList = (id) => ({ __rl: true, mode: 'id', value: String(id) });

async function run(env, helpers) {
	const { runReport, expectSuccess, waitForExecutions, manualReportWorkflow, triggerWorkflow, TRIGGER_TOKEN } = helpers;
	const { sandbox, client } = env;
	const exportParams = (rest) => ({ resource: 'contact', operation: 'export', ...rest });

	// Poll Until Ready → Rows: the file's own columns, values unchanged.
	sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null, callbackTimes: 1 });
	const polled = expectSuccess(
		await runReport(env, 'e2e l: contacts (poll, rows)', exportParams({ listId: contactList(2), fieldNames: CONTACT_FIELDS, waitMode: 'poll', output: 'rows', options: { pollInterval: 1, timeout: 2 } })),
	);
	const truth = sandbox.contactsTruth({ listId: 2, fieldNames: CONTACT_FIELDS });
	assert.deepEqual(polled.map((item) => item.json), truth.rows, 'poll: contact rows equal the export');

	// Don't Wait with a Notify URL → a Selzy Trigger for contact exports, output Rows.
	const webhookId = `e2e-contacts-${crypto.randomUUID()}`;
	const trigger = await client.createWorkflow(
		triggerWorkflow('e2e l: trigger contacts', webhookId, { verify: true, token: TRIGGER_TOKEN, taskTypes: ['exportContacts'], output: 'rows', options: {} }, env.good),
	);
	await client.activate(trigger.id);
	sandbox.configure({ readyAfterPolls: null, readyAfterMs: 300 });
	const notifyUrl = `${env.n8n.url}/webhook/${webhookId}/selzy?token=${TRIGGER_TOKEN}`;
	const [started] = expectSuccess(
		await runReport(env, 'e2e l: contacts (don’t wait)', exportParams({ listId: contactList(3), fieldNames: CONTACT_FIELDS, waitMode: 'none', notifyUrl })),
	);
	assert.equal(started.json.task_type, 'exportContacts', "don't wait: the task is a contact export");
	assert.ok(started.json.task_uuid, "don't wait: the task id");
	const [triggerRun] = await waitForExecutions(env, trigger.id, 1);
	const triggered = expectSuccess(triggerRun, 'Selzy Trigger');
	assert.deepEqual(triggered.map((item) => item.json), sandbox.contactsTruth({ listId: 3, fieldNames: CONTACT_FIELDS }).rows, 'trigger: contact rows, not delivery rows');

	// Until Selzy Notifies → Summary, after the execution parked.
	sandbox.configure({ readyAfterPolls: null, readyAfterMs: 6000 });
	const workflow = await client.createWorkflow(
		manualReportWorkflow('e2e l: contacts (callback)', exportParams({ listId: contactList(2), waitMode: 'callback', output: 'summary', options: { callbackGrace: 1, timeout: 5 } }), env.good),
	);
	const executionId = await client.runManually(workflow.id);
	await h.waitUntil(
		async () => (await client.publicApi(`/executions/${executionId}`).catch(() => undefined))?.status === 'waiting',
		30_000,
		'the contact export to wait for the callback',
	);
	// n8n 1.x saves a resumed execution's status before its data: read until the node's run is there.
	let execution;
	await h.waitUntil(
		async () => h.nodeOutput((execution = await client.waitForExecution(executionId, { timeoutMs: 60_000 })), 'Selzy')?.length > 0,
		20_000,
		'the resumed contact export to be saved',
	);
	const [summary] = expectSuccess(execution);
	const summaryTruth = sandbox.contactsTruth({ listId: 2 });
	assert.equal(Object.keys(summary.json)[0], 'total', 'summary leads with the total');
	assert.equal(summary.json.total, summaryTruth.total, 'callback: summary total');
	assert.deepEqual(summary.json.byEmailStatus, summaryTruth.byEmailStatus, 'callback: counts per email status');
	assert.equal(summary.json.task_type, 'exportContacts', 'callback: the task is a contact export');

	// The example workflow: every contact of the account into a spreadsheet file.
	sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
	const example = await client.createWorkflow(loadExample('contacts-to-spreadsheet.json', env.good));
	const exampleRun = await client.waitForExecution(await client.runManually(example.id, 'When clicking ‘Execute workflow’'), { timeoutMs: 60_000 });
	const exported = expectSuccess(exampleRun, 'Export contacts');
	assert.equal(exported.length, sandbox.contactsTruth({}).total, 'example: one item per contact');
	const [sheet] = expectSuccess(exampleRun, 'Spreadsheet');
	assert.equal(sheet.binary?.data?.fileName, 'selzy-contacts.xlsx', 'example: the spreadsheet file');
	return `${polled.length} rows polled, ${triggered.length} by the trigger, summary of ${summary.json.total} after a callback, example ${exported.length} contacts → xlsx`;
}

/** The scenario, given run.js's workflow helpers. */
function scenario(helpers) {
	return {
		id: 'l',
		name: 'Contact → Export in each wait mode (poll, don’t wait + trigger, until Selzy notifies) and a trigger on a contact-export callback',
		run: (env) => run(env, helpers),
	};
}

module.exports = { scenario };
