'use strict';

const { createJsonReportParser, parseJsonReport } = require('../../../nodes/Selzy/report/json');
const { ReportFormatError } = require('../../../nodes/Selzy/report/errors');
const { seededRandom, split, source, collect } = require('./support');

function parseChunks(chunks) {
	const parser = createJsonReportParser();
	const records = [];
	for (const chunk of chunks) records.push(...parser.push(chunk));
	records.push(...parser.end());
	return records;
}

const REPORT = {
	result: {
		fields: ['email', 'send_result', 'last_update', '5'],
		data: [
			['anna@example.com', 'ok_read', '2026-05-01 10:20:30', 'Анна "А"'],
			['bob@example.org', 'err_user_unknown', null, 7],
			['c@example.net', 'ok_sent', '', 'tab\tnew\nline \\ slash \u00e9 😀'],
		],
	},
};
const EXPECTED = [
	['email', 'send_result', 'last_update', '5'],
	['anna@example.com', 'ok_read', '2026-05-01 10:20:30', 'Анна "А"'],
	['bob@example.org', 'err_user_unknown', '', '7'],
	['c@example.net', 'ok_sent', '', 'tab\tnew\nline \\ slash \u00e9 😀'],
];

describe('JSON reports', () => {
	test('the documented {result: {fields, data}} shape gives the header, then the rows', () => {
		expect(parseChunks([JSON.stringify(REPORT)])).toEqual(EXPECTED);
	});

	test('any chunking gives the same records, escapes and surrogate pairs included', () => {
		const text = JSON.stringify(REPORT, null, 2).replace('😀', '\\ud83d\\ude00');
		const random = seededRandom(42);
		for (let n = 0; n < 300; n++) {
			expect(parseChunks(split(text, () => random.int(1, 12)))).toEqual(EXPECTED);
		}
		expect(parseChunks(split(text, 1))).toEqual(EXPECTED);
	});

	test('the shape without the result wrapper, with other keys around it, is accepted', () => {
		const text = JSON.stringify({ warnings: [{ warning: 'x' }], fields: REPORT.result.fields, extra: { a: [1, { b: 2 }] }, data: REPORT.result.data });
		expect(parseChunks([text])).toEqual(EXPECTED);
	});

	test('rows that arrive before the fields are held until the header is known', () => {
		const text = JSON.stringify({ result: { data: REPORT.result.data, fields: REPORT.result.fields } });
		expect(parseChunks(split(text, 5))).toEqual(EXPECTED);
	});

	test('a top-level array of arrays is read with its first array as the header', () => {
		expect(parseChunks([JSON.stringify([REPORT.result.fields, ...REPORT.result.data])])).toEqual(EXPECTED);
	});

	test('numbers are kept exactly as written', () => {
		const text = '{"fields":["email","send_result","n"],"data":[["a","ok_read",7.50e+2],["b","ok_read",-0.10]]}';
		expect(parseChunks(split(text, 3))).toEqual([
			['email', 'send_result', 'n'],
			['a', 'ok_read', '7.50e+2'],
			['b', 'ok_read', '-0.10'],
		]);
		expect(() => parseChunks(['{"fields":["n"],"data":[[007]]}'])).toThrow(ReportFormatError);
	});

	test('a Selzy error object is reported with its message', () => {
		const text = '{"error":"Invalid API key","code":"invalid_api_key"}';
		expect(() => parseChunks([text])).toThrow('Selzy returned an error instead of the report: Invalid API key (invalid_api_key)');
	});

	test('documents that are not reports, or are cut off, are errors', () => {
		expect(() => parseChunks(['{"result":{"task_uuid":"x","status":"processing"}}'])).toThrow(/not a delivery report/);
		expect(() => parseChunks(['{"data":[["a"]]}'])).toThrow(/no "fields"/);
		const full = JSON.stringify(REPORT);
		for (const cut of [1, 20, full.length - 1, full.length - 2]) {
			expect(() => parseChunks([full.slice(0, cut)])).toThrow(ReportFormatError);
		}
		expect(() => parseChunks([full + ' x'])).toThrow(/after the document/);
		expect(() => parseChunks(['{"fields":["a"],"data":[["a",{"x":1}]]}'])).toThrow(/strings, numbers or null/);
		expect(() => parseChunks(['{"fields":["a"],"data":[["a",]]}'])).toThrow(ReportFormatError);
		expect(() => parseChunks(['{"fields":["a"] "data":[]}'])).toThrow(ReportFormatError);
	});

	test('the async iterator yields one record at a time', async () => {
		const records = await collect(parseJsonReport(source(split(JSON.stringify(REPORT), 9))));
		expect(records).toEqual(EXPECTED);
	});
});
