'use strict';
// Compressed reports unpack only so far: past Max Unpacked Size or Max Unpack Ratio, or past the
// size a zip entry declares, reading stops at once with an error naming the bound. Rows output
// refuses to build more rows than Row Safety Limit. Bombs are generated as they stream.
const zlib = require('zlib');
const { decodeReport, createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { recordBatchesFromReport } = require('../../../nodes/Selzy/report/pipeline');
const { shapeRowBatches } = require('../../../nodes/Selzy/report/rows');
const { summarizeRecordBatches } = require('../../../nodes/Selzy/report/summary');
const { ReportLimitError, ReportCompressionError } = require('../../../nodes/Selzy/report/errors');
const { DEFAULT_UNPACK_LIMITS, DEFAULT_MAX_ROWS_HELD } = require('../../../nodes/Selzy/report/limits');
const { gzipBomb, zipBomb } = require('../../sandbox/crafted');
const { makeZip, split } = require('./support');

const MIB = 1024 * 1024;

/** Yields `chunks` (any iterable of Buffers) in pieces of at most 64 KiB, counting what was pulled. */
function download(chunks) {
	const stats = { pulled: 0 };
	return {
		stats,
		async *[Symbol.asyncIterator]() {
			for (const chunk of chunks) {
				for (let at = 0; at < chunk.length; at += 64 * 1024) {
					const piece = chunk.subarray(at, at + 64 * 1024);
					stats.pulled += piece.length;
					yield new Uint8Array(piece.buffer, piece.byteOffset, piece.length);
				}
			}
		},
	};
}

/** The chunks as they are, however large. */
download.whole = (chunks) => ({
	async *[Symbol.asyncIterator]() {
		for (const chunk of chunks) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
	},
});

/** Reads the text of `bytes`; returns how many characters came out and the error, if any. */
async function readText(bytes, limits) {
	const meta = createReportMeta();
	let characters = 0;
	const started = Date.now();
	try {
		for await (const text of decodeReport(bytes, {}, meta, limits)) characters += text.length;
		return { characters, meta, ms: Date.now() - started };
	} catch (error) {
		return { characters, meta, error, ms: Date.now() - started };
	}
}

describe('a decompression bomb is stopped early, before it costs memory or time', () => {
	test('a gzip of 6 MB unpacking to 2 GiB stops at the ratio limit, a few megabytes in', async () => {
		const bytes = download(gzipBomb({ size: 2048 * MIB }));
		const { characters, error, ms, meta } = await readText(bytes);
		expect(error).toBeInstanceOf(ReportLimitError);
		expect(error.message).toMatch(/^The report unpacks to more than 100 times its compressed size \(Max Unpack Ratio\)/);
		expect(error.hint).toMatch(/raise the Max Unpack Ratio option/);
		expect(characters).toBeLessThan(32 * MIB);
		expect(bytes.stats.pulled).toBeLessThan(512 * 1024);
		expect(meta.bytesUnpacked).toBeLessThan(33 * MIB);
		expect(ms).toBeLessThan(2000);
	});

	test('with the ratio raised, Max Unpacked Size stops it', async () => {
		const limits = { maxUnpackedBytes: 64 * MIB, maxUnpackRatio: 100_000 };
		const { characters, error } = await readText(download(gzipBomb({ size: 2048 * MIB })), limits);
		expect(error).toBeInstanceOf(ReportLimitError);
		expect(error.message).toMatch(/^The report unpacks to more than 64 MB \(Max Unpacked Size\), from [\d.]+ MB downloaded so far/);
		expect(error.hint).toMatch(/raise the Max Unpacked Size \(MB\) option/);
		expect(characters).toBeLessThanOrEqual(64 * MIB);
		expect(characters).toBeGreaterThan(60 * MIB);
	});

	test('a streamed zip without declared sizes is held to the same limits', async () => {
		const { error, characters } = await readText(download(zipBomb({ size: 2048 * MIB })));
		expect(error?.message).toMatch(/Max Unpack Ratio/);
		expect(characters).toBeLessThan(32 * MIB);
		const capped = await readText(download(zipBomb({ size: 256 * MIB })), { maxUnpackedBytes: 8 * MIB, maxUnpackRatio: 100_000 });
		expect(capped.error?.message).toMatch(/more than 8 MB \(Max Unpacked Size\)/);
	});

	test('a zip entry stops the moment it unpacks past the size its header declares', async () => {
		const { error, characters } = await readText(download(zipBomb({ size: 64 * MIB, declare: 100_000 })));
		expect(error).toBeInstanceOf(ReportCompressionError);
		expect(error.message).toMatch(/unpacks to more than the 100000 bytes its header declares/);
		expect(characters).toBeLessThanOrEqual(100_000);
	});

	describe('a streamed zip entry (sizes in a data descriptor after the data) ends at its descriptor', () => {
		const CSV = 'email,send_result,last_update\nsomeone@example.com,ok_read,2026-05-01 10:00:00\n';
		const filler = Buffer.from('more@example.com,ok_delivered,2026-05-01 10:00:00\n'.repeat(Math.ceil((4.7 * MIB) / 50)));

		/** A one-entry zip whose descriptor records `data` (100 bytes or so), with `after` between it and the directory. */
		function zipWithDataAfterDescriptor({ method, after }) {
			const plain = Buffer.from(CSV);
			const data = method === 8 ? zlib.deflateRawSync(plain) : plain;
			const crc = zlib.crc32(plain);
			const name = Buffer.from('report.csv');
			const u16 = (n) => Buffer.from([n & 0xff, n >> 8]);
			const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
			const local = Buffer.concat([u32(0x04034b50), u16(20), u16(8), u16(method), u16(0), u16(0), u32(0), u32(0), u32(0), u16(name.length), u16(0), name]);
			const descriptor = Buffer.concat([u32(0x08074b50), u32(crc), u32(data.length), u32(plain.length)]);
			const central = Buffer.concat([
				u32(0x02014b50), u16(20), u16(20), u16(8), u16(method), u16(0), u16(0), u32(crc), u32(data.length), u32(plain.length),
				u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(0), name,
			]);
			const directoryAt = local.length + data.length + descriptor.length + after.length;
			const end = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(1), u16(1), u32(central.length), u32(directoryAt), u16(0)]);
			return Buffer.concat([local, data, descriptor, after, central, end]);
		}

		test.each([
			['a stored file followed by 4.7 MB more of rows', 0],
			['a deflated file followed by 4.7 MB of other bytes', 8],
		])('%s: reading stops a directory’s length past the descriptor', async (_name, method) => {
			const zip = zipWithDataAfterDescriptor({ method, after: filler });
			const bytes = download([zip]);
			const { error, characters } = await readText(bytes);
			expect(error).toBeInstanceOf(ReportCompressionError);
			expect(error.message).toMatch(/damaged or incomplete \(more data follows the file than the archive directory takes\)/);
			expect(characters).toBeLessThanOrEqual(CSV.length);
			expect(bytes.stats.pulled).toBeLessThan(MIB);
		});

		test('the same archive without the extra bytes reads whole', async () => {
			for (const method of [0, 8]) {
				const zip = zipWithDataAfterDescriptor({ method, after: Buffer.alloc(0) });
				for (const size of [1, 5, 23, 64 * 1024]) {
					const meta = createReportMeta();
					const text = [];
					for await (const piece of decodeReport(split(new Uint8Array(zip), size), {}, meta)) text.push(piece);
					expect({ method, size, text: text.join('') }).toEqual({ method, size, text: CSV });
				}
			}
		});

		test('a directory that disagrees with the descriptor is an error', async () => {
			const zip = zipWithDataAfterDescriptor({ method: 0, after: Buffer.alloc(0) });
			const directoryCompressedSize = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 1, 2])) + 20;
			zip.writeUInt32LE(7, directoryCompressedSize);
			const { error } = await readText(download([zip]));
			expect(error?.message).toMatch(/file sizes do not match the archive/);
		});
	});

	test('a zip entry declaring more than Max Unpacked Size is refused before anything is unpacked', async () => {
		const { error, characters } = await readText(download(zipBomb({ size: 4 * MIB, declare: 3 * 1024 * MIB })));
		expect(error).toBeInstanceOf(ReportLimitError);
		expect(error.message).toMatch(/more than 2,048 MB \(Max Unpacked Size\), as the zip archive declares 3,072 MB/);
		expect(characters).toBe(0);
	});

	test('a bomb handed over in one piece (a stored file read back) is judged by what was unpacked from it', async () => {
		const whole = Buffer.concat([...gzipBomb({ size: 2048 * MIB })]);
		const { error, characters } = await readText(download.whole([whole]));
		expect(error?.message).toMatch(/Max Unpack Ratio/);
		expect(characters).toBeLessThan(32 * MIB);
	});

	test('the limits hold in the record pipeline', async () => {
		const meta = createReportMeta();
		const batches = recordBatchesFromReport(download(gzipBomb({ size: 2048 * MIB })), {}, meta, {
			unpackLimits: { maxUnpackedBytes: 16 * MIB, maxUnpackRatio: 100_000 },
		});
		await expect(summarizeRecordBatches(batches)).rejects.toThrow(/Max Unpacked Size/);
	});
});

