'use strict';
/**
 * Contacts through an AI agent's tool: a model imports a handful of contacts as a JSON list,
 * subscribes one, and looks one up; each answer stays small whatever Selzy holds.
 */
const { SelzyTool, Selzy, useSelzy, jsonOf } = require('./selzy.support');
const { jsonImportParams, importParams } = require('./selzy.contacts.support');

const env = useSelzy();
const runTool = (parameters) => env.harness.runExecute(SelzyTool, { parameters });
const answerText = (output) => JSON.stringify(jsonOf(output[0]));

describe('contacts through an AI agent’s tool', () => {
	test('Import of a JSON list answers with the counts and the first 20 refused contacts, whatever Output says', async () => {
		const contacts = [
			{ email: 'agent1@shop.example', tags: 'chat' },
			{ email: 'agent2@shop.example', email_status: 'unsubscribed' },
			...Array.from({ length: 30 }, (_, i) => ({ email: `info@shop${i}.example` })),
		];
		const { status, output } = await runTool(jsonImportParams(`={{ ${JSON.stringify(JSON.stringify(contacts))} }}`, { output: 'rows' }));
		expect(status).toBe('success');
		const [answer] = jsonOf(output[0]);
		expect(answer).toMatchObject({ total: 32, inserted: 2, updated: 0, deleted: 0, refused: 30, note: '30 contacts were refused; the first 20 are listed.' });
		expect(answer.refused_contacts).toHaveLength(20);
		expect(answer.refused_contacts[0]).toEqual({ contact: 'info@shop0.example', code: 'role_address', message: 'The role-based address "info@shop0.example" is not imported' });
		expect(answerText(output).length).toBeLessThan(4000);
		expect(env.sb.contact({ email: 'agent2@shop.example' }).email_status).toBe('unsubscribed');
	});

	test('a model’s list with a bad contact gets an error that names it, and nothing is imported', async () => {
		const { error } = await runTool(jsonImportParams([{ email: 'ok@shop.example' }, { email: 'x@shop.example', email_status: 'blocked' }]));
		expect(error.message).toMatch(/^Contact 2 of item 0 cannot be imported: email_status "blocked"/);
		expect(env.sb.contact({ email: 'ok@shop.example' })).toBeNull();
	});

	test('Subscribe answers with the person; Get answers with long values cut and at most 50 lists named', async () => {
		const { sb } = env;
		const subscribed = await runTool({ resource: 'contact', operation: 'subscribe', listIds: '={{ "1,2" }}', email: 'model@shop.example', doubleOptin: 'direct' });
		expect(jsonOf(subscribed.output[0])).toEqual([{ person_id: expect.any(Number), email: 'model@shop.example', phone: '', list_ids: [1, 2] }]);

		for (let id = 10; id < 70; id++) sb.addList({ id, size: 0 });
		const lists = Array.from({ length: 60 }, (_, i) => String(10 + i)).join(',');
		await env.harness.runExecute(Selzy, { parameters: importParams({ email: 'model@shop.example', 'Last order note': 'n'.repeat(5000), email_list_ids: lists }) });
		const found = await runTool({ resource: 'contact', operation: 'get', email: 'model@shop.example' });
		const [answer] = jsonOf(found.output[0]);
		expect(answer.fields['Last order note']).toHaveLength(301);
		expect(answer.lists).toHaveLength(50);
		expect(answer.lists_total).toBe(62);
		expect(answerText(found.output).length).toBeLessThan(6000);
	});
});
