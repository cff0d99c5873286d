/**
 * Report parser benchmark.
 *
 *   node -r ts-node/register/transpile-only bench/parser.js [--quick]
 *
 * Generates delivery reports in memory (100,000 and 1,000,000 rows: email, send_result,
 * last_update and two additional fields with quotes, delimiters and Cyrillic text), splits
 * them into 64 KiB Uint8Array chunks and reads them, median of RUNS runs, with:
 *  - this package: decode + CSV parse from bytes (`recordBatchesFromReport`), and the
 *    record-by-record iterator (`recordsFromReport`);
 *  - csv-parse (streaming API fed the same Buffer chunks, records counted on 'data');
 *  - this package on the same rows as a JSON report ({"result":{"fields","data"}}, its own size);
 *  - a raw scan over the bytes counting '\n' (the floor: touching every byte once).
 * Prints a Markdown table and writes bench/parser-results.json. MB = 1,000,000 bytes.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { parse } = require('csv-parse');
const { parse: parseCsvSync } = require('csv-parse/sync');
const { recordBatchesFromReport, recordsFromReport, createReportMeta } = require('../nodes/Selzy/report');

const RUNS = 5;
const CHUNK = 64 * 1024;
const SIZES = process.argv.includes('--quick') ? [100_000] : [100_000, 1_000_000];

function prng(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const RESULTS = [
	['ok_delivered', 40],
	['ok_read', 25],
	['ok_link_visited', 8],
	['ok_sent', 5],
	['err_user_unknown', 6],
	['err_mailbox_full', 4],
	['err_will_retry', 3],
	['ok_unsubscribed', 2],
	['err_spam_rejected', 2],
	['not_sent', 3],
	['ok_fbl', 2],
];
const FIRST = ['Иван', 'Мария', 'Olga', 'John', 'Сергей', 'Анна', 'Dmitry', 'Екатерина'];
const LAST = ['Петров', 'Smith', 'Иванова', 'Кузнецов', 'García', 'Соколова'];
const CITY = ['Москва', 'Санкт-Петербург', 'Berlin', 'Київ', 'Новосибирск', 'Paris'];

function generateReport(rows, seed) {
	const random = prng(seed);
	const pick = (list) => list[Math.floor(random() * list.length)];
	const weighted = [];
	for (const [code, weight] of RESULTS) for (let i = 0; i < weight; i++) weighted.push(code);
	const lines = ['email,send_result,last_update,1,2'];
	const pad = (n) => String(n).padStart(2, '0');
	for (let i = 0; i < rows; i++) {
		const email = `user${i}.${Math.floor(random() * 1e6).toString(36)}@example${i % 97}.com`;
		const stamp = `2026-${pad(1 + (i % 12))}-${pad(1 + (i % 28))} ${pad(i % 24)}:${pad(i % 60)}:${pad((i * 7) % 60)}`;
		const name = `${pick(FIRST)} ${pick(LAST)}`;
		const roll = random();
		let note;
		if (roll < 0.2) note = `"${pick(CITY)}, ул. ""Ленина"" ${1 + (i % 200)}"`;
		else if (roll < 0.25) note = `"строка 1\nстрока 2"`;
		else if (roll < 0.4) note = '';
		else note = pick(CITY);
		lines.push(`${email},${pick(weighted)},${stamp},${random() < 0.1 ? `"${name}"` : name},${note}`);
	}
	const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
	return { bytes, chunks: chunked(bytes), rows };
}

function chunked(bytes) {
	const chunks = [];
	for (let at = 0; at < bytes.length; at += CHUNK) chunks.push(bytes.subarray(at, at + CHUNK));
	return chunks;
}

/** The same report in Selzy's JSON column model. */
function asJsonReport(report) {
	const records = [];
	parseCsvSync(Buffer.from(report.bytes), { relax_quotes: true, relax_column_count: true, skip_empty_lines: true }).forEach((r) => records.push(r));
	const bytes = new TextEncoder().encode(JSON.stringify({ result: { fields: records[0], data: records.slice(1) } }));
	return { bytes, chunks: chunked(bytes), rows: report.rows };
}

