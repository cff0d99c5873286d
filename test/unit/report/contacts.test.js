'use strict';
// The pure core for contact exports and "as in the file" rows: own columns, unchanged values, counts per status.

const { summarizeContactBatches, countRecordBatches, MAX_STATUS_VALUES } = require('../../../nodes/Selzy/report/contacts');
const { shapeFileRowBatches, fileColumnKeys, createFileRowCompactor } = require('../../../nodes/Selzy/report/fileRows');
const { ReportFormatError, ReportLimitError } = require('../../../nodes/Selzy/report/errors');

async function* batchesOf(...batches) {
	for (const batch of batches) yield batch;
}
async function rowsOf(batches, options) {
	const rows = [];
	for await (const batch of shapeFileRowBatches(batches, options)) rows.push(...batch);
	return rows;
}

describe('contact export summary', () => {
	test('counts contacts per email status and phone status, empty cells as (none), most frequent first', async () => {
		const summary = await summarizeContactBatches(
			batchesOf(
				[['\uFEFFEmail ', 'Email_Status', 'phone', 'phone_status'], ['a@x', 'active', '', '']],
				[['b@x', 'unsubscribed', '+7 900', 'active'], ['c@x', 'active', '+7 901', 'active']],
			),
		);
		expect(summary).toEqual({ total: 3, withEmail: 3, withPhone: 2, byEmailStatus: { active: 2, unsubscribed: 1 }, byPhoneStatus: { active: 2, '(none)': 1 } });
		expect(Object.keys(summary.byPhoneStatus)).toEqual(['active', '(none)']);
	});

	test('a file without status columns is counted, with no counts it cannot know', async () => {
		const summary = await summarizeContactBatches(batchesOf([['email', 'Город'], ['a@x', 'Москва'], ['', 'Київ']]));
		expect(summary).toEqual({ total: 2, withEmail: 1 });
		expect(await countRecordBatches(batchesOf([['a', 'b'], ['1', '2']], [['3', '4']]))).toEqual({ total: 2 });
		expect(await countRecordBatches(batchesOf())).toEqual({ total: 0 });
	});

	test('a status column with too many different values is not a status column', async () => {
		const records = [['email_status']];
		for (let i = 0; i <= MAX_STATUS_VALUES; i++) records.push([`s${i}`]);
		await expect(summarizeContactBatches(batchesOf(records))).rejects.toThrow(ReportFormatError);
	});
});

describe('rows as in the file', () => {
	test('keys are the file’s own column names; values stay exactly as written', async () => {
		const rows = await rowsOf(batchesOf([['\uFEFF email', 'send_result', '101', ''], ['a@x', 'ok_read', '007', ' x ']], [['b@x']]));
		expect(rows).toEqual([
			{ email: 'a@x', send_result: 'ok_read', 101: '007', column_4: ' x ' },
			{ email: 'b@x', send_result: '', 101: '', column_4: '' },
		]);
	});

	test('repeated names are kept apart; names n8n would drop become <name>_column', async () => {
		expect(fileColumnKeys(['tags', 'tags', 'tags_2'])).toEqual(['tags', 'tags_2', 'tags_2_2']);
		expect(fileColumnKeys(['__proto__', 'constructor', 'prototype', 'constructor_column'])).toEqual([
			'__proto___column',
			'constructor_column',
			'prototype_column',
			'constructor_column_2',
		]);
		const [row] = await rowsOf(batchesOf([['__proto__', 'constructor', 'x'], ['polluted', 'c', '1']]));
		expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
		expect(createFileRowCompactor()(row)).toBe(row);
		expect(row).toEqual({ __proto___column: 'polluted', constructor_column: 'c', x: '1' });
	});

	test('a selection and Max Rows apply while reading; the safety limit fails before building a row', async () => {
		const header = ['email', 'send_result'];
		const selectFor = (head) => (record) => record[head.indexOf('send_result')] === 'err_user_unknown';
		const data = [header, ['a', 'ok_read'], ['b', 'err_user_unknown'], ['c', 'err_user_unknown'], ['d', 'err_user_unknown']];
		expect(await rowsOf(batchesOf(data), { selectFor, limit: 2 })).toEqual([
			{ email: 'b', send_result: 'err_user_unknown' },
			{ email: 'c', send_result: 'err_user_unknown' },
		]);
		await expect(rowsOf(batchesOf(data), { maxRowsHeld: 3 })).rejects.toThrow(ReportLimitError);
	});

	test('formula neutralisation covers names and values', async () => {
		const rows = await rowsOf(batchesOf([['=cmd', 'phone'], ['=HYPERLINK("x")', '+7 912 123-45-67']]), { neutralizeFormulas: true });
		expect(rows).toEqual([{ "'=cmd": '\'=HYPERLINK("x")', phone: '+7 912 123-45-67' }]);
	});

	test('the compactor shares repeated values and keeps every value equal', async () => {
		const compact = createFileRowCompactor();
		const long = 'a-long-email-address@example.com';
		const a = compact({ email: long.slice(0), status: 'active' });
		const b = compact({ email: long, status: 'active' });
		expect(a).toEqual({ email: long, status: 'active' });
		expect(b).toEqual({ email: long, status: 'active' });
	});
});
