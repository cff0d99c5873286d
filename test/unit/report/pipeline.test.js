'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { recordsFromReport, recordBatchesFromReport } = require('../../../nodes/Selzy/report/pipeline');
const { createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { shapeRows } = require('../../../nodes/Selzy/report/rows');
const { summarizeRecordBatches } = require('../../../nodes/Selzy/report/summary');
const { ReportFormatError } = require('../../../nodes/Selzy/report/errors');
const { split, source, collect, makeZip } = require('./support');

const fixture = (name) => new Uint8Array(fs.readFileSync(path.join(__dirname, 'fixtures', name)));
const TEXT = fs.readFileSync(path.join(__dirname, 'fixtures', 'report.csv'), 'utf8');
const RECORDS = [
	['email', 'send_result', 'last_update', '1', '2'],
	['anna@example.com', 'ok_read', '2026-05-01 10:20:30', 'Анна', 'Москва, "центр"'],
	['bob@example.org', 'err_user_unknown', '2026-05-01 10:21:00', 'Bob', '007'],
	['ivan@example.ru', 'ok_link_visited', '2026-05-02 23:59:59', 'Иван Петров', 'многострочный\nкомментарий'],
	['olga@example.ru', 'ok_sent', '', '  Ольга  ', ''],
	['max@example.de', 'err_mailbox_full', '2026-04-30 00:00:01', 'Max', 'Berlin;Mitte'],
	['kate@example.com', 'ok_spam_folder', '2026-05-03 12:00:00', 'Kate "K"', ''],
];

const utf8 = (text) => new TextEncoder().encode(text);
const csvWith = (delimiter, lineEnd) =>
	RECORDS.map((record) => record.map((value) => (/[",;\t\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)).join(delimiter)).join(lineEnd) + lineEnd;
const asJson = (records) => JSON.stringify({ result: { fields: records[0], data: records.slice(1) } });

const FORMATS = {
	'CSV file (CRLF, comma)': fixture('report.csv'),
	'CSV in Windows-1251': fixture('report-cp1251.csv'),
	'gzip': fixture('report.csv.gz'),
	'zip (Info-ZIP, streamed)': fixture('report-stream.zip'),
	'zip with data descriptor': fixture('report-pipe.zip'),
	'zip (Python)': fixture('report-python.zip'),
	'CSV with semicolons and LF': utf8(csvWith(';', '\n')),
	'CSV with tabs': utf8(csvWith('\t', '\r\n')),
	'CSV with a byte order mark': utf8('\uFEFF' + TEXT),
	'JSON': utf8(asJson(RECORDS)),
	'JSON, indented, gzip': new Uint8Array(zlib.gzipSync(JSON.stringify(JSON.parse(asJson(RECORDS)), null, 2))),
	'JSON in a zip with data descriptor': makeZip([{ name: 'report.json', data: asJson(RECORDS) }], { dataDescriptor: true }),
};

async function read(bytes, chunkSize) {
	const meta = createReportMeta();
	const records = await collect(recordsFromReport(source(split(bytes, chunkSize)), {}, meta));
	return { records, meta };
}

describe('every form of the report gives the same records', () => {
	test.each(Object.keys(FORMATS))('%s', async (name) => {
		for (const chunkSize of [1, 5, 65_536]) {
			const { records, meta } = await read(FORMATS[name], chunkSize);
			expect(records).toEqual(RECORDS);
			expect(meta.format).toBe(name.includes('JSON') ? 'json' : 'csv');
		}
	});

	test('metadata tells how the file was read', async () => {
		expect((await read(FORMATS['CSV with semicolons and LF'], 7)).meta).toEqual({ compression: 'none', encoding: 'utf-8', format: 'csv', delimiter: ';', bytesRead: FORMATS['CSV with semicolons and LF'].length });
		const cp1251 = (await read(FORMATS['CSV in Windows-1251'], 7)).meta;
		expect(cp1251).toMatchObject({ encoding: 'windows-1251', delimiter: ',' });
		expect(cp1251.encodingNote).toMatch(/Windows-1251/);
		expect((await read(FORMATS['zip with data descriptor'], 7)).meta).toMatchObject({ compression: 'zip', entryName: '-' });
	});

	test('an empty or blank file has no records; a header-only file has just the header', async () => {
		expect((await read(new Uint8Array(0), 1)).records).toEqual([]);
		expect((await read(utf8(' \r\n\n'), 1)).records).toEqual([]);
		expect((await read(utf8('email,send_result\r\n'), 1)).records).toEqual([['email', 'send_result']]);
	});
});

describe('from download to rows and summary', () => {
	test('rows from a gzip report, selected by group', async () => {
		const records = recordsFromReport(source(split(FORMATS.gzip, 64)), {}, createReportMeta());
		const rows = await collect(shapeRows(records, { groups: ['hard_bounce', 'soft_bounce'], fieldNamesById: { 1: 'Name', 2: 'Note' } }));
		expect(rows).toEqual([
			{ email: 'bob@example.org', send_result: 'err_user_unknown', status: 'Mailbox does not exist', status_group: 'hard_bounce', last_update: '2026-05-01T10:21:00Z', fields: { Name: 'Bob', Note: '007' } },
			{ email: 'max@example.de', send_result: 'err_mailbox_full', status: 'Mailbox is full', status_group: 'soft_bounce', last_update: '2026-04-30T00:00:01Z', fields: { Name: 'Max', Note: 'Berlin;Mitte' } },
		]);
	});

	test('a summary from a zip report', async () => {
		const summary = await summarizeRecordBatches(recordBatchesFromReport(source(split(FORMATS['zip with data descriptor'], 100)), {}, createReportMeta()));
		expect(summary.total).toBe(6);
		expect(summary.byGroup).toMatchObject({ opened: 1, clicked: 1, hard_bounce: 1, soft_bounce: 1, spam: 1, pending: 1 });
	});

	test('a file that is not a delivery report is a clear error', async () => {
		const records = recordsFromReport(source([utf8('<html><body>Not found</body></html>\n')]), {}, createReportMeta());
		await expect(collect(shapeRows(records))).rejects.toThrow(ReportFormatError);
	});

	test('stopping early closes the download', async () => {
		const lines = Array.from({ length: 200_000 }, (_, i) => `user${(i * 7919) % 1_000_003}@example.com,ok_read`);
		const big = zlib.gzipSync(Buffer.from('email,send_result\n' + lines.join('\n')));
		expect(big.length / 4096).toBeGreaterThan(100);
		const input = source(split(new Uint8Array(big), 4096));
		const rows = await collect(shapeRows(recordsFromReport(input, {}, createReportMeta()), { limit: 3 }));
		expect(rows).toHaveLength(3);
		expect(input.stats.closed).toBe(true);
		expect(input.stats.pulled).toBeLessThan(20);
	});
});
