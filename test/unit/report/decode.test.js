'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { decodeReport, createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { decompress } = require('../../../nodes/Selzy/report/bytes');
const { windows1251Decoder, findInvalidUtf8, SNIFF_BYTES } = require('../../../nodes/Selzy/report/charset');
const { ReportCompressionError, ReportEncodingError, ReportFormatError } = require('../../../nodes/Selzy/report/errors');
const { split, source, collectText, makeZip } = require('./support');

const fixture = (name) => new Uint8Array(fs.readFileSync(path.join(__dirname, 'fixtures', name)));
const REPORT_TEXT = fs.readFileSync(path.join(__dirname, 'fixtures', 'report.csv'), 'utf8');

async function decode(bytes, chunkSize = 64 * 1024, info = {}) {
	const meta = createReportMeta();
	const text = await collectText(decodeReport(source(split(bytes, chunkSize)), info, meta));
	return { text, meta };
}

describe('decodeReport: compression is recognised by content, whatever the file is called', () => {
	test.each([
		['report.csv', 'none'],
		['report.csv.gz', 'gzip'],
		['report-stream.zip', 'zip'],
		['report-pipe.zip', 'zip'],
		['report-python.zip', 'zip'],
	])('%s gives the same text (%s)', async (name, compression) => {
		for (const chunkSize of [1, 7, 4096]) {
			const { text, meta } = await decode(fixture(name), chunkSize);
			expect(text).toBe(REPORT_TEXT);
			expect(meta.compression).toBe(compression);
			expect(meta.encoding).toBe('utf-8');
			// A zip whose header gives the sizes is not read past its file data (+ 4 bytes).
			const sizesInHeader = name === 'report-python.zip' || name === 'report-stream.zip';
			if (sizesInHeader && chunkSize === 1) expect(meta.bytesRead).toBeLessThan(fixture(name).length);
			else if (!sizesInHeader) expect(meta.bytesRead).toBe(fixture(name).length);
		}
	});

	test('the zip entry name is reported', async () => {
		expect((await decode(fixture('report-python.zip'))).meta.entryName).toBe('report.csv');
	});

	test('zip variants written by our own writer: stored, deflate, data descriptor, zip64', async () => {
		const data = 'email,send_result\n' + Array.from({ length: 30_000 }, (_, i) => `user${i}@example.com,ok_read`).join('\n');
		const variants = [
			{},
			{ method: 0 },
			{ dataDescriptor: true },
			{ dataDescriptor: true, descriptorSignature: false },
			{ dataDescriptor: true, method: 0 },
			{ zip64: true },
			{ zip64: true, dataDescriptor: true },
			{ dataDescriptor: true, comment: 'archive comment' },
		];
		for (const options of variants) {
			const zip = makeZip([{ name: 'r.csv', data }], options);
			for (const chunkSize of [997, 65_536]) {
				const { text } = await decode(zip, chunkSize);
				expect({ options, chunkSize, same: text === data }).toEqual({ options, chunkSize, same: true });
			}
		}
	});

	test('a data-descriptor zip whose compressed data is larger than the held-back tail', async () => {
		// Random text barely compresses, so the entry data spans far more than the tail window.
		let seed = 1;
		const noise = Array.from({ length: 600_000 }, () => String.fromCharCode(33 + ((seed = (seed * 48271) % 2147483647) % 90))).join('');
		const zip = makeZip([{ name: 'r.csv', data: noise }], { dataDescriptor: true });
		expect(zip.length).toBeGreaterThan(400_000);
		expect((await decode(zip, 65_536)).text).toBe(noise);
	});

	test('a zip with more than one file is refused with a clear error', async () => {
		for (const options of [{}, { dataDescriptor: true }]) {
			const zip = makeZip([{ name: 'a.csv', data: 'email,send_result\n' }, { name: 'b.csv', data: 'x' }], options);
			await expect(decode(zip)).rejects.toThrow(ReportFormatError);
			await expect(decode(zip)).rejects.toThrow(/more than one file/);
		}
	});

	test('truncated or damaged compressed files throw instead of giving short output', async () => {
		const gz = fixture('report.csv.gz');
		for (const cut of [gz.length - 1, gz.length - 8, gz.length - 30, 20]) {
			await expect(decode(gz.subarray(0, cut), 16)).rejects.toThrow(ReportCompressionError);
			await expect(decode(gz.subarray(0, cut), 16)).rejects.toThrow(/damaged or incomplete \(\w/);
		}
		const corrupted = gz.slice();
		corrupted[40] ^= 0xff;
		await expect(decode(corrupted)).rejects.toThrow(ReportCompressionError);

		const pipeZip = fixture('report-pipe.zip');
		for (const cut of [pipeZip.length - 1, pipeZip.length - 30, 100, 31]) {
			await expect(decode(pipeZip.subarray(0, cut), 16)).rejects.toThrow(ReportCompressionError);
		}
		const pythonZip = fixture('report-python.zip');
		for (const cut of [200, 40]) {
			await expect(decode(pythonZip.subarray(0, cut), 16)).rejects.toThrow(ReportCompressionError);
		}
	});

	test('bzip2 and empty zip archives get a clear error', async () => {
		await expect(decode(new Uint8Array([0x42, 0x5a, 0x68, 0x39, 0x31]))).rejects.toThrow(/bzip2/);
		await expect(decode(makeZip([]))).rejects.toThrow(/empty zip/);
	});

	test('an empty download decodes to no text', async () => {
		expect((await decode(new Uint8Array(0))).text).toBe('');
		expect((await decode(zlib.gzipSync(Buffer.alloc(0)))).text).toBe('');
	});

	test('input is pulled only as the output is read (gzip backpressure)', async () => {
		const big = zlib.gzipSync(Buffer.from('x'.repeat(50_000_000)), { level: 1 });
		const parts = split(new Uint8Array(big), 1024);
		const input = source(parts);
		const meta = createReportMeta();
		const text = decodeReport(input, {}, meta)[Symbol.asyncIterator]();
		await text.next();
		expect(input.stats.pulled).toBeLessThan(parts.length / 2);
		await text.return();
		expect(input.stats.closed).toBe(true);
	});

	test('stopping early does not wait for a stalled download', async () => {
		const gz = zlib.gzipSync(Buffer.from('email,send_result\n' + 'a@b.c,ok_read\n'.repeat(1000)));
		const stalled = {
			async *[Symbol.asyncIterator]() {
				yield new Uint8Array(gz.subarray(0, gz.length - 8));
				await new Promise(() => {}); // the connection hangs, never delivering the rest
			},
		};
		const output = decompress(stalled, 'gzip', 'gzip')[Symbol.asyncIterator]();
		expect((await output.next()).done).toBe(false);
		await expect(output.return()).resolves.toMatchObject({ done: true });
	});

	test('a failing download surfaces its own error, not a decompression error', async () => {
		const failing = {
			async *[Symbol.asyncIterator]() {
				yield fixture('report.csv.gz').subarray(0, 50);
				throw new Error('socket hang up');
			},
		};
		await expect(collectText(decodeReport(failing, {}, createReportMeta()))).rejects.toThrow('socket hang up');
	});
});

describe('decodeReport: character encoding', () => {
	test('UTF-8 characters split across chunks (down to single bytes) decode correctly', async () => {
		const text = 'email,name\nа@б.рф,Ёжик 😀 中文 é\n'.repeat(50);
		for (const chunkSize of [1, 2, 3, 5]) {
			expect((await decode(new TextEncoder().encode(text), chunkSize)).text).toBe(text);
		}
	});

	test('a UTF-8 byte order mark is removed', async () => {
		const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('email,Имя\n')]);
		const { text, meta } = await decode(bytes, 1);
		expect(text).toBe('email,Имя\n');
		expect(meta.encoding).toBe('utf-8');
		expect(meta.encodingNote).toBeUndefined();
	});

	test('Windows-1251 reports are read as Cyrillic, with a note saying so', async () => {
		const { text, meta } = await decode(fixture('report-cp1251.csv'), 5);
		expect(text).toBe(REPORT_TEXT);
		expect(meta.encoding).toBe('windows-1251');
		expect(meta.encodingNote).toMatch(/not valid UTF-8.*Windows-1251/);
	});

	test('an explicit windows-1251 charset in the content type is honoured without a note', async () => {
		const { text, meta } = await decode(fixture('report-cp1251.csv'), 64, { contentType: 'text/csv; charset=windows-1251' });
		expect(text).toBe(REPORT_TEXT);
		expect(meta.encoding).toBe('windows-1251');
		expect(meta.encodingNote).toBeUndefined();
	});

	test('Windows-1251 text whose first Cyrillic appears after 64 KiB of ASCII switches losslessly', async () => {
		const ascii = 'email,send_result,1\n' + 'someone@example.com,ok_read,Bob\n'.repeat(4000);
		expect(ascii.length).toBeGreaterThan(SNIFF_BYTES);
		const cyrillic = 'ivan@example.ru,ok_read,Иван Ёлкин\n';
		const bytes = Buffer.concat([Buffer.from(ascii), encode1251(cyrillic)]);
		const { text, meta } = await decode(new Uint8Array(bytes), 4096);
		expect(text).toBe(ascii + cyrillic);
		expect(meta.encoding).toBe('windows-1251');
		const firstCyrillic = ascii.length + 'ivan@example.ru,ok_read,'.length;
		expect(meta.encodingNote).toMatch(new RegExp(`from byte offset ${firstCyrillic}\\b`));
	});

	test('invalid UTF-8 after genuine UTF-8 text is an error naming the byte offset', async () => {
		const head = new TextEncoder().encode('email,name\n' + 'a@b.c,Анна\n'.repeat(8000));
		const bytes = new Uint8Array([...head, 0x41, 0xff, 0x42, 0x0a]);
		const failure = decode(bytes, 4096);
		await expect(failure).rejects.toThrow(ReportEncodingError);
		await expect(failure).rejects.toMatchObject({ byteOffset: head.length + 1 });
	});

	test('a report cut off inside a UTF-8 character is an error', async () => {
		const head = new TextEncoder().encode('email,name\n' + 'a@b.c,Анна\n'.repeat(8000));
		const bytes = new Uint8Array([...head, 0xd0]);
		await expect(decode(bytes, 4096)).rejects.toThrow(/middle of a UTF-8 character/);
	});

	test('UTF-16 files are refused clearly', async () => {
		await expect(decode(new Uint8Array([0xff, 0xfe, 0x65, 0x00]))).rejects.toThrow(/UTF-16/);
	});

	test('the built-in Windows-1251 table matches the runtime decoder for every byte', () => {
		const all = new Uint8Array(256).map((_, i) => i);
		expect(windows1251Decoder(false)(all)).toBe(new TextDecoder('windows-1251').decode(all));
	});

	test('findInvalidUtf8 agrees with the fatal TextDecoder on random byte strings', () => {
		let seed = 7;
		const next = () => (seed = (seed * 16807) % 2147483647);
		const interesting = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x90, 0xa0, 0x9f, 0x8f];
		const disagreements = [];
		for (let n = 0; n < 20_000; n++) {
			const bytes = new Uint8Array(1 + (next() % 6)).map(() => interesting[next() % interesting.length]);
			let valid = true;
			try {
				new TextDecoder('utf-8', { fatal: true }).decode(bytes);
			} catch {
				valid = false;
			}
			if ((findInvalidUtf8(bytes, false) < 0) !== valid) disagreements.push([...bytes]);
		}
		expect(disagreements).toEqual([]);
	});
});

function encode1251(text) {
	const bytes = [];
	for (const ch of text) {
		const code = ch.codePointAt(0);
		if (code < 0x80) bytes.push(code);
		else if (code >= 0x410 && code <= 0x44f) bytes.push(code - 0x410 + 0xc0);
		else if (ch === 'Ё') bytes.push(0xa8);
		else if (ch === 'ё') bytes.push(0xb8);
		else throw new Error(`no Windows-1251 byte for ${ch}`);
	}
	return Buffer.from(bytes);
}
