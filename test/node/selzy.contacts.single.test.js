'use strict';
// One contact per item: Subscribe (lists, fields by name, the confirmation and overwrite choices,
// Selzy's 300 a minute), Exclude and Unsubscribe (a contact Selzy does not find is found: false),
// and Get (lists and fields wherever Selzy puts them).
const { Selzy, useSelzy, jsonOf, apiCalls } = require('./selzy.support');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });
const sentForm = (method) => new URLSearchParams(env.rawBodies.filter((raw) => raw.path.endsWith(`/${method}`)).at(-1).body);

const subscribeParams = (rest = {}) => ({ resource: 'contact', operation: 'subscribe', listIds: ['1', '2'], email: '={{ $json.email }}', ...rest });
const membershipParams = (operation, contact, rest = {}) => ({ resource: 'contact', operation, contactType: 'email', contact, ...rest });
const getParams = (email, rest = {}) => ({ resource: 'contact', operation: 'get', email, ...rest });

describe('Contact → Subscribe', () => {
	test('sends the lists, the email, your fields by name and the tags; by default Selzy emails a confirmation', async () => {
		const { sb } = env;
		const fields = { field: [{ name: 'Имя', value: '={{ $json.name }}' }, { name: 'Город', value: 'Riga' }] };
		const { output, error } = await run(subscribeParams({ fields, tags: 'form, spring' }), { inputItems: [{ json: { email: 'ann@shop.example', name: 'Ann' } }] });
		expect(error).toBeUndefined();
		const form = sentForm('subscribe');
		expect(Object.fromEntries([...form].filter(([key]) => key !== 'api_key'))).toEqual({
			list_ids: '1,2',
			double_optin: '0',
			overwrite: '0',
			'fields[email]': 'ann@shop.example',
			'fields[Имя]': 'Ann',
			'fields[Город]': 'Riga',
			tags: 'form,spring',
			format: 'json',
		});
		const contact = sb.contact({ email: 'ann@shop.example' });
		expect(jsonOf(output[0])).toEqual([{ person_id: contact.person_id, email: 'ann@shop.example', phone: '', list_ids: [1, 2] }]);
		expect(contact).toMatchObject({ email_status: 'invited', email_list_ids: '1,2', Имя: 'Ann', Город: 'Riga', tags: 'form,spring' });
		expect(sb.confirmations.map((sent) => sent.email)).toEqual(['ann@shop.example']);
	});

	test('Add Without an Email adds a new contact as new; Add If Already Active invites only those not already active', async () => {
		const { sb } = env;
		await run(subscribeParams({ doubleOptin: 'direct' }), { inputItems: [{ json: { email: 'direct@shop.example' } }] });
		expect(sentForm('subscribe').get('double_optin')).toBe('3');
		expect(sb.contact({ email: 'direct@shop.example' }).email_status).toBe('new');
		const inputItems = [{ json: { email: 'user.1.4@example.com' } }, { json: { email: 'fresh@shop.example' } }];
		await run(subscribeParams({ listIds: ['3'], doubleOptin: 'ifActive' }), { inputItems });
		expect(sentForm('subscribe').get('double_optin')).toBe('4');
		expect(sb.confirmations.map((sent) => sent.email)).toEqual(['fresh@shop.example']);
		expect(sb.contact({ email: 'user.1.4@example.com' })).toMatchObject({ email_status: 'active', email_list_ids: '1,3' });
	});

	test('Existing Contact: Keep Its Values fills only empty fields, Replace the Given Fields replaces them, Replace Everything also leaves other lists', async () => {
		const { sb } = env;
		const subscribe = (overwrite, name, listIds) =>
			run(subscribeParams({ listIds, overwrite, doubleOptin: 'direct', fields: { field: [{ name: 'Имя', value: name }] }, tags: name }), { inputItems: [{ json: { email: 'kept@shop.example' } }] });
		await subscribe('add', 'First', ['1']);
		await subscribe('add', 'Second', ['2']);
		expect(sb.contact({ email: 'kept@shop.example' })).toMatchObject({ Имя: 'First', tags: 'First,Second', email_list_ids: '1,2' });
		await subscribe('given', 'Third', ['2']);
		expect(sentForm('subscribe').get('overwrite')).toBe('2');
		expect(sb.contact({ email: 'kept@shop.example' })).toMatchObject({ Имя: 'Third', tags: 'Third', email_list_ids: '1,2' });
		await subscribe('all', 'Fourth', ['3']);
		expect(sentForm('subscribe').get('overwrite')).toBe('1');
		expect(sb.contact({ email: 'kept@shop.example' })).toMatchObject({ Имя: 'Fourth', email_list_ids: '3' });
	});

	test('no lists, neither email nor phone, or more than 10 tags: refused before calling Selzy', async () => {
		const cases = [
			[{ listIds: '={{ "" }}' }, /Lists is empty/],
			[{ email: '' }, /Email and Phone are both empty/],
			[{ tags: 'a,b,c,d,e,f,g,h,i,j,k' }, /11 tags; Selzy keeps at most 10/],
			[{ listIds: '={{ "Newsletter" }}' }, /Lists: "Newsletter" is not a list ID/],
		];
		for (const [rest, message] of cases) {
			const { error } = await run(subscribeParams(rest), { inputItems: [{ json: { email: 'x@shop.example' } }] });
			expect(error.message).toMatch(message);
		}
		expect(apiCalls(env.sb, 'subscribe')).toHaveLength(0);
	});

	test('a phone instead of an email; Selzy’s refusal of a role-based address is its own error, with the item named', async () => {
		const { sb } = env;
		const { output } = await run(subscribeParams({ email: '', phone: '+79005554433', doubleOptin: 'direct' }));
		expect(jsonOf(output[0])[0]).toMatchObject({ phone: '+79005554433', list_ids: [1, 2] });
		expect(sb.contact({ phone: '+79005554433' })).toMatchObject({ phone_status: 'active' });
		const { error } = await run(subscribeParams(), { inputItems: [{ json: { email: 'ok@shop.example' } }, { json: { email: 'info@shop.example' } }] });
		expect(error.message).toMatch(/Selzy subscribe: Argument "fields\[email\]": the role-based address "info@shop.example" cannot be subscribed \(invalid_arg\)/);
		expect(error.context.itemIndex).toBe(1);
	});

	test('Selzy allows 300 subscribe calls a minute: beyond a first burst the calls are spread out', async () => {
		const { sb } = env;
		const inputItems = Array.from({ length: 40 }, (_, i) => ({ json: { email: `burst${i}@shop.example` } }));
		const { error } = await run(subscribeParams({ doubleOptin: 'direct' }), { inputItems });
		expect(error).toBeUndefined();
		const times = apiCalls(sb, 'subscribe').map((call) => call.time);
		expect(times).toHaveLength(40);
		// 30 at once, then 4.5 a second: the last ten take about two seconds.
		expect(times[39] - times[0]).toBeGreaterThanOrEqual(1800);
	});
});

