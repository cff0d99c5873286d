'use strict';

const { execFileSync } = require('child_process');
const path = require('path');
const {
	createRowShaper,
	createRowFilter,
	shapeRows,
	shapeRowBatches,
	toIsoUtc,
} = require('../../../nodes/Selzy/report/rows');
const { ReportFormatError } = require('../../../nodes/Selzy/report/errors');
const { source, collect } = require('./support');

const HEADER = ['email', 'send_result', 'last_update', '1', '2', 'Comment'];

describe('shaping report rows', () => {
	test('a record becomes a row with readable status, group, ISO time and named fields', () => {
		const shape = createRowShaper(HEADER, { fieldNamesById: { 1: 'Name', 2: 'City' } });
		expect(shape(['anna@example.com', 'err_user_unknown', '2026-05-01 10:20:30', '007', ' Москва ', ''])).toEqual({
			email: 'anna@example.com',
			send_result: 'err_user_unknown',
			status: 'Mailbox does not exist',
			status_group: 'hard_bounce',
			last_update: '2026-05-01T10:20:30Z',
			fields: { Name: '007', City: ' Москва ', Comment: '' },
		});
	});

	test('field ids without a known name stay as the id', () => {
		const shape = createRowShaper(HEADER, { fieldNamesById: { 1: 'Name' } });
		expect(shape(['a', 'ok_read', '', 'x', 'y', 'z']).fields).toEqual({ Name: 'x', 2: 'y', Comment: 'z' });
	});

	test('two columns that would get the same key both survive', () => {
		const shape = createRowShaper(['email', 'send_result', '1', 'Name'], { fieldNamesById: { 1: 'Name' } });
		expect(shape(['a', 'ok_read', 'by id', 'by header']).fields).toEqual({ Name: 'by id', 'Name_2': 'by header' });
	});

	test('header names match regardless of case, spaces and a byte order mark', () => {
		const shape = createRowShaper(['\uFEFFEmail', ' SEND_RESULT ', 'Last_Update'], {});
		expect(shape(['a@b.c', 'ok_read', '2026-01-02 03:04:05'])).toMatchObject({
			email: 'a@b.c',
			send_result: 'ok_read',
			last_update: '2026-01-02T03:04:05Z',
			fields: {},
		});
	});

	test('SMS reports: phone and a status column named "status"', () => {
		const shape = createRowShaper(['phone', 'status'], {});
		const row = shape(['+15550100', 'ok_delivered']);
		expect(row).toEqual({ phone: '+15550100', send_result: 'ok_delivered', status: 'Delivered', status_group: 'delivered', last_update: null, fields: {} });
		expect(row).not.toHaveProperty('email');
	});

	test('short records get empty values; extra cells are ignored', () => {
		const shape = createRowShaper(HEADER, {});
		expect(shape(['a@b.c', 'ok_read'])).toMatchObject({ last_update: null, fields: { 1: '', 2: '', Comment: '' } });
		expect(Object.keys(shape([...Array(9).keys()].map(String)).fields)).toEqual(['1', '2', 'Comment']);
	});

	test('a header without the required columns is a clear error listing what it saw', () => {
		expect(() => createRowShaper(['mail', 'result'], {})).toThrow(ReportFormatError);
		expect(() => createRowShaper(['mail', 'result'], {})).toThrow('The report has no email (or phone) and send_result column; its header is: "mail", "result"');
		expect(() => createRowShaper(['email', 'x'], {})).toThrow(/no send_result column/);
	});
});

describe('last_update', () => {
	test('becomes ISO 8601 UTC; empty and zero dates become null; anything else is kept as written', () => {
		expect(toIsoUtc('2026-05-01 10:20:30')).toBe('2026-05-01T10:20:30Z');
		expect(toIsoUtc('2024-02-29 23:59:59')).toBe('2024-02-29T23:59:59Z');
		expect(toIsoUtc('2026-05-01T10:20:30Z')).toBe('2026-05-01T10:20:30Z');
		expect(toIsoUtc('')).toBeNull();
		expect(toIsoUtc('0000-00-00 00:00:00')).toBeNull();
		for (const odd of ['2025-02-29 10:00:00', '2026-13-01 00:00:00', '2026-05-01 24:00:00', '2026-05-01', '01.05.2026 10:20', 'soon', '2026-05-01 10:20:30.123']) {
			expect(toIsoUtc(odd)).toBe(odd);
		}
	});

	test('the result is the same in every time zone the process might run in', () => {
		const rowsFile = path.join(__dirname, '../../../nodes/Selzy/report/rows.ts');
		const script = `
			const { toIsoUtc } = require(${JSON.stringify(rowsFile)});
			const local = new Date(2026, 2, 29, 2, 30).getTimezoneOffset();
			process.stdout.write(JSON.stringify({ local, values: ['2026-03-29 02:30:00', '2026-10-25 01:30:00', '2026-05-01 23:59:59'].map(toIsoUtc) }));
		`;
		const results = ['UTC', 'Asia/Tokyo', 'America/Los_Angeles', 'Europe/Moscow', 'Pacific/Chatham'].map((TZ) =>
			JSON.parse(execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { env: { ...process.env, TZ }, encoding: 'utf8' })),
		);
		expect(new Set(results.map((result) => result.local)).size).toBe(5); // the zones really differ
		for (const result of results) {
			expect(result.values).toEqual(['2026-03-29T02:30:00Z', '2026-10-25T01:30:00Z', '2026-05-01T23:59:59Z']);
		}
	});
});

describe('selecting rows', () => {
	test('by status group or by exact send_result (either matches)', () => {
		const keep = createRowFilter({ groups: ['hard_bounce'], sendResults: ['ERR_MAILBOX_FULL '] });
		expect(['err_user_unknown', 'err_mailbox_full', 'err_will_retry', 'ok_read'].map(keep)).toEqual([true, true, false, false]);
		expect(createRowFilter({})('anything')).toBe(true);
	});

	const report = (rows) => [
		['email', 'send_result'],
		...Array.from({ length: rows }, (_, i) => [`u${i}@example.com`, i % 10 === 9 ? 'err_user_unknown' : 'ok_read']),
	];

	test('filter + limit stop reading as soon as enough rows are found', async () => {
		const input = source(report(10_000));
		const rows = await collect(shapeRows(input, { groups: ['hard_bounce'], limit: 5 }));
		expect(rows.map((row) => row.email)).toEqual(['u9@example.com', 'u19@example.com', 'u29@example.com', 'u39@example.com', 'u49@example.com']);
		expect(input.stats.pulled).toBe(1 + 50); // header + the first 50 records
		expect(input.stats.closed).toBe(true);
	});

	test('the batch form stops after the batch that reached the limit', async () => {
		const records = report(10_000);
		const batches = [];
		for (let at = 0; at < records.length; at += 100) batches.push(records.slice(at, at + 100));
		const input = source(batches);
		const out = await collect(shapeRowBatches(input, { sendResults: ['err_user_unknown'], limit: 15 }));
		expect(out.flat()).toHaveLength(15);
		expect(input.stats.pulled).toBe(2);
		expect(input.stats.closed).toBe(true);
	});

	test('without a limit every selected row comes through; limit 0 reads nothing', async () => {
		expect(await collect(shapeRows(source(report(1000)), { groups: ['opened'] }))).toHaveLength(900);
		const input = source(report(10));
		expect(await collect(shapeRows(input, { limit: 0 }))).toEqual([]);
		expect(input.stats.pulled).toBe(0);
	});
});
