'use strict';
// One huge value must neither stall the parser (each chunk scanned once, never the whole value
// again) nor be held without bound: values up to 1 MiB characters are read, longer ones refused.
const { createCsvParser } = require('../../../nodes/Selzy/report/csv');
const { createJsonReportParser } = require('../../../nodes/Selzy/report/json');
const { recordBatchesFromReport } = require('../../../nodes/Selzy/report/pipeline');
const { createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { ReportFormatError } = require('../../../nodes/Selzy/report/errors');
const { collect } = require('./support');

const MIB = 1024 * 1024;
const LIMIT = MIB;

/**
 * `before`, then `fill` repeated to `total` characters (a multiple of its length) in pieces of
 * `size` (cut anywhere, even inside an escape), then `after`.
 */
function* pieces(before, fill, total, size, after) {
	yield before;
	const run = fill.repeat(Math.ceil(size / fill.length) + 1);
	for (let at = 0; at < total; at += size) {
		const phase = at % fill.length;
		yield run.slice(phase, phase + Math.min(size, total - at));
	}
	yield after;
}

/** The largest multiple of `unit` that is at most `n`. */
const floorTo = (n, unit) => n - (n % unit);

/** Feeds the pieces to `parser`; returns the records, or the error it threw, and the time taken. */
function feed(parser, chunks) {
	const started = Date.now();
	const records = [];
	try {
		for (const chunk of chunks) records.push(...parser.push(chunk));
		records.push(...parser.end());
		return { records, ms: Date.now() - started };
	} catch (error) {
		return { error, ms: Date.now() - started };
	}
}

const csv = () => createCsvParser();
const json = () => createJsonReportParser();

/** [parser, before, fill, after, the long cell as read (undefined when the value is not a cell)] */
const CASES = {
	'an unquoted CSV value': [csv, 'email,send_result,note\na@b.c,ok_sent,', 'x', '\nb@c.d,ok_read,1\n', (n) => 'x'.repeat(n)],
	'a quoted CSV value with doubled quotes': [csv, 'email,send_result,note\na@b.c,ok_sent,"', 'ab""c', '"\nb@c.d,ok_read,1\n', (n) => 'ab"c'.repeat(n / 5)],
	'a CSV value whose CRLF is split across chunks': [csv, 'email,send_result,note\r\na@b.c,ok_sent,', 'xyz\r', '\nb@c.d,ok_read,1\r\n', (n) => 'xyz\r'.repeat(n / 4).slice(0, -1)],
	'a JSON number': [json, '{"fields":["email","send_result","n"],"data":[["a@b.c","ok_sent",1', '2', '],["b@c.d","ok_read",1]]}', (n) => '1' + '2'.repeat(n)],
	'a JSON string with escapes': [json, '{"fields":["email","send_result","n"],"data":[["a@b.c","ok_sent","', 'a\\\\\\"', '"],["b@c.d","ok_read","1"]]}', (n) => 'a\\"'.repeat(n / 5)],
	'an ignored JSON string': [json, '{"comment":"', 'ab', '","fields":["email","send_result","n"],"data":[["b@c.d","ok_read","1"]]}', undefined],
};

/**
 * Refusing a 32 MB value takes 10–300 ms here; the quadratic parser took 45–60 s. The bound leaves
 * room for a busy shared machine without letting a quadratic parser pass.
 */
const FAST_MS = 3000;

describe('a 32 MB value is refused fast, naming the limit', () => {
	for (const [name, [parser, before, fill, after]] of Object.entries(CASES)) {
		test(`${name} in 64 KiB chunks`, () => {
			const total = floorTo(32 * MIB, fill.length);
			const { error, ms } = feed(parser(), pieces(before, fill, total, 64 * 1024, after));
			expect(error).toBeInstanceOf(ReportFormatError);
			expect(error.message).toMatch(/a single value is longer than 1,048,576 characters/);
			expect(error.hint).toMatch(/not a delivery report/);
			expect(ms).toBeLessThan(FAST_MS);
		});
	}

	for (const [name, [parser, before, fill, after]] of Object.entries(CASES)) {
		test(`${name} in one 32 MB chunk`, () => {
			const total = floorTo(32 * MIB, fill.length);
			const { error, ms } = feed(parser(), [before + fill.repeat(total / fill.length) + after]);
			expect(error?.message).toMatch(/a single value is longer than 1,048,576 characters/);
			expect(ms).toBeLessThan(FAST_MS);
		});
	}
});

describe('a value just under the limit is read whole, however finely it is chunked', () => {
	for (const [name, [parser, before, fill, after, cell]] of Object.entries(CASES)) {
		test(`${name} in 16-character chunks`, () => {
			const total = floorTo(LIMIT - 8, fill.length);
			const { records, error, ms } = feed(parser(), pieces(before, fill, total, 16, after));
			expect(error).toBeUndefined();
			expect(records[0].slice(0, 2)).toEqual(['email', 'send_result']);
			expect(records[records.length - 1]).toEqual(['b@c.d', 'ok_read', '1']);
			if (cell) expect(records[1][2] === cell(total)).toBe(true);
			expect(records).toHaveLength(cell ? 3 : 2);
			expect(ms).toBeLessThan(3000);
		});
	}

	test('exactly 1,048,576 characters pass; one more is refused', () => {
		const row = (n) => `email,send_result,note\na@b.c,ok_sent,${'x'.repeat(n)}\n`;
		expect(feed(csv(), [row(LIMIT)]).records[1][2]).toHaveLength(LIMIT);
		expect(feed(csv(), [row(LIMIT + 1)]).error?.message).toMatch(/longer than 1,048,576/);
		const doc = (n) => `[["email","send_result","note"],["a@b.c","ok_sent","${'x'.repeat(n)}"]]`;
		expect(feed(json(), [doc(LIMIT)]).records[1][2]).toHaveLength(LIMIT);
		expect(feed(json(), [doc(LIMIT + 1)]).error?.message).toMatch(/longer than 1,048,576/);
	});
});

describe('the header line and the record width are bounded too', () => {
	test('a CSV whose first 1 MiB holds no complete line is refused quickly', () => {
		const { error, ms } = feed(csv(), pieces('', 'email,', 32 * MIB, 64 * 1024, '\n'));
		expect(error?.message).toMatch(/header line/);
		expect(ms).toBeLessThan(FAST_MS);
	});

	test('a CSV header arriving in 16-character chunks is read in linear time', () => {
		// About 1 MB of header: 9,000 names of 110 characters.
		const header = Array.from({ length: 9_000 }, (_, k) => `f${k}`.padEnd(110, '_')).join(';');
		const { records, ms } = feed(csv(), pieces('email;send_result;', header, header.length, 16, '\na;b\n'));
		expect(records[0]).toHaveLength(9_002);
		expect(records[0][2]).toBe('f0'.padEnd(110, '_'));
		expect(records[1]).toEqual(['a', 'b']);
		expect(ms).toBeLessThan(3000);
	});

	test('a record of more than 10,000 values is refused', () => {
		const { error } = feed(csv(), pieces('email,send_result\na,b,', 'x,', 2 * 20_002, 64 * 1024, '\n'));
		expect(error?.message).toMatch(/more than 10,000 values/);
		const jsonRow = `[["email","send_result"],[${'1,'.repeat(10_001)}1]]`;
		expect(feed(json(), [jsonRow]).error?.message).toMatch(/more than 10,000 values/);
	});
});

describe('through the whole pipeline', () => {
	test('a downloaded CSV with a 32 MB value fails with the value limit, fast', async () => {
		const encoder = new TextEncoder();
		async function* bytes() {
			for (const chunk of pieces('email,send_result,note\na,ok_sent,', 'y', 32 * MIB, 64 * 1024, '\n')) yield encoder.encode(chunk);
		}
		const started = Date.now();
		await expect(collect(recordBatchesFromReport(bytes(), {}, createReportMeta()))).rejects.toThrow(/longer than 1,048,576 characters/);
		expect(Date.now() - started).toBeLessThan(2000);
	});
});
