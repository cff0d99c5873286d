'use strict';

const { sampleRowBatches } = require('../../../nodes/Selzy/report/sampleRows');

const HEADER = ['email', 'send_result', 'last_update'];
const CODES = ['ok_delivered', 'err_user_unknown', 'ok_read', 'err_mailbox_full'];

/** A report of `rows` records in batches of 1,000, generated as it is read; counts the row objects built. */
function* reportBatches(rows) {
	yield [HEADER];
	for (let start = 0; start < rows; start += 1000) {
		const batch = [];
		for (let i = start; i < Math.min(rows, start + 1000); i++) batch.push([`r${i}@example.com`, CODES[i % 4], '2026-05-01 10:00:00']);
		yield batch;
	}
}

async function* asAsync(iterable) {
	for (const batch of iterable) yield batch;
}

describe('a sample of report rows with a count of all', () => {
	test('keeps the first rows and counts every selected one', async () => {
		const sample = await sampleRowBatches(asAsync(reportBatches(2500)), { keep: 3, groups: ['hard_bounce'] });
		expect(sample.total).toBe(625);
		expect(sample.rows.map((row) => row.email)).toEqual(['r1@example.com', 'r5@example.com', 'r9@example.com']);
		expect(sample.rows[0]).toMatchObject({ send_result: 'err_user_unknown', status_group: 'hard_bounce', last_update: '2026-05-01T10:00:00Z' });
	});

	test('fewer rows than asked for: all of them', async () => {
		const sample = await sampleRowBatches(asAsync(reportBatches(7)), { keep: 100 });
		expect(sample.total).toBe(7);
		expect(sample.rows).toHaveLength(7);
	});

	test('a header only, or nothing at all, is an empty sample', async () => {
		expect(await sampleRowBatches(asAsync([[HEADER]]), { keep: 5 })).toEqual({ rows: [], total: 0 });
		expect(await sampleRowBatches(asAsync([]), { keep: 5 })).toEqual({ rows: [], total: 0 });
	});

	test('a million rows: memory holds the sample, not the report', async () => {
		const before = process.memoryUsage().heapUsed;
		const sample = await sampleRowBatches(asAsync(reportBatches(1_000_000)), { keep: 100 });
		expect(sample.total).toBe(1_000_000);
		expect(sample.rows).toHaveLength(100);
		expect((process.memoryUsage().heapUsed - before) / 1024 / 1024).toBeLessThan(100);
	});
});
