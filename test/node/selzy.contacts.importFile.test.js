'use strict';
// Contact → Import from a CSV file in a binary field: the header names the columns, the whole
// file is checked (as a stream) before the first batch, then read again and sent 500 rows at a
// time; the report core decodes it, so gzip, zip, semicolons and Windows-1251 read as well.
const zlib = require('node:zlib');
const { Selzy, useSelzy, jsonOf } = require('./selzy.support');
const { fileImportParams, importBodies, importCalls } = require('./selzy.contacts.support');
const { byteString, TEXT_STYLES } = require('../sandbox/data');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });

/** Stores each file in n8n's binary store (as a Read File node would) and returns the items holding them. */
class MakeFiles {
	description = { displayName: 'Make Files', name: 'makeFiles', group: ['transform'], version: 1, defaults: { name: 'Make Files' }, inputs: ['main'], outputs: ['main'], properties: [] };

	async execute() {
		const items = this.getInputData();
		const made = await Promise.all(
			items.map(async (item, index) => ({
				json: { file: item.json.fileName },
				binary: { data: await this.helpers.prepareBinaryData(Buffer.from(item.json.base64, 'base64'), item.json.fileName, item.json.mimeType ?? 'text/csv') },
				pairedItem: { item: index },
			})),
		);
		return [made];
	}
}

async function fileItems(...files) {
	const inputItems = files.map(({ bytes, fileName = 'contacts.csv', mimeType }) => ({ json: { base64: Buffer.from(bytes).toString('base64'), fileName, mimeType } }));
	const { output, error } = await env.harness.runExecute(MakeFiles, { inputItems });
	if (error) throw error;
	return output[0];
}

/** A CSV of `count` contacts: email, Имя, email_status and a column Selzy has no field for. */
function contactsCsv(count, { eol = '\n', delimiter = ',', row = (i) => [`file${i}@shop.example`, `Имя ${i}`, 'active', `ref-${i}`] } = {}) {
	const lines = [['email', 'Имя', 'email_status', 'source'].join(delimiter)];
	for (let i = 0; i < count; i++) lines.push(row(i).join(delimiter));
	return lines.join(eol) + eol;
}

