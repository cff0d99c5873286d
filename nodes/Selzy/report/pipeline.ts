/**
 * One call for the node layer: downloaded bytes → records (header first). Decoding is in
 * decode.ts; the text is JSON when its first non-blank character is `{` or `[`, CSV
 * otherwise. An empty (or blank) file gives no records at all.
 */
import { createCsvParser, type CsvOptions } from './csv';
import { decodeReport, type ReportFileInfo, type ReportMeta } from './decode';
import { parseJsonReportBatches } from './json';
import type { UnpackLimits } from './limits';

/** `maxRecordChars` (Max Record Size) applies to CSV and JSON reports alike. */
export interface ReadOptions extends CsvOptions {
	/** Bounds on unpacking gzip and zip reports; the defaults when omitted. */
	unpackLimits?: UnpackLimits;
}

/** Records in batches (the fast path); the first record is the header. */
export async function* recordBatchesFromReport(
	bytes: AsyncIterable<Uint8Array>,
	info: ReportFileInfo,
	meta: ReportMeta,
	options: ReadOptions = {},
): AsyncGenerator<string[][]> {
	const text = decodeReport(bytes, info, meta, options.unpackLimits)[Symbol.asyncIterator]();
	const head: string[] = [];
	let firstChar = '';
	while (!firstChar) {
		const step = await text.next();
		if (step.done) break;
		head.push(step.value);
		firstChar = step.value.trimStart().charAt(0);
	}
	if (!firstChar) return;
	const chunks = replay(head, text);
	if (firstChar === '{' || firstChar === '[') {
		meta.format = 'json';
		yield* parseJsonReportBatches(chunks, options);
		return;
	}
	meta.format = 'csv';
	const parser = createCsvParser(options);
	for await (const chunk of chunks) {
		const records = parser.push(chunk);
		meta.delimiter ??= parser.delimiter;
		if (records.length > 0) yield records;
	}
	const last = parser.end();
	meta.delimiter ??= parser.delimiter;
	if (last.length > 0) yield last;
}

/** Records one by one; the first record is the header. */
export async function* recordsFromReport(
	bytes: AsyncIterable<Uint8Array>,
	info: ReportFileInfo,
	meta: ReportMeta,
	options: ReadOptions = {},
): AsyncGenerator<string[]> {
	for await (const batch of recordBatchesFromReport(bytes, info, meta, options)) {
		for (const record of batch) yield record;
	}
}

/** `head`, then the rest of `iterator`; stopping early releases the iterator. */
async function* replay(head: string[], iterator: AsyncIterator<string>): AsyncGenerator<string> {
	try {
		for (const chunk of head) yield chunk;
		for (let step = await iterator.next(); !step.done; step = await iterator.next()) yield step.value;
	} finally {
		await iterator.return?.();
	}
}
