'use strict';
// No column is lost to JavaScript's object model, and Neutralize Formulas keeps spreadsheets
// from running report values as formulas while phone numbers and numbers stay intact.
const { createRowShaper, shapeRowBatches } = require('../../../nodes/Selzy/report/rows');
const { recordBatchesFromReport } = require('../../../nodes/Selzy/report/pipeline');
const { createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { summarizeRecordBatches } = require('../../../nodes/Selzy/report/summary');
const { neutralizeFormula } = require('../../../nodes/Selzy/report/formulas');
const { collect } = require('./support');

async function rowsOf(text, options = {}) {
	const batches = recordBatchesFromReport([new TextEncoder().encode(text)], {}, createReportMeta());
	return (await collect(shapeRowBatches(batches, options))).flat();
}

describe('columns named like JavaScript internals are kept', () => {
	test('a CSV column named __proto__ keeps its values, in column order, as an own field', async () => {
		const [row] = await rowsOf('email,send_result,__proto__,constructor,note\na@b.c,ok_read,p,c,n\n');
		expect(Object.keys(row.fields)).toEqual(['__proto__', 'constructor', 'note']);
		expect(Object.getOwnPropertyDescriptor(row.fields, '__proto__')).toMatchObject({ value: 'p', enumerable: true, writable: true });
		expect(row.fields.constructor).toBe('c');
		expect(Object.getPrototypeOf(row.fields)).toBe(Object.prototype);
		expect(JSON.parse(JSON.stringify(row.fields))).toEqual(JSON.parse('{"__proto__":"p","constructor":"c","note":"n"}'));
	});

	test('the same from a JSON report and from a field id named __proto__ by getFields', async () => {
		const json = JSON.stringify({ result: { fields: ['email', 'send_result', '__proto__', 'n'], data: [['a@b.c', 'ok_read', 'p', 'x']] } });
		const [fromJson] = await rowsOf(json);
		expect(fromJson.fields).toEqual(JSON.parse('{"__proto__":"p","n":"x"}'));
		const [fromFieldName] = await rowsOf('email,send_result,7\na@b.c,ok_read,x\n', { fieldNamesById: { 7: '__proto__' } });
		expect(Object.keys(fromFieldName.fields)).toEqual(['__proto__']);
		expect(fromFieldName.fields).toEqual(JSON.parse('{"__proto__":"x"}'));
	});

	test('a summary counts up to 1,000 different send_result values and refuses more', async () => {
		const codes = (n) => 'email,send_result\n' + Array.from({ length: n }, (_, k) => `a${k},code_${k}`).join('\n');
		const summarize = (text) => summarizeRecordBatches(recordBatchesFromReport([new TextEncoder().encode(text)], {}, createReportMeta()));
		expect(Object.keys((await summarize(codes(1000))).bySendResult)).toHaveLength(1000);
		await expect(summarize(codes(1001))).rejects.toThrow('The report has more than 1,000 different send_result values');
	});

	test('a send_result of __proto__ is counted in the summary', async () => {
		const batches = recordBatchesFromReport([new TextEncoder().encode('email,send_result\na,__proto__\nb,ok_read\n')], {}, createReportMeta());
		const summary = await summarizeRecordBatches(batches);
		expect(Object.keys(summary.bySendResult)).toEqual(['__proto__', 'ok_read']);
		expect(summary.total).toBe(2);
	});
});

describe('Neutralize Formulas', () => {
	test.each([
		['=HYPERLINK("http://x","y")', "'=HYPERLINK(\"http://x\",\"y\")"],
		['=1+1', "'=1+1"],
		['@SUM(A1)', "'@SUM(A1)"],
		['\t=1', "'\t=1"],
		['\r=1', "'\r=1"],
		['+cmd|\' /C calc\'!A0', "'+cmd|' /C calc'!A0"],
		['-2+3+cmd|x', "'-2+3+cmd|x"],
		['-1+A1', "'-1+A1"],
		['+1e5', "'+1e5"],
		['-', '-'],
		['+', '+'],
		['+79121234567', '+79121234567'],
		['+7 912 123-45-67', '+7 912 123-45-67'],
		['+7 (912) 123-45-67', '+7 (912) 123-45-67'],
		['+1.800.555.0199', '+1.800.555.0199'],
		['-42', '-42'],
		['-3.5', '-3.5'],
		['-1,5', '-1,5'],
		[' =1', ' =1'],
		['a=1', 'a=1'],
		['', ''],
		['user@example.com', 'user@example.com'],
		["'=1", "'=1"],
	])('%j becomes %j', (value, expected) => {
		expect(neutralizeFormula(value)).toBe(expected);
	});

	const header = ['email', 'send_result', 'last_update', '=note', 'phone2', '@x'];
	const record = ['=evil@example.com', '=cmd', '=2026', '=HYPERLINK("x")', '+7 912 000-00-00', '-5'];

	test('off by default: values pass unchanged', () => {
		const row = createRowShaper(header)(record);
		expect(row).toMatchObject({ email: '=evil@example.com', send_result: '=cmd', last_update: '=2026' });
		expect(row.fields).toEqual({ '=note': '=HYPERLINK("x")', phone2: '+7 912 000-00-00', '@x': '-5' });
	});

	test('on: every value and field name, the contact and send_result included, is neutralised; statuses are not', () => {
		const row = createRowShaper(header, { neutralizeFormulas: true })(record);
		expect(row).toEqual({
			email: "'=evil@example.com",
			send_result: "'=cmd",
			status: 'Unrecognised status =cmd',
			status_group: 'pending',
			last_update: "'=2026",
			fields: { "'=note": '\'=HYPERLINK("x")', phone2: '+7 912 000-00-00', "'@x": '-5' },
		});
	});

	test('a neutralised name never collides with an existing one', () => {
		const row = createRowShaper(['email', 'send_result', "'=a", '=a'], { neutralizeFormulas: true })(['a', 'ok_read', '1', '2']);
		expect(row.fields).toEqual({ "'=a": '1', "'=a_2": '2' });
	});

	test('phone reports keep their numbers and ISO times stay as they are', async () => {
		const rows = await rowsOf('phone,status,last_update\n+79121234567,ok_delivered,2026-05-01 10:00:00\n', { neutralizeFormulas: true });
		expect(rows).toEqual([expect.objectContaining({ phone: '+79121234567', last_update: '2026-05-01T10:00:00Z' })]);
	});
});