describe('Contact → Exclude and Unsubscribe', () => {
	test('Exclude takes the contact out of the chosen lists, and Subscribe can add it back', async () => {
		const { sb } = env;
		await run(subscribeParams({ listIds: ['1', '2'], doubleOptin: 'direct' }), { inputItems: [{ json: { email: 'ex@shop.example' } }] });
		const { output } = await run(membershipParams('exclude', 'ex@shop.example', { listIds: ['2'] }));
		expect(jsonOf(output[0])).toEqual([{ contact: 'ex@shop.example', contact_type: 'email', list_ids: [2], found: true }]);
		expect(Object.fromEntries(sentForm('exclude'))).toMatchObject({ contact_type: 'email', contact: 'ex@shop.example', list_ids: '2' });
		expect(sb.contact({ email: 'ex@shop.example' })).toMatchObject({ email_list_ids: '1', email_excluded_list_ids: '2' });
		await run(subscribeParams({ listIds: ['2'], doubleOptin: 'direct' }), { inputItems: [{ json: { email: 'ex@shop.example' } }] });
		expect(sb.contact({ email: 'ex@shop.example' })).toMatchObject({ email_list_ids: '1,2', email_excluded_list_ids: '' });
	});

	test('Unsubscribe keeps the contact in its lists, marked unsubscribed; without lists it is unsubscribed from all', async () => {
		const { sb } = env;
		await run(membershipParams('unsubscribe', 'user.2.6@example.com', { listIds: ['2'] }));
		expect(sb.contact({ email: 'user.2.6@example.com' })).toMatchObject({ email_list_ids: '2', email_unsubscribed_list_ids: '2' });
		const { output } = await run(membershipParams('unsubscribe', 'user.1.4@example.com'));
		expect(jsonOf(output[0])[0]).toMatchObject({ list_ids: 'all', found: true });
		expect(sentForm('unsubscribe').has('list_ids')).toBe(false);
		expect(sb.contact({ email: 'user.1.4@example.com' })).toMatchObject({ email_status: 'unsubscribed', email_list_ids: '1', email_unsubscribed_list_ids: '1' });
	});

	test('a contact Selzy does not find is found: false on its item, with Selzy’s words, and the run goes on', async () => {
		const inputItems = ['user.1.4@example.com', 'nobody@shop.example', 'user.1.6@example.com'].map((email) => ({ json: { email } }));
		for (const operation of ['exclude', 'unsubscribe']) {
			env.sb.reset();
			const { status, output } = await run(membershipParams(operation, '={{ $json.email }}', { listIds: ['1'] }), { inputItems });
			expect(status).toBe('success');
			expect(jsonOf(output[0]).map((row) => row.found)).toEqual([true, false, true]);
			expect(jsonOf(output[0])[1]).toEqual({ contact: 'nobody@shop.example', contact_type: 'email', list_ids: [1], found: false, message: 'Contact "nobody@shop.example" not found' });
			expect(output[0][1].pairedItem).toEqual({ item: 1 });
		}
		// Another of Selzy's errors is still an error.
		const { error } = await run(membershipParams('exclude', 'user.1.4@example.com', { listIds: ['99'] }));
		expect(error.message).toMatch(/list "99" not found \(invalid_arg\)/);
	});

	test('by phone: the contact is found by its number', async () => {
		const { sb } = env;
		await run(subscribeParams({ email: '', phone: '+79007778899', doubleOptin: 'direct' }));
		const { output } = await run(membershipParams('exclude', '+79007778899', { contactType: 'phone' }));
		expect(jsonOf(output[0])[0]).toMatchObject({ contact_type: 'phone', found: true });
		expect(sb.contact({ phone: '+79007778899' })).toMatchObject({ phone_list_ids: '', phone_excluded_list_ids: '1,2' });
	});
});

