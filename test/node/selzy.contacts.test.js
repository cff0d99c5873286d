'use strict';
// Contact → Export: Selzy's async/exportContacts as a file, contact rows in the file's own columns,
// or counts per status, in each wait mode; and Task → Get Result shaping a task by its type.
const crypto = require('node:crypto');
const { Selzy, SelzyTool, useSelzy, taskParams, apiCalls, downloads, jsonOf, completeTask, byId } = require('./selzy.support');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });
const sha256 = (buffer) => crypto.createHash('sha256').update(buffer).digest('hex');

/** Parameters of Contact → Export. */
function exportParams(listId, rest = {}) {
	const params = { resource: 'contact', operation: 'export', ...rest };
	if (listId !== undefined) params.listId = byId(listId);
	if (rest.waitMode === 'callback') params.options = { callbackGrace: 1, ...rest.options };
	return params;
}

const startBody = () => new URLSearchParams(env.rawBodies.find((b) => b.path.endsWith('/async/exportContacts')).body);

describe('Contact → Export', () => {
	test('Rows: one item per contact, the file’s columns in the chosen order, values exactly as written', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: 1 });
		const fieldNames = ['email', 'Имя', 'email_status', 'Last order note', 'customer_id', 'phone', 'phone_status', 'tags'];
		const { status, error, output } = await run(exportParams(2, { waitMode: 'poll', output: 'rows', fieldNames, options: { pollInterval: 1 } }));

		expect(error).toBeUndefined();
		expect(status).toBe('success');
		// The fields go out as a PHP array, in order, with the list.
		expect(startBody().getAll('field_names[]')).toEqual(fieldNames);
		expect(startBody().get('list_id')).toBe('2');
		expect(sb.tasks).toEqual([expect.objectContaining({ type: 'exportContacts', listId: 2, polls: 2 })]);

		const truth = sb.contactsTruth({ listId: 2, fieldNames });
		const rows = jsonOf(output[0]);
		expect(rows).toHaveLength(1000);
		expect(rows).toEqual(truth.rows);
		for (const row of rows) expect(Object.keys(row)).toEqual(fieldNames);
		// Cyrillic, line breaks, leading zeros and empty cells survive unchanged; nothing is derived.
		expect(rows.map((r) => r['Last order note'])).toEqual(expect.arrayContaining(['Line one\nLine two', 'Windows line\r\nbreak']));
		expect(rows.map((r) => r.customer_id)).toContain('007');
		expect(rows.some((r) => r.email.startsWith('Кирилл.'))).toBe(true);
		expect(rows.some((r) => r.phone === '' && r.phone_status === '')).toBe(true);
		expect(output[0].every((item) => item.pairedItem.item === 0)).toBe(true);
	});

	test('filters go to Selzy as documented, and Max Rows stops reading the file early', async () => {
		const { sb } = env;
		const filters = { emailStatus: 'unsubscribed', tag: 'vip' };
		const { output } = await run(exportParams(2, { waitMode: 'poll', output: 'rows', filters, options: { maxRows: 3 } }));
		const body = startBody();
		expect(body.get('email_status')).toBe('unsubscribed');
		expect(body.get('tag')).toBe('vip');
		expect(body.has('phone_status')).toBe(false);
		// Without a choice, the default columns are asked for.
		expect(body.getAll('field_names[]')).toEqual(['email', 'email_status', 'phone', 'phone_status']);
		const truth = sb.contactsTruth({ listId: 2, filters: { email_status: 'unsubscribed', tag: 'vip' } });
		expect(truth.total).toBeGreaterThan(3);
		expect(jsonOf(output[0])).toEqual(truth.rows.slice(0, 3));
	});

	test('Summary leads with the total, then counts per email status and phone status, then the task and file', async () => {
		const { sb } = env;
		sb.addList({ id: 40, title: 'Big', size: 30000 });
		const { output } = await run(exportParams(40, { waitMode: 'poll', output: 'summary' }));
		const [summary] = jsonOf(output[0]);
		const truth = sb.contactsTruth({ listId: 40 });
		expect(summary.total).toBe(30000);
		const named = (counts) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k === '' ? '(none)' : k, v]));
		expect(summary.byEmailStatus).toEqual(named(truth.byEmailStatus));
		expect(summary.byPhoneStatus).toEqual(named(truth.byPhoneStatus));
		expect(Object.keys(summary).slice(0, 5)).toEqual(['total', 'withEmail', 'withPhone', 'byEmailStatus', 'byPhoneStatus']);
		expect(summary).toMatchObject({ task_type: 'exportContacts', status: 'completed', report: { format: 'csv' } });
		// Counted per status only: no delivery fields on a contact export.
		expect(summary).not.toHaveProperty('rates');
		expect(summary).not.toHaveProperty('bySendResult');
	});

	test('File: the export stored byte for byte', async () => {
		const { sb, harness } = env;
		const { output } = await run(exportParams(2, { waitMode: 'poll', output: 'file', fieldNames: ['email', 'Город'] }));
		const [item] = output[0];
		const direct = Buffer.from(await (await fetch(item.json.file_to_download)).arrayBuffer());
		const stored = harness.binaries(item).data;
		expect(sha256(stored.bytes())).toBe(sha256(direct));
		expect(item.json).toMatchObject({ task_type: 'exportContacts', fileName: 'contacts-list-2.csv', fileSize: direct.length });
		expect(downloads(sb)).toHaveLength(2);
	});

	test('no list exports every contact of the account; a gzip or JSON file reads the same', async () => {
		const { sb } = env;
		const truth = sb.contactsTruth({});
		for (const format of ['csv-gzip', 'json', 'csv-cp1251']) {
			sb.configure({ format });
			const { output, error } = await run(exportParams(undefined, { waitMode: 'poll', output: 'rows' }));
			expect(error).toBeUndefined();
			expect(jsonOf(output[0])).toEqual(truth.rows);
		}
		expect(apiCalls(sb, 'async/exportContacts').every((call) => !('list_id' in call.params))).toBe(true);
	});

	test('Don’t Wait returns the task; Task → Get Result then returns contacts, not delivery rows', async () => {
		const { sb } = env;
		const started = await run(exportParams(3, { waitMode: 'none' }));
		const [task] = jsonOf(started.output[0]);
		expect(task).toEqual({ task_uuid: expect.any(String), status: 'new', task_type: 'exportContacts', list_id: 3 });
		await completeTask(sb, task.task_uuid);

		const fetched = await run(taskParams(task.task_uuid, { output: 'rows' }));
		expect(fetched.error).toBeUndefined();
		expect(jsonOf(fetched.output[0])).toEqual(sb.contactsTruth({ listId: 3 }).rows);
		const summary = await run(taskParams(task.task_uuid, { output: 'summary' }));
		expect(jsonOf(summary.output[0])[0]).toMatchObject({ total: 7, task_type: 'exportContacts' });
		expect(jsonOf(summary.output[0])[0]).not.toHaveProperty('byGroup');
	});

	test('Until Selzy Notifies parks the execution, and Selzy’s callback resumes it with the contacts', async () => {
		const { sb, harness } = env;
		sb.configure({ readyAfterPolls: 10 });
		const waiting = await run(exportParams(3, { waitMode: 'callback', output: 'rows' }));
		expect(waiting.status).toBe('waiting');
		const [task] = sb.tasks;
		expect(task.params.notify_url).toContain('selzy_secret=');
		const resumed = harness.waitForResume(waiting);
		await completeTask(sb, task.uuid);
		const result = await resumed;
		expect(result.status).toBe('success');
		expect(jsonOf(result.output[0])).toEqual(sb.contactsTruth({ listId: 3 }).rows);
	});

	test('an unknown list and an unknown field are Selzy’s own errors, worded for the user', async () => {
		const unknownList = await run(exportParams(99, { waitMode: 'poll' }));
		expect(unknownList.error.message).toMatch(/list "99" not found/);
		const unknownField = await run(exportParams(2, { waitMode: 'poll', fieldNames: ['email', 'no_such_field'] }));
		expect(unknownField.error.message).toMatch(/unknown field "no_such_field"/);
		expect(env.sb.tasks).toHaveLength(0);
	});

	test('the request is sent once even when its answer is lost: one export per item', async () => {
		const { sb } = env;
		sb.fault({ kind: 'dropAfterProcessing', method: 'async/exportContacts' });
		const { error } = await run(exportParams(2, { waitMode: 'poll' }));
		expect(error).toBeDefined();
		expect(apiCalls(sb, 'async/exportContacts')).toHaveLength(1);
		expect(sb.tasks).toHaveLength(1);
	});

	test('a list ID that is not a number (from an expression) is refused before calling Selzy', async () => {
		const { error } = await run(exportParams('={{ "twelve" }}', { waitMode: 'poll' }));
		expect(error.message).toMatch(/"twelve" is not a list ID/);
		expect(apiCalls(env.sb)).toHaveLength(0);
	});
});