describe('Contact → Import from a CSV file', () => {
	test('the header names the columns, rows go out 500 at a time, and the Summary counts them', async () => {
		const { sb } = env;
		const inputItems = await fileItems({ bytes: contactsCsv(1201) });
		const { output, error } = await run(fileImportParams(), { inputItems });
		expect(error).toBeUndefined();
		const bodies = importBodies(env);
		expect(bodies.map((body) => body.rows.length)).toEqual([500, 500, 201]);
		expect(bodies[0].fieldNames).toEqual(['email', 'Имя', 'email_status']);
		expect(bodies[2].rows[200]).toEqual(['file1200@shop.example', 'Имя 1200', 'active']);
		expect(jsonOf(output[0])).toEqual([{ total: 1201, inserted: 1201, updated: 0, deleted: 0, refused: 0, newEmails: 1201, batches: 3, refusals: {}, ignoredColumns: ['source'] }]);
		expect(output[0][0].pairedItem).toEqual([{ item: 0 }]);
		expect(sb.contact({ email: 'file77@shop.example' })).toMatchObject({ Имя: 'Имя 77', email_status: 'active' });
	});

	test('the whole file is checked before the first batch: bad rows late in it are named and nothing is sent', async () => {
		const bad = { 1899: 'blocked', 1949: 'sleeping' }; // rows 1900 and 1950 (counted after the header)
		const row = (i) => [`file${i}@shop.example`, 'x', bad[i] ?? 'new', ''];
		const inputItems = await fileItems({ bytes: contactsCsv(2000, { row }), fileName: 'crm.csv' });
		const { error } = await run(fileImportParams(), { inputItems });
		expect(error.message).toBe(
			'The file "crm.csv" in item 0 cannot be imported: row 1900: email_status "blocked" is not a status an import can set (new, active, inactive, unsubscribed); row 1950: email_status "sleeping" is not a status an import can set (new, active, inactive, unsubscribed)',
		);
		expect(error.description).toMatch(/Nothing was sent to Selzy/);
		expect(importCalls(env.sb)).toHaveLength(0);
	});

	test('Each Contact: one item per row with its row number, paired with the item that held the file', async () => {
		const row = (i) => [i === 1 ? 'postmaster@shop.example' : `file${i}@shop.example`, '', '', ''];
		const inputItems = await fileItems({ bytes: contactsCsv(3, { row }) });
		const { output } = await run(fileImportParams({ output: 'rows' }), { inputItems });
		expect(jsonOf(output[0])).toEqual([
			{ contact: 'file0@shop.example', result: 'inserted', batch: 1, row: 1 },
			{ contact: 'postmaster@shop.example', result: 'refused', code: 'role_address', message: expect.any(String), batch: 1, row: 2 },
			{ contact: 'file2@shop.example', result: 'inserted', batch: 1, row: 3 },
		]);
		expect(output[0].every((item) => item.pairedItem.item === 0)).toBe(true);
	});

	test('gzip with semicolons and CRLF, a Windows-1251 file, and a file kept in the item: read as reports are', async () => {
		const { sb } = env;
		const gzipped = zlib.gzipSync(contactsCsv(3, { delimiter: ';', eol: '\r\n' }));
		const cp1251 = Buffer.from(byteString(contactsCsv(2, { row: (i) => [`win${i}@shop.example`, 'Пётр', 'active', ''] }), TEXT_STYLES['csv-cp1251']), 'latin1');
		const inputItems = await fileItems({ bytes: gzipped, fileName: 'contacts.csv.gz', mimeType: 'application/gzip' }, { bytes: cp1251 });
		inputItems.push({ json: {}, binary: { data: { data: Buffer.from('phone\n+79001112233\n').toString('base64'), mimeType: 'text/csv', fileName: 'phones.csv' } } });
		const { output, error } = await run(fileImportParams(), { inputItems });
		expect(error).toBeUndefined();
		expect(jsonOf(output[0]).map((summary) => summary.inserted)).toEqual([3, 2, 1]);
		expect(output[0].map((item) => item.pairedItem)).toEqual([[{ item: 0 }], [{ item: 1 }], [{ item: 2 }]]);
		expect(importBodies(env)[0].rows[2]).toEqual(['file2@shop.example', 'Имя 2', 'active']);
		expect(sb.contact({ email: 'win1@shop.example' }).Имя).toBe('Пётр');
		expect(sb.contact({ phone: '+79001112233' })).not.toBeNull();
	});

	test('a file Selzy cannot take is refused by name before sending: no email or phone column, a row wider than the header', async () => {
		const noContact = await fileItems({ bytes: 'name,city\nAnn,Riga\n', fileName: 'people.csv' });
		const first = await run(fileImportParams(), { inputItems: noContact });
		expect(first.error.message).toMatch(/^The file "people.csv" in item 0 cannot be imported: Map the column "email" or "phone"/);
		const wide = await fileItems({ bytes: 'email\na@shop.example\nb@shop.example,extra\n' });
		const second = await run(fileImportParams(), { inputItems: wide });
		expect(second.error.message).toMatch(/row 2 has 2 values, but the header names 1 columns/);
		const empty = await fileItems({ bytes: '' });
		const third = await run(fileImportParams(), { inputItems: empty });
		expect(third.error.message).toMatch(/is empty: it has no header row/);
		expect(importCalls(env.sb)).toHaveLength(0);
	});

	test('with Continue On Fail a file that cannot be imported is an error item; the next file is imported', async () => {
		const inputItems = await fileItems({ bytes: 'name\nAnn\n', fileName: 'bad.csv' }, { bytes: contactsCsv(2) });
		const { status, output } = await run(fileImportParams(), { inputItems, continueOnFail: true });
		expect(status).toBe('success');
		expect(jsonOf(output[0])[0]).toEqual({ error: expect.stringMatching(/^The file "bad.csv" in item 0 cannot be imported/) });
		expect(jsonOf(output[0])[1]).toMatchObject({ total: 2, inserted: 2 });
	});

	test('a file of 60,000 rows is sent in 120 batches and its results kept in file order', async () => {
		const inputItems = await fileItems({ bytes: contactsCsv(60_000) });
		const { output, error } = await run(fileImportParams({ output: 'rows', options: { parallelBatches: 6 } }), { inputItems });
		expect(error).toBeUndefined();
		expect(importCalls(env.sb)).toHaveLength(120);
		const rows = jsonOf(output[0]);
		expect(rows).toHaveLength(60_000);
		expect(rows.every((row, index) => row.row === index + 1 && row.contact === `file${index}@shop.example`)).toBe(true);
	});
});
