'use strict';
// No column is lost to JavaScript's object model, and Neutralize Formulas keeps spreadsheets
// from running report values as formulas while phone numbers and numbers stay intact.
const { createRowShaper, shapeRowBatches } = require('../../../nodes/Selzy/report/rows');
const { sampleRowBatches } = require('../../../nodes/Selzy/report/sampleRows');
const { shapeFileRowBatches } = require('../../../nodes/Selzy/report/fileRows');
const { deepCopy } = require('n8n-workflow');
const { recordBatchesFromReport } = require('../../../nodes/Selzy/report/pipeline');
const { createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { summarizeRecordBatches } = require('../../../nodes/Selzy/report/summary');
const { neutralizeFormula } = require('../../../nodes/Selzy/report/formulas');
const { collect } = require('./support');

async function rowsOf(text, options = {}) {
	const batches = recordBatchesFromReport([new TextEncoder().encode(text)], {}, createReportMeta());
	return (await collect(shapeRowBatches(batches, options))).flat();
}

describe('columns n8n would drop keep their values under a stable name', () => {
	// n8n copies every item with deepCopy, which leaves out `__proto__`, `constructor` and `prototype`.
	test('__proto__, constructor and prototype become <name>_column, in column order, as own fields', async () => {
		const [row] = await rowsOf('email,send_result,__proto__,constructor,prototype,note\na@b.c,ok_read,p,c,t,n\n');
		expect(Object.keys(row.fields)).toEqual(['__proto___column', 'constructor_column', 'prototype_column', 'note']);
		expect(row.fields).toEqual({ __proto___column: 'p', constructor_column: 'c', prototype_column: 't', note: 'n' });
		expect(Object.getPrototypeOf(row.fields)).toBe(Object.prototype);
	});

	test('the same from a JSON report and from a field named constructor by getFields', async () => {
		const json = JSON.stringify({ result: { fields: ['email', 'send_result', '__proto__', 'n'], data: [['a@b.c', 'ok_read', 'p', 'x']] } });
		const [fromJson] = await rowsOf(json);
		expect(fromJson.fields).toEqual({ __proto___column: 'p', n: 'x' });
		const [fromFieldName] = await rowsOf('email,send_result,7\na@b.c,ok_read,x\n', { fieldNamesById: { 7: 'constructor' } });
		expect(fromFieldName.fields).toEqual({ constructor_column: 'x' });
	});

	test('a column already named constructor_column keeps its name; the renamed one gets _2', async () => {
		const [row] = await rowsOf('email,send_result,constructor_column,constructor\na@b.c,ok_read,first,second\n');
		expect(row.fields).toEqual({ constructor_column: 'first', constructor_column_2: 'second' });
	});

	test('only the exact names are renamed', async () => {
		const [row] = await rowsOf('email,send_result,Constructor,proto,__proto\na@b.c,ok_read,1,2,3\n');
		expect(Object.keys(row.fields)).toEqual(['Constructor', 'proto', '__proto']);
	});

	test('every value survives n8n copying the items (deepCopy), as rows as in the file and enriched rows', async () => {
		const text = 'email,send_result,__proto__,constructor,prototype\na@b.c,ok_read,p,c,t\n';
		const batches = () => recordBatchesFromReport([new TextEncoder().encode(text)], {}, createReportMeta());
		const [enriched] = (await collect(shapeRowBatches(batches()))).flat();
		const [asInFile] = (await collect(shapeFileRowBatches(batches()))).flat();
		for (const row of [enriched.fields, asInFile]) {
			const values = Object.values(row);
			expect(Object.values(deepCopy(row))).toEqual(values);
			expect(values).toEqual(expect.arrayContaining(['p', 'c', 't']));
		}
	});

	test('tool answers (the first rows of a report) use the same names', async () => {
		const batches = recordBatchesFromReport([new TextEncoder().encode('email,send_result,prototype\na@b.c,ok_read,p\n')], {}, createReportMeta());
		const { rows } = await sampleRowBatches(batches, { keep: 5 });
		expect(rows[0].fields).toEqual({ prototype_column: 'p' });
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