async function* fromChunks(chunks) {
	for (const chunk of chunks) yield chunk;
}

const contenders = {
	async 'this package (batches)'(chunks) {
		let records = 0;
		const meta = createReportMeta();
		for await (const batch of recordBatchesFromReport(fromChunks(chunks), {}, meta)) records += batch.length;
		return records - 1;
	},
	async 'this package (record by record)'(chunks) {
		let records = 0;
		const meta = createReportMeta();
		for await (const _ of recordsFromReport(fromChunks(chunks), {}, meta)) records++;
		return records - 1;
	},
	async 'this package, same rows as JSON (batches)'(chunks) {
		let records = 0;
		const meta = createReportMeta();
		for await (const batch of recordBatchesFromReport(fromChunks(chunks), {}, meta)) records += batch.length;
		return records - 1;
	},
	'csv-parse 5 (stream)'(chunks) {
		return new Promise((resolve, reject) => {
			let records = 0;
			const parser = parse({ relax_quotes: true, relax_column_count: true, skip_empty_lines: true });
			parser.on('data', () => records++);
			parser.on('error', reject);
			parser.on('end', () => resolve(records - 1));
			(async () => {
				for await (const chunk of fromChunks(chunks)) {
					if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length))) {
						await new Promise((drained) => parser.once('drain', drained));
					}
				}
				parser.end();
			})().catch(reject);
		});
	},
	async 'raw byte scan (count \\n)'(chunks) {
		let lines = 0;
		for await (const chunk of fromChunks(chunks)) {
			for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
		}
		return lines;
	},
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
	const results = [];
	for (const rows of SIZES) {
		const report = generateReport(rows, 20260501 + rows);
		const jsonReport = asJsonReport(report);
		const timings = {};
		const sizes = {};
		for (const [name, run] of Object.entries(contenders)) {
			const input = name.includes('JSON') ? jsonReport : report;
			sizes[name] = input.bytes.length / 1e6;
			await run(input.chunks); // warm-up
			const times = [];
			let counted = 0;
			for (let r = 0; r < RUNS; r++) {
				if (global.gc) global.gc();
				const start = process.hrtime.bigint();
				counted = await run(input.chunks);
				times.push(Number(process.hrtime.bigint() - start) / 1e9);
			}
			if (!name.startsWith('raw') && counted !== rows) throw new Error(`${name} read ${counted} rows, expected ${rows}`);
			timings[name] = median(times);
		}
		const baseline = timings['csv-parse 5 (stream)'];
		for (const [name, seconds] of Object.entries(timings)) {
			const mb = sizes[name];
			results.push({
				rows,
				megabytes: Number(mb.toFixed(1)),
				contender: name,
				medianSeconds: Number(seconds.toFixed(4)),
				megabytesPerSecond: Number((mb / seconds).toFixed(1)),
				rowsPerSecond: Math.round(rows / seconds),
				timesCsvParse: Number((baseline / seconds).toFixed(2)),
			});
		}
	}
	const lines = [
		`Node ${process.version}, ${RUNS} runs each (median), 64 KiB chunks, MB = 10^6 bytes`,
		'',
		'| Rows | Size (MB) | Reader | Median (s) | MB/s | Rows/s | × csv-parse |',
		'|---:|---:|---|---:|---:|---:|---:|',
		...results.map(
			(r) =>
				`| ${r.rows.toLocaleString('en-US')} | ${r.megabytes} | ${r.contender} | ${r.medianSeconds} | ${r.megabytesPerSecond} | ${r.rowsPerSecond.toLocaleString('en-US')} | ${r.timesCsvParse} |`,
		),
	];
	process.stdout.write(lines.join('\n') + '\n');
	fs.writeFileSync(
		path.join(__dirname, 'parser-results.json'),
		JSON.stringify({ node: process.version, runs: RUNS, chunkBytes: CHUNK, results }, null, '\t') + '\n',
	);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exitCode = 1;
});
