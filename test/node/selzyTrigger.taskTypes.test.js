'use strict';
// The Selzy Trigger and Task → Get Result shape a task by its task_type: contact exports as contacts,
// delivery reports as today, unknown types as the file's own rows, never with delivery statuses.

const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');
const { useTriggerSandbox, callSelzy, waitUntil, startedItems } = require('./trigger-support');

let sb;
let harness;

useTriggerSandbox(12, (ready) => ({ sb, harness } = ready));

const FIELDS = ['email', 'email_status', 'phone', 'phone_status', 'Город'];

/** A trigger, and a contact export whose notify_url is that trigger; resolves with the started items. */
async function exportCallingBack(parameters, exportParams = { list_id: 2, field_names: FIELDS }) {
	const hook = await harness.startWebhook(SelzyTrigger, { parameters });
	const nextCall = hook.nextCall();
	sb.configure({ readyAfterMs: 0 });
	const { task_uuid: uuid } = await callSelzy(sb, 'async/exportContacts', { ...exportParams, notify_url: hook.url() });
	const call = await nextCall;
	await hook.close();
	expect(call.error).toBeUndefined();
	return { uuid, items: startedItems(call) ?? [], call };
}

describe('a contact-export callback', () => {
	test('reaching a trigger set to Rows yields contact items in the file’s columns, not delivery rows', async () => {
		const { items } = await exportCallingBack({ output: 'rows', taskTypes: ['exportContacts'] });
		const rows = items.map((item) => item.json);
		expect(rows).toEqual(sb.contactsTruth({ listId: 2, fieldNames: FIELDS }).rows);
		for (const row of rows) {
			expect(Object.keys(row)).toEqual(FIELDS);
			expect(row).not.toHaveProperty('status_group');
			expect(row).not.toHaveProperty('send_result');
		}
	});

	test('with Summary gives counts per email and phone status, total first', async () => {
		const { items, uuid } = await exportCallingBack({ output: 'summary', taskTypes: ['*'] });
		const [summary] = items.map((item) => item.json);
		const truth = sb.contactsTruth({ listId: 2, fieldNames: FIELDS });
		expect(Object.keys(summary)[0]).toBe('total');
		expect(summary).toMatchObject({ total: truth.total, task_uuid: uuid, task_type: 'exportContacts' });
		expect(summary.byEmailStatus).toEqual(truth.byEmailStatus);
		expect(summary).not.toHaveProperty('rates');
	});

	test('is ignored by a trigger for delivery reports only (the default)', async () => {
		const hook = await harness.startWebhook(SelzyTrigger, { parameters: { output: 'rows' } });
		sb.configure({ readyAfterMs: 0 });
		await callSelzy(sb, 'async/exportContacts', { list_id: 3, notify_url: hook.url() });
		const callback = await waitUntil(() => sb.callbacks.find((entry) => entry.status !== null));
		expect(callback.status).toBe(200);
		await waitUntil(() => hook.calls.length === 1);
		expect(startedItems(hook.calls[0])).toBeUndefined();
		expect(sb.requests.filter((r) => r.apiMethod === 'download')).toHaveLength(0);
		await hook.close();
	});
});

describe('a task type the package does not know', () => {
	/** Selzy's answers name the type differently from now on (a future task kind). */
	function withTaskType(type) {
		const taskResult = sb.taskResult;
		sb.taskResult = (task) => ({ ...taskResult.call(sb, task), task_type: type });
		return () => delete sb.taskResult;
	}

	test('gives Task → Get Result the file’s own rows and a bare count, never delivery statuses', async () => {
		const { task_uuid: uuid } = await callSelzy(sb, 'async/getCampaignDeliveryStats', { campaign_id: 1001 });
		const restore = withTaskType('exportSomethingNew');
		try {
			const rows = await harness.runExecute(Selzy, { parameters: { resource: 'task', operation: 'getResult', taskUuid: uuid, waitMode: 'poll', output: 'rows' } });
			expect(rows.error).toBeUndefined();
			const [first] = rows.output[0].map((item) => item.json);
			expect(Object.keys(first)).toEqual(['email', 'send_result', 'last_update']);
			expect(first.last_update).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/); // as written, not ISO
			const summary = await harness.runExecute(Selzy, { parameters: { resource: 'task', operation: 'getResult', taskUuid: uuid, output: 'summary' } });
			expect(summary.output[0][0].json).toMatchObject({ total: 25, task_type: 'exportSomethingNew' });
			expect(summary.output[0][0].json).not.toHaveProperty('bySendResult');
		} finally {
			restore();
		}
	});

	test('spelt with an async/ prefix or another case, a known type is still recognised', async () => {
		const restore = withTaskType('async/ExportContacts');
		try {
			const { items } = await exportCallingBack({ output: 'summary', taskTypes: ['exportContacts'] });
			expect(items[0].json).toMatchObject({ total: sb.contactsTruth({ listId: 2 }).total, task_type: 'async/ExportContacts' });
			expect(items[0].json).toHaveProperty('byEmailStatus');
		} finally {
			restore();
		}
	});
});
