'use strict';
// Contact → Import from input items: columns mapped like n8n's own nodes map them, batches of 500
// across all items, results per item (inserted, updated, deleted, refused with Selzy's reason)
// or as one summary, and every rule checked before anything is sent.
const { Selzy, useSelzy, jsonOf, byId, apiCalls } = require('./selzy.support');
const { importParams, autoMapParams, jsonImportParams, importBodies, people, importCalls } = require('./selzy.contacts.support');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });
const mapped = { email: '={{ $json.email }}', Имя: '={{ $json.name }}' };

describe('Contact → Import from input items', () => {
	test('the mapped columns go out as field_names[i] and data[row][column]; each item says inserted, then updated', async () => {
		const { sb } = env;
		const first = await run(importParams(mapped), { inputItems: people(3) });
		expect(first.error).toBeUndefined();
		expect(importBodies(env)).toEqual([
			{
				fieldNames: ['email', 'Имя'],
				rows: [0, 1, 2].map((i) => [`person${i}@shop.example`, `Person ${i}`]),
				overwriteTags: '0',
				overwriteLists: '0',
			},
		]);
		expect(jsonOf(first.output[0])).toEqual([0, 1, 2].map((i) => ({ contact: `person${i}@shop.example`, result: 'inserted', batch: 1 })));
		expect(first.output[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(sb.contact({ email: 'person1@shop.example' })).toMatchObject({ Имя: 'Person 1', email_status: 'new' });

		const again = await run(importParams({ ...mapped, Имя: '={{ $json.name }} (again)' }), { inputItems: people(3) });
		expect(jsonOf(again.output[0]).map((row) => row.result)).toEqual(['updated', 'updated', 'updated']);
		expect(sb.contact({ email: 'person1@shop.example' }).Имя).toBe('Person 1 (again)');
	});

	test('1,234 items go out in batches of 500, 500 and 234, and each result is paired with its own item', async () => {
		const inputItems = people(1234);
		inputItems[700] = { json: { email: 'info@shop.example', name: 'Role' } };
		inputItems[1001] = { json: { email: 'no email', name: 'Broken' } };
		const { output, error } = await run(importParams(mapped, { output: 'rows' }), { inputItems });
		expect(error).toBeUndefined();
		expect(importBodies(env).map((body) => body.rows.length)).toEqual([500, 500, 234]);
		expect(importBodies(env)[2].rows[233]).toEqual(['person1233@shop.example', 'Person 1233']);
		const rows = jsonOf(output[0]);
		expect(rows).toHaveLength(1234);
		expect(output[0].every((item, index) => item.pairedItem.item === index)).toBe(true);
		// Selzy names a refused row by its index within the call: batch 2's row 200, batch 3's row 1.
		expect(rows.filter((row) => row.result === 'refused').map((row) => [rows.indexOf(row), row.contact, row.code])).toEqual([
			[700, 'info@shop.example', 'role_address'],
			[1001, 'no email', 'invalid_email'],
		]);
		expect(rows.filter((row, index) => row.result === 'inserted' && row.contact === `person${index}@shop.example`)).toHaveLength(1232);
		expect(rows.map((row) => row.batch).filter((batch, i, all) => all.indexOf(batch) === i)).toEqual([1, 2, 3]);
	});

	test('a contact Selzy refuses is a result with Selzy’s code and message; the run succeeds and the others are imported', async () => {
		const { sb } = env;
		const inputItems = [...people(2), { json: { email: 'info@shop.example', name: 'Role' } }, { json: { email: 'not an address', name: 'Bad' } }];
		const { status, output } = await run(importParams(mapped), { inputItems });
		expect(status).toBe('success');
		expect(jsonOf(output[0])).toEqual([
			{ contact: 'person0@shop.example', result: 'inserted', batch: 1 },
			{ contact: 'person1@shop.example', result: 'inserted', batch: 1 },
			{ contact: 'info@shop.example', result: 'refused', code: 'role_address', message: 'The role-based address "info@shop.example" is not imported', batch: 1 },
			{ contact: 'not an address', result: 'refused', code: 'invalid_email', message: 'Invalid email address "not an address"', batch: 1 },
		]);
		expect(output[0][3].pairedItem).toEqual({ item: 3 });
		expect(sb.contact({ email: 'info@shop.example' })).toBeNull();
	});

	test('Summary: the counts and the refusals grouped by code, in one item paired with every input item', async () => {
		const { sb } = env;
		await run(importParams(mapped), { inputItems: people(2) });
		const inputItems = [...people(4), ...['info', 'sales', 'all'].map((local) => ({ json: { email: `${local}@shop.example`, name: '' } })), { json: { email: 'x@', name: '' } }];
		const { output } = await run(importParams(mapped, { output: 'summary' }), { inputItems });
		expect(jsonOf(output[0])).toEqual([
			{
				total: 8,
				inserted: 2,
				updated: 2,
				deleted: 0,
				refused: 4,
				newEmails: 2,
				batches: 1,
				refusals: {
					role_address: { count: 3, message: 'The role-based address "info@shop.example" is not imported', examples: ['info@shop.example', 'sales@shop.example', 'all@shop.example'] },
					invalid_email: { count: 1, message: 'Invalid email address "x@"', examples: ['x@'] },
				},
			},
		]);
		expect(output[0][0].pairedItem).toEqual(inputItems.map((_, item) => ({ item })));
		expect(sb.importLog.at(-1).answer.invalid).toBe(4);
	});

	test('Refused Contacts Only: just the refused contacts, each paired with its item', async () => {
		const inputItems = [...people(3), { json: { email: 'no-reply@shop.example', name: 'x' } }, ...people(2, 10)];
		const { output } = await run(importParams(mapped, { output: 'refused' }), { inputItems });
		expect(jsonOf(output[0])).toEqual([{ contact: 'no-reply@shop.example', result: 'refused', code: 'role_address', message: expect.any(String), batch: 1 }]);
		expect(output[0][0].pairedItem).toEqual({ item: 3 });
	});

	test('delete 1 deletes a contact; email_status unsubscribed unsubscribes an active one, while an unsubscribed one stays so', async () => {
		const { sb } = env;
		// Generated contacts of list 1: #7 is unsubscribed, #4 active (the sandbox's fixed data).
		expect(sb.contact({ email: 'user.1.7@example.com' }).email_status).toBe('unsubscribed');
		expect(sb.contact({ email: 'user.1.4@example.com' }).email_status).toBe('active');
		const inputItems = [
			{ json: { email: 'user.1.4@example.com', status: 'unsubscribed', remove: false } },
			{ json: { email: 'user.1.7@example.com', status: 'active', remove: false } },
			{ json: { email: 'user.1.5@example.com', status: '', remove: true } },
		];
		const { output } = await run(importParams({ email: '={{ $json.email }}', email_status: '={{ $json.status }}', delete: '={{ $json.remove }}' }), { inputItems });
		expect(jsonOf(output[0]).map((row) => row.result)).toEqual(['updated', 'updated', 'deleted']);
		expect(importBodies(env)[0].rows.map((row) => row[2])).toEqual(['0', '0', '1']);
		expect(sb.contact({ email: 'user.1.4@example.com' })).toMatchObject({ email_status: 'unsubscribed', email_unsubscribed_list_ids: '1' });
		expect(sb.contact({ email: 'user.1.7@example.com' }).email_status).toBe('unsubscribed');
		expect(sb.contact({ email: 'user.1.5@example.com' })).toBeNull();
		expect(sb.contactsTruth({ listId: 1 }).rows.map((row) => row.email)).not.toContain('user.1.5@example.com');
	});

	test('Add to Lists joins every contact to the chosen lists; Overwrite Tags and Overwrite Lists go to Selzy as 1', async () => {
		const { sb } = env;
		await run(importParams({ email: '={{ $json.email }}', tags: 'old', email_list_ids: '1' }), { inputItems: people(2) });
		const { error } = await run(importParams({ email: '={{ $json.email }}', tags: 'new,vip', email_list_ids: '={{ $itemIndex === 0 ? "2" : "" }}' }, { options: { addToLists: ['3'], overwriteTags: true, overwriteLists: true } }), {
			inputItems: people(2),
		});
		expect(error).toBeUndefined();
		const body = importBodies(env)[1];
		expect(body).toMatchObject({ fieldNames: ['email', 'tags', 'email_list_ids'], overwriteTags: '1', overwriteLists: '1' });
		expect(body.rows.map((row) => row[2])).toEqual(['2,3', '3']);
		expect(sb.contact({ email: 'person0@shop.example' })).toMatchObject({ tags: 'new,vip', email_list_ids: '2,3' });
		expect(sb.contact({ email: 'person1@shop.example' })).toMatchObject({ tags: 'new,vip', email_list_ids: '3' });

		await run(importParams({ email: '={{ $json.email }}', tags: 'more' }, { options: { addToLists: ['1'] } }), { inputItems: people(1) });
		// Without the overwrite options, tags and lists are added to the contact's own.
		expect(sb.contact({ email: 'person0@shop.example' })).toMatchObject({ tags: 'new,vip,more', email_list_ids: '2,3,1' });
	});

	test('Map Automatically: the items’ own keys are the columns; keys that are no field are left out and named', async () => {
		const { sb } = env;
		const inputItems = [{ json: { email: 'auto@shop.example', Город: 'Riga', tags: ['a', 'b'], source: 'form', id: 7 } }];
		const { output, error } = await run(autoMapParams({ output: 'summary' }), { inputItems });
		expect(error).toBeUndefined();
		expect(importBodies(env)[0]).toMatchObject({ fieldNames: ['email', 'Город', 'tags'], rows: [['auto@shop.example', 'Riga', 'a,b']] });
		expect(jsonOf(output[0])[0]).toMatchObject({ inserted: 1, ignoredColumns: ['source', 'id'] });
		expect(sb.contact({ email: 'auto@shop.example' })).toMatchObject({ Город: 'Riga', tags: 'a,b' });
		expect(apiCalls(sb, 'getFields')).toHaveLength(1);
	});

	test('a JSON list in each item: the contacts of all items go out together, each result paired with the item that held it', async () => {
		const { sb } = env;
		const inputItems = [{ json: { list: [{ email: 'j1@shop.example', tags: 'x' }, { email: 'j2@shop.example' }] } }, { json: { list: [{ phone: '+79001234567', email_status: 'active' }] } }];
		const { output, error } = await run(jsonImportParams('={{ $json.list }}'), { inputItems });
		expect(error).toBeUndefined();
		expect(importBodies(env)).toHaveLength(1);
		expect(jsonOf(output[0])).toEqual([
			{ contact: 'j1@shop.example', result: 'inserted', batch: 1, row: 1 },
			{ contact: 'j2@shop.example', result: 'inserted', batch: 1, row: 2 },
			{ contact: '+79001234567', result: 'inserted', batch: 1, row: 1 },
		]);
		expect(output[0].map((item) => item.pairedItem.item)).toEqual([0, 0, 1]);
		expect(sb.contact({ phone: '+79001234567' })).toMatchObject({ phone_status: 'active', email: '' });
	});
});

describe('Contact → Import in the editor', () => {
	test('the columns to map: Selzy’s system columns (statuses as a choice, delete as a switch), then your own fields', async () => {
		const { fields } = await env.harness.runLoadOptions(Selzy, 'getContactColumns', { kind: 'resourceMapping', parameters: importParams({}) });
		const byId = Object.fromEntries(fields.map((field) => [field.id, field]));
		expect(fields.filter((field) => !field.removed).map((field) => field.id)).toEqual(['email', 'email_status', 'phone', 'tags', 'Имя', 'Город', 'customer_id', 'Last order note', 'birthday', 'vip', 'orders_count']);
		expect(byId.email_status.options.map((option) => option.value)).toEqual(['new', 'active', 'inactive', 'unsubscribed']);
		expect(byId.delete).toMatchObject({ type: 'boolean', removed: true });
		expect(byId.email_list_ids).toMatchObject({ type: 'string', removed: true });
		expect(byId.email_availability).toBeUndefined();
		expect(fields.every((field) => field.required === false)).toBe(true);
	});

	test('lists to choose from by title, and your own fields by name for Subscribe', async () => {
		const lists = await env.harness.runLoadOptions(Selzy, 'getContactLists', { kind: 'loadOptions' });
		expect(lists).toEqual([
			{ name: 'Newsletter (#1)', value: '1' },
			{ name: 'Webinar "Spring" & friends (#3)', value: '3' },
			{ name: 'Клиенты (#2)', value: '2' },
		]);
		const names = await env.harness.runLoadOptions(Selzy, 'getUserFieldNames', { kind: 'loadOptions' });
		expect(names.map((option) => option.value)).toContain('Имя');
	});
});

describe('Contact → Import checks every contact before sending anything', () => {
	const expectRefusedBeforeSending = async (parameters, inputItems, message) => {
		const { status, error } = await run(parameters, { inputItems });
		expect(status).toBe('error');
		expect(error.message).toMatch(message);
		expect(error.description).toMatch(/Nothing was sent to Selzy/);
		expect(importCalls(env.sb)).toHaveLength(0);
		return error;
	};

	test('email or phone must be mapped; with Continue On Fail every item carries that error', async () => {
		await expectRefusedBeforeSending(importParams({ Имя: '={{ $json.name }}' }), people(2), /Map the column "email" or "phone"/);
		const { status, output } = await run(importParams({ Имя: '={{ $json.name }}' }), { inputItems: people(2), continueOnFail: true });
		expect(status).toBe('success');
		expect(output[0].map((item) => [item.json.error.slice(0, 48), item.pairedItem.item])).toEqual([
			['Nothing was imported: Map the column "email" or ', 0],
			['Nothing was imported: Map the column "email" or ', 1],
		]);
	});

	test('at most 50 of your own fields at once', async () => {
		const value = { email: '={{ $json.email }}' };
		for (let i = 1; i <= 51; i++) value[`field_${i}`] = 'x';
		await expectRefusedBeforeSending(importParams(value), people(1), /51 of your own fields are mapped; Selzy imports at most 50/);
	});

	test('at most 10 tags, statuses an import can set, delete as 1 or 0, list IDs as numbers — and the item is named', async () => {
		const cases = [
			[{ tags: 'a,b,c,d,e,f,g,h,i,j,k' }, /Item 1 cannot be imported: 11 tags; Selzy keeps at most 10/],
			[{ email_status: 'blocked' }, /Item 1 cannot be imported: email_status "blocked" is not a status an import can set \(new, active, inactive, unsubscribed\)/],
			[{ delete: 'maybe' }, /Item 1 cannot be imported: delete is "maybe"/],
			[{ email_list_ids: 'Newsletter' }, /Item 1 cannot be imported: email_list_ids "Newsletter" must be list IDs/],
		];
		for (const [extra, message] of cases) {
			const value = { email: '={{ $json.email }}' };
			for (const [column, text] of Object.entries(extra)) value[column] = `={{ $itemIndex === 1 ? ${JSON.stringify(text)} : "" }}`;
			const error = await expectRefusedBeforeSending(importParams(value), people(3), message);
			expect(error.context.itemIndex).toBe(1);
		}
	});

	test('an item with neither email nor phone is named, with the count of the others', async () => {
		const inputItems = [...people(2), { json: { email: '' } }, { json: { email: '  ' } }];
		const error = await expectRefusedBeforeSending(importParams(mapped), inputItems, /Item 2 cannot be imported: it has neither an email address nor a phone number/);
		expect(error.description).toMatch(/1 more cannot be imported either/);
	});

	test('with Continue On Fail the item becomes an error item and the others are imported', async () => {
		const inputItems = [...people(2), { json: { email: 'bad@shop.example', name: 'x', status: 'invited' } }, ...people(1, 5)];
		const { status, output } = await run(importParams({ ...mapped, email_status: '={{ $json.status ?? "active" }}' }), { inputItems, continueOnFail: true });
		expect(status).toBe('success');
		expect(jsonOf(output[0])).toEqual([
			{ contact: 'person0@shop.example', result: 'inserted', batch: 1 },
			{ contact: 'person1@shop.example', result: 'inserted', batch: 1 },
			{ contact: 'bad@shop.example', error: expect.stringMatching(/^Item 2 cannot be imported: email_status "invited"/) },
			{ contact: 'person5@shop.example', result: 'inserted', batch: 1 },
		]);
		expect(importBodies(env)[0].rows).toHaveLength(3);
	});
});

describe('Contact → Import sends batches the way Selzy advises', () => {
	test('a batch without an answer in time is sent again, at most twice; then the error names the batch and its items', async () => {
		const { sb } = env;
		sb.fault({ kind: 'hang', method: 'importContacts', times: 3 });
		const { error } = await run(importParams(mapped, { options: { answerTimeout: 1 } }), { inputItems: people(3) });
		expect(importCalls(sb)).toHaveLength(3);
		expect(error.message).toMatch(/^Batch 1 \(items 0–2\) was not imported: Selzy importContacts: Selzy did not answer within 1 s \(after 3 attempts\)/);
		expect(error.description).toMatch(/Importing the same contacts again is safe/);
	}, 30_000);

	test('a lost connection or a late answer: the batch goes again and every contact arrives once', async () => {
		const { sb } = env;
		sb.fault({ kind: 'drop', method: 'importContacts' });
		sb.fault({ kind: 'slow', method: 'importContacts', ms: 1500 });
		const { output, error } = await run(importParams(mapped, { options: { answerTimeout: 1 } }), { inputItems: people(2) });
		expect(error).toBeUndefined();
		expect(importCalls(sb).map((call) => call.fault)).toEqual(['drop', 'slow', null]);
		// The late answer was processed as well: the third attempt found the contacts there already.
		expect(jsonOf(output[0]).map((row) => row.result)).toEqual(['updated', 'updated']);
		expect(sb.contactsTruth({}).rows.filter((row) => row.email.endsWith('@shop.example'))).toHaveLength(2);
	}, 30_000);

	test('any other failure is not repeated: the error names the batch and its items, and later batches are not sent', async () => {
		const { sb } = env;
		const inputItems = people(1200);
		const { error } = await run(importParams({ email: '={{ $json.email }}', email_list_ids: '={{ $itemIndex === 700 ? "99" : "1" }}' }, { options: { parallelBatches: 1 } }), { inputItems });
		expect(error.message).toBe('Batch 2 (items 500–999) was not imported: Selzy importContacts: Argument "email_list_ids": list "99" not found (invalid_arg)');
		expect(importCalls(sb)).toHaveLength(2);
		expect(sb.contact({ email: 'person499@shop.example' })).not.toBeNull();
		expect(sb.contact({ email: 'person1000@shop.example' })).toBeNull();
	});

	test('with Continue On Fail a failed batch makes error items of its items, and the other batches are imported', async () => {
		const { sb } = env;
		const inputItems = people(1200);
		const { status, output } = await run(importParams({ email: '={{ $json.email }}', email_list_ids: '={{ $itemIndex === 700 ? "99" : "1" }}' }, { output: 'refused' }), {
			inputItems,
			continueOnFail: true,
		});
		expect(status).toBe('success');
		const failed = jsonOf(output[0]);
		expect(failed).toHaveLength(500);
		expect(failed[0]).toEqual({ contact: 'person500@shop.example', error: expect.stringMatching(/^Batch 2 \(items 500–999\) was not imported/), batch: 2 });
		expect(output[0].map((item) => item.pairedItem.item)).toEqual(Array.from({ length: 500 }, (_, i) => 500 + i));
		expect(sb.contact({ email: 'person1100@shop.example' })).not.toBeNull();
	});

	test('batches travel in parallel, but one holding a contact that an earlier batch still carries waits, so the later row wins', async () => {
		const { sb } = env;
		sb.fault({ kind: 'slow', method: 'importContacts', ms: 800 });
		const inputItems = people(1500);
		inputItems[1200] = { json: { email: 'person3@shop.example', name: 'Later row' } };
		const { error } = await run(importParams(mapped, { options: { parallelBatches: 3 } }), { inputItems });
		expect(error).toBeUndefined();
		const [first, second, third] = importCalls(sb);
		// Batch 2 went out while batch 1 was still waiting for its (slow) answer; batch 3, holding person3, waited for batch 1.
		expect(second.time - first.time).toBeLessThan(500);
		expect(third.time - first.time).toBeGreaterThanOrEqual(750);
		expect(sb.contact({ email: 'person3@shop.example' }).Имя).toBe('Later row');
	});
});

describe('Contact → Import closes the loop with Contact → Export', () => {
	test('export a list, change its contacts, import them: a second export shows the change', async () => {
		const { sb } = env;
		const fieldNames = ['email', 'Имя', 'tags'];
		const exportParams = { resource: 'contact', operation: 'export', listId: byId(3), fieldNames, waitMode: 'poll', output: 'rows' };
		const exported = jsonOf((await run(exportParams)).output[0]);
		expect(exported).toHaveLength(7);
		const changed = exported.map((row, i) => ({ json: { ...row, Имя: `${row.Имя || 'Nameless'} ✓`, tags: i % 2 ? 'synced' : row.tags } }));
		const imported = await run(importParams({ email: '={{ $json.email }}', Имя: '={{ $json["Имя"] }}', tags: '={{ $json.tags }}' }, { options: { overwriteTags: true } }), {
			inputItems: changed,
		});
		expect(jsonOf(imported.output[0]).every((row) => row.result === 'updated')).toBe(true);
		const again = jsonOf((await run(exportParams)).output[0]);
		expect(again).toEqual(changed.map((item) => item.json));
	});
});