describe('genuine compressed reports pass the default limits', () => {
	test('the defaults: 2 GiB unpacked, 100 times the download', () => {
		expect(DEFAULT_UNPACK_LIMITS).toEqual({ maxUnpackedBytes: 2048 * MIB, maxUnpackRatio: 100 });
		// 4,000,000 rows of 200 bytes (a report with several contact fields) fit 2.5 times over.
		expect(4_000_000 * 200 * 2.5).toBeLessThanOrEqual(DEFAULT_UNPACK_LIMITS.maxUnpackedBytes);
	});

	test('a highly compressible report (sequential addresses, one status, one time: ~22×) is read whole', async () => {
		const lines = ['email,send_result,last_update'];
		for (let i = 0; i < 300_000; i++) lines.push(`user${i}@example.com,ok_delivered,2026-05-01 10:00:00`);
		const text = lines.join('\n') + '\n';
		const packed = zlib.gzipSync(text, { level: 9 });
		expect(text.length / packed.length).toBeGreaterThan(15);
		const zipped = makeZip([{ name: 'report.csv', data: text }]);
		for (const bytes of [packed, zipped]) {
			const { characters, error } = await readText(download([Buffer.from(bytes)]));
			expect(error).toBeUndefined();
			expect(characters).toBe(text.length);
		}
	});

	test('a small archive with a high ratio is not mistaken for a bomb', async () => {
		const text = 'email,send_result\n' + 'a@b.c,ok_sent\n'.repeat(60_000); // 840 KB, ratio ~400
		const packed = zlib.gzipSync(text, { level: 9 });
		expect(text.length / packed.length).toBeGreaterThan(100);
		const { characters, error } = await readText(download(split(new Uint8Array(packed), 512)));
		expect(error).toBeUndefined();
		expect(characters).toBe(text.length);
	});
});

