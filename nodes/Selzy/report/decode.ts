/**
 * Decode stage: downloaded bytes → text chunks. Compression is recognised by its magic
 * bytes (gzip, zip with one file), never by name or content type, because the format of
 * Selzy's report file is not documented. The character encoding is chosen in charset.ts.
 */
import { ByteReader, gunzipMembers } from './bytes';
import { decodeText } from './charset';
import { ReportFormatError } from './errors';
import { DEFAULT_UNPACK_LIMITS, formatMegabytes, MIN_BYTES_FOR_RATIO, unpackedTooLarge, unpackRatioTooHigh, type UnpackLimits } from './limits';
import { unzipSingleEntry, type ZipEntryInfo } from './zip';

export interface ReportMeta {
	compression: 'none' | 'gzip' | 'zip';
	format?: 'csv' | 'json';
	encoding: 'utf-8' | 'windows-1251';
	/** Set when the encoding was guessed rather than evident, saying why. */
	encodingNote?: string;
	/** Bytes read from the download (before decompression). */
	bytesRead: number;
	/** Bytes a gzip or zip report unpacked to so far. */
	bytesUnpacked?: number;
	/** Name of the file inside a zip archive. */
	entryName?: string;
	/** CSV delimiter that was used (given or detected). */
	delimiter?: string;
}

export interface ReportFileInfo {
	contentType?: string;
	fileName?: string;
}

export function createReportMeta(): ReportMeta {
	return { compression: 'none', encoding: 'utf-8', bytesRead: 0 };
}

/**
 * Text of the report, chunk by chunk. `meta` is filled in while reading; read it after
 * the iteration ends. `info.contentType` is only used for an explicit Windows-1251 charset.
 * A compressed report stops with `ReportLimitError` as soon as it unpacks past `limits`.
 */
export async function* decodeReport(
	bytes: AsyncIterable<Uint8Array>,
	info: ReportFileInfo,
	meta: ReportMeta,
	limits: UnpackLimits = DEFAULT_UNPACK_LIMITS,
): AsyncGenerator<string> {
	const reader = new ByteReader(countBytes(bytes, meta));
	try {
		const magic = await reader.peek(4);
		let plain: AsyncIterable<Uint8Array>;
		if (magic[0] === 0x1f && magic[1] === 0x8b) {
			meta.compression = 'gzip';
			plain = withinLimits(gunzipMembers(reader), meta, limits, () => meta.bytesRead);
		} else if (magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04) {
			meta.compression = 'zip';
			const entry: ZipEntryInfo = {};
			const unpacked = withEntryName(unzipSingleEntry(reader, entry, limits), entry, meta);
			plain = withinLimits(unpacked, meta, limits, () => meta.bytesRead - (entry.heldBytes ?? 0));
		} else if (magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x05 && magic[3] === 0x06) {
			throw new ReportFormatError('The report is an empty zip archive');
		} else if (magic[0] === 0x42 && magic[1] === 0x5a && magic[2] === 0x68) {
			throw new ReportFormatError('The report is compressed with bzip2, which is not supported');
		} else {
			plain = reader.rest();
		}
		yield* decodeText(plain, meta, charsetOf(info.contentType));
	} finally {
		await reader.close();
	}
}

/** Largest piece handed on; a whole stored file arrives as one chunk. */
const PIECE_BYTES = 64 * 1024;

/**
 * Counts the bytes as they are handed on, in pieces of at most PIECE_BYTES, so that
 * `bytesRead` follows what the decompressor has taken and the unpack ratio is judged on it.
 */
async function* countBytes(
	bytes: AsyncIterable<Uint8Array>,
	meta: ReportMeta,
): AsyncGenerator<Uint8Array> {
	for await (const chunk of bytes) {
		for (let at = 0; at < chunk.length; at += PIECE_BYTES) {
			const piece = chunk.length <= PIECE_BYTES ? chunk : chunk.subarray(at, at + PIECE_BYTES);
			meta.bytesRead += piece.length;
			yield piece;
		}
	}
}

/**
 * Passes unpacked bytes on while they stay within `limits`. The ratio is judged against
 * `packedSoFar`: the bytes handed to the decompressor so far.
 */
async function* withinLimits(
	unpacked: AsyncIterable<Uint8Array>,
	meta: ReportMeta,
	limits: UnpackLimits,
	packedSoFar: () => number,
): AsyncGenerator<Uint8Array> {
	let total = 0;
	for await (const chunk of unpacked) {
		total += chunk.length;
		meta.bytesUnpacked = total;
		if (total > limits.maxUnpackedBytes) {
			throw unpackedTooLarge(limits, `from ${formatMegabytes(meta.bytesRead)} downloaded so far`);
		}
		if (total > MIN_BYTES_FOR_RATIO && total > limits.maxUnpackRatio * packedSoFar()) {
			throw unpackRatioTooHigh(limits, total, packedSoFar());
		}
		yield chunk;
	}
}

async function* withEntryName(
	data: AsyncIterable<Uint8Array>,
	entry: { name?: string },
	meta: ReportMeta,
): AsyncGenerator<Uint8Array> {
	for await (const chunk of data) {
		meta.entryName ??= entry.name;
		yield chunk;
	}
	meta.entryName ??= entry.name;
}

function charsetOf(contentType: string | undefined): string | undefined {
	const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
	return match ? match[1] : undefined;
}