describe('Contact → Export with several items', () => {
	test('exports every item’s list in one run, output in input order and paired with its item', async () => {
		const { sb } = env;
		const lists = [3, 1, 2, 3];
		const inputItems = lists.map((list) => ({ json: { list } }));
		const { status, output } = await run(
			exportParams('={{ $json.list }}', { waitMode: 'poll', output: 'summary', options: { pollInterval: 0.2 } }),
			{ inputItems },
		);
		expect(status).toBe('success');
		expect(output[0].map((item) => [item.pairedItem.item, item.json.total])).toEqual(
			lists.map((list, index) => [index, sb.contactsTruth({ listId: list }).total]),
		);
		// One export per item, each asked once.
		expect(apiCalls(sb, 'async/exportContacts').map((call) => call.params.list_id)).toEqual(expect.arrayContaining(['1', '2', '3']));
		expect(sb.tasks).toHaveLength(4);
	});

	test('Until Selzy Notifies refuses several items before asking Selzy anything', async () => {
		const { error } = await run(exportParams(2, { waitMode: 'callback' }), { inputItems: [{ json: {} }, { json: {} }] });
		expect(error.message).toMatch(/one contact export per execution, but this node received 2 items/);
		expect(apiCalls(env.sb, 'async/exportContacts')).toHaveLength(0);
	});
});