describe('Contact → Get', () => {
	test('status, availability, lists and fields, whether Selzy puts lists and fields inside email or beside it', async () => {
		const { sb } = env;
		const outputs = [];
		for (const contactAnswer of ['inside', 'beside']) {
			sb.configure({ contactAnswer });
			outputs.push(jsonOf((await run(getParams('user.1.2@example.com'))).output[0]));
		}
		expect(outputs[0]).toEqual(outputs[1]);
		const truth = sb.contact({ email: 'user.1.2@example.com' });
		expect(outputs[0]).toEqual([
			{
				found: true,
				email: 'user.1.2@example.com',
				status: 'active',
				availability: 'available',
				added_at: truth.email_subscribe_times,
				lists: [{ id: 1, status: 'active', added_at: truth.email_subscribe_times }],
				// Selzy leaves out empty fields.
				fields: expect.objectContaining({ Город: truth.Город, customer_id: truth.customer_id }),
			},
		]);
		expect(Object.fromEntries(sentForm('getContact'))).toMatchObject({ email: 'user.1.2@example.com', include_lists: '1', include_fields: '1' });
	});

	test('without lists and fields, only the contact; an unknown address is found: false', async () => {
		const { output } = await run(getParams('={{ $json.email }}', { includeLists: false, includeFields: false }), {
			inputItems: [{ json: { email: 'user.1.2@example.com' } }, { json: { email: 'nobody@shop.example' } }],
		});
		expect(sentForm('getContact').get('include_lists')).toBe('0');
		expect(jsonOf(output[0])).toEqual([
			{ found: true, email: 'user.1.2@example.com', status: 'active', availability: 'available', added_at: expect.any(String) },
			{ found: false, email: 'nobody@shop.example', message: 'Contact "nobody@shop.example" not found' },
		]);
	});
});