describe('Row Safety Limit', () => {
	const header = ['email', 'send_result'];
	async function* batchesOf(count, sendResult = () => 'ok_read') {
		yield [header];
		for (let start = 0; start < count; start += 1000) {
			const batch = [];
			for (let i = start; i < Math.min(count, start + 1000); i++) batch.push([`u${i}@x.io`, sendResult(i)]);
			yield batch;
		}
	}
	const countRows = async (batches, options) => {
		let rows = 0;
		for await (const batch of shapeRowBatches(batches, options)) rows += batch.length;
		return rows;
	};

	test('more rows than the limit fail before the first row beyond it is built', async () => {
		const built = [];
		const error = await (async () => {
			try {
				for await (const batch of shapeRowBatches(batchesOf(50_000), { maxRowsHeld: 10_000 })) built.push(...batch);
			} catch (caught) {
				return caught;
			}
		})();
		expect(error).toBeInstanceOf(ReportLimitError);
		expect(error.message).toBe('The report has more than 10,000 rows to return (Row Safety Limit), more items than n8n can safely hold');
		expect(error.hint).toMatch(/Set Max Rows .* Status Groups or Send Results filters.* raise Row Safety Limit/);
		expect(built.length).toBeLessThanOrEqual(10_000);
	});

	test('exactly the limit passes, and so do filtered rows or Max Rows under it', async () => {
		expect(await countRows(batchesOf(10_000), { maxRowsHeld: 10_000 })).toBe(10_000);
		const bounceEveryTenth = (i) => (i % 10 === 0 ? 'err_user_unknown' : 'ok_read');
		expect(await countRows(batchesOf(50_000, bounceEveryTenth), { maxRowsHeld: 10_000, groups: ['hard_bounce'] })).toBe(5_000);
		expect(await countRows(batchesOf(50_000), { maxRowsHeld: 10_000, limit: 10_000 })).toBe(10_000);
	});

	test('the default lets a whole 1,000,000-row report through', () => {
		expect(DEFAULT_MAX_ROWS_HELD).toBe(1_500_000);
	});
});
