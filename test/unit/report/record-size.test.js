'use strict';
// One record cannot fill memory: values are capped one by one (1 MiB), and the values of one
// record together are capped by Max Record Size (4 MiB by default), checked as the record grows,
// so a file holding one record as large as the download stops a few megabytes in.
const { createCsvParser } = require('../../../nodes/Selzy/report/csv');
const { createJsonReportParser } = require('../../../nodes/Selzy/report/json');
const { recordBatchesFromReport } = require('../../../nodes/Selzy/report/pipeline');
const { createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { summarizeRecordBatches } = require('../../../nodes/Selzy/report/summary');
const { ReportLimitError } = require('../../../nodes/Selzy/report/errors');
const { DEFAULT_MAX_RECORD_CHARS } = require('../../../nodes/Selzy/report/limits');

const MIB = 1024 * 1024;
const HEADER = 'email,send_result,last_update\n';
const ROW = 'someone@example.com,ok_read,2026-05-01 10:00:00\n';

/**
 * A CSV download of `records` ordinary rows, then one record of `values` values of `valueChars`
 * characters, in 64 KiB text chunks made as they are pulled. `stats` tells how much was pulled
 * and the largest heap seen while it was.
 */
function download({ values, valueChars, quoted = false, rowsBefore = 3 }) {
	const stats = { pulledChars: 0, heapPeak: 0 };
	const value = quoted ? `"${'x'.repeat(valueChars - 3)}"""` : 'x'.repeat(valueChars);
	const record = () => {
		const parts = ['wide@example.com,ok_read'];
		for (let k = 0; k < values; k++) parts.push(value);
		return parts;
	};
	return {
		stats,
		async *[Symbol.asyncIterator]() {
			let text = HEADER + ROW.repeat(rowsBefore);
			const emit = function* (force) {
				while (text.length >= 64 * 1024 || (force && text.length > 0)) {
					const piece = text.slice(0, 64 * 1024);
					text = text.slice(piece.length);
					stats.pulledChars += piece.length;
					stats.heapPeak = Math.max(stats.heapPeak, process.memoryUsage().heapUsed);
					yield Buffer.from(piece);
				}
			};
			for (const part of record()) {
				text += `${part},`;
				yield* emit(false);
			}
			text = text.slice(0, -1) + '\n' + ROW;
			yield* emit(true);
		},
	};
}

async function summarize(bytes, options) {
	const batches = recordBatchesFromReport(bytes, {}, createReportMeta(), options);
	try {
		return { summary: await summarizeRecordBatches(batches) };
	} catch (error) {
		return { error };
	}
}

describe('Max Record Size', () => {
	test('the default is 4 MiB: 60 contact fields filled to the 64 KiB a field holds still pass', async () => {
		expect(DEFAULT_MAX_RECORD_CHARS).toBe(4 * MIB);
		const { summary, error } = await summarize(download({ values: 60, valueChars: 64 * 1024 }));
		expect(error).toBeUndefined();
		expect(summary.total).toBe(5);
	});

	test('a 381 MB record (9,990 values) stops a few megabytes in, naming the record and the option', async () => {
		global.gc?.();
		const heapBefore = process.memoryUsage().heapUsed;
		const bytes = download({ values: 9_990, valueChars: 38_100 });
		const { error } = await summarize(bytes);
		expect(error).toBeInstanceOf(ReportLimitError);
		expect(error.message).toBe('Record 5 of the report (counting the header) is larger than 4 MB (Max Record Size)');
		expect(error.hint).toMatch(/raise the Max Record Size \(MB\) option/);
		expect(bytes.stats.pulledChars).toBeLessThan(6 * MIB);
		const growthMb = (bytes.stats.heapPeak - heapBefore) / MIB;
		console.log(`one 381 MB record, Summary output: stopped after ${(bytes.stats.pulledChars / MIB).toFixed(1)} MB, heap peak +${growthMb.toFixed(0)} MB`);
		expect(growthMb).toBeLessThan(64);
	}, 60_000);

	test('quoted values count the same, also when the record is cut across chunks anywhere', async () => {
		const { error } = await summarize(download({ values: 200, valueChars: 30_000, quoted: true }));
		expect(error).toBeInstanceOf(ReportLimitError);
		expect(error.message).toMatch(/^Record 5 .* \(Max Record Size\)$/);
		const parser = createCsvParser({ maxRecordChars: 100 });
		expect(() => {
			for (const piece of ['a,b\n"', 'x'.repeat(60), '",', '"y', 'y'.repeat(40), '",z\n']) parser.push(piece);
		}).toThrow(/^Record 2 of the report \(counting the header\) is larger than/);
	});

	test('the option sets the bound: 1 MB refuses a 2 MB record the default lets through', async () => {
		const wide = () => download({ values: 40, valueChars: 50_000 });
		expect((await summarize(wide())).summary.total).toBe(5);
		const { error } = await summarize(wide(), { maxRecordChars: MIB });
		expect(error?.message).toMatch(/larger than 1 MB \(Max Record Size\)/);
	});

	test('JSON reports are bounded the same way', () => {
		const parser = createJsonReportParser({ maxRecordChars: MIB });
		parser.push('{"result":{"fields":["email","send_result"],"data":[["a@b.c","ok_read"],');
		let error;
		try {
			parser.push('["wide@example.com"');
			for (let k = 0; k < 30; k++) parser.push(`,"${'x'.repeat(50_000)}"`);
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(ReportLimitError);
		expect(error.message).toBe('Record 3 of the report (counting the header) is larger than 1 MB (Max Record Size)');
	});

	test('a wide header (record 1) is bounded too', () => {
		const parser = createCsvParser({ maxRecordChars: 1000 });
		expect(() => parser.push(`${'column,'.repeat(200)}last\n`)).toThrow(/^Record 1 of the report/);
	});
});