describe('as an AI agent’s tool', () => {
	test('Contact → Export answers with a sample of contacts in the file’s columns and the count of all', async () => {
		const { sb, harness } = env;
		const { output, error } = await harness.runExecute(SelzyTool, {
			parameters: exportParams(2, { waitMode: 'poll', output: 'rows', fieldNames: ['email', 'Город'], options: { maxRows: 5 } }),
		});
		expect(error).toBeUndefined();
		const [answer] = jsonOf(output[0]);
		expect(answer).toMatchObject({ total_rows: 1000, returned_rows: 5 });
		expect(answer.rows).toEqual(sb.contactsTruth({ listId: 2, fieldNames: ['email', 'Город'] }).rows.slice(0, 5));
	});

	test('a pending export tells the agent what to ask next, and Task → Get Result reads it as contacts', async () => {
		const { sb, harness } = env;
		const pending = await harness.runExecute(SelzyTool, { parameters: exportParams(3, { waitMode: 'none' }) });
		const [task] = jsonOf(pending.output[0]);
		expect(task.next_step).toMatch(/preparing this contact export/);
		await completeTask(sb, task.task_uuid);
		const result = await harness.runExecute(SelzyTool, { parameters: taskParams(task.task_uuid, { output: 'rows' }) });
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.output[0])[0]).toMatchObject({ total_rows: 7, rows: sb.contactsTruth({ listId: 3 }).rows });
	});
});

describe('pickers', () => {
	test('the list picker shows every list, searchable by title or number', async () => {
		const { harness } = env;
		const { results } = await harness.runLoadOptions(Selzy, 'searchLists', {});
		expect(results).toEqual(
			expect.arrayContaining([{ name: 'Клиенты (#2)', value: '2' }, { name: 'Newsletter (#1)', value: '1' }]),
		);
		const found = await harness.runLoadOptions(Selzy, 'searchLists', { filter: 'клиенты' });
		expect(found.results).toEqual([{ name: 'Клиенты (#2)', value: '2' }]);
	});

	test('field names offer the system fields, then the account’s own fields by name', async () => {
		const options = await env.harness.runLoadOptions(Selzy, 'getContactFieldNames', {});
		const values = options.map((option) => option.value);
		expect(values.slice(0, 2)).toEqual(['email', 'email_status']);
		expect(values).toEqual(expect.arrayContaining(['phone_status', 'tags', 'Имя', 'Город', 'customer_id']));
	});
});

describe('a damaged or expired export file', () => {
	test('fails with the same clear errors as a report, naming the task', async () => {
		const { sb } = env;
		sb.fault({ kind: 'expired' });
		const expired = await run(exportParams(2, { waitMode: 'poll', output: 'rows' }));
		expect(expired.error.message).toMatch(/no longer valid|expired/i);
		sb.fault({ kind: 'dropMidway' });
		const dropped = await run(exportParams(2, { waitMode: 'poll', output: 'summary' }));
		expect(dropped.error).toBeDefined();
		expect(`${dropped.error.message} ${dropped.error.description}`).toContain(sb.tasks.at(-1).uuid);
	});
});
