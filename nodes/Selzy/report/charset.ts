/**
 * Bytes → text, choosing between UTF-8 and Windows-1251 (the usual legacy Cyrillic encoding).
 *
 * Rule: the first SNIFF_BYTES decide. If they are valid UTF-8 the report is read as UTF-8;
 * otherwise the whole report is read as Windows-1251 and `encodingNote` says so. Should
 * invalid UTF-8 appear later:
 *  - if everything before it was plain ASCII (identical in both encodings), reading simply
 *    continues as Windows-1251 from that chunk on, with a note — nothing already produced
 *    changes meaning;
 *  - otherwise the report mixes encodings and we stop with `ReportEncodingError` naming the
 *    byte offset, rather than hand over silently garbled names.
 */
import { concatBytes } from './bytes';
import { ReportEncodingError } from './errors';

export type TextEncodingName = 'utf-8' | 'windows-1251';

export interface TextDecodingState {
	encoding: TextEncodingName;
	encodingNote?: string;
}

export const SNIFF_BYTES = 64 * 1024;

type Decode = (bytes: Uint8Array) => string;

/** Decodes `bytes` into text chunks, recording the encoding it settled on in `state`. */
export async function* decodeText(
	bytes: AsyncIterable<Uint8Array>,
	state: TextDecodingState,
	declaredCharset?: string,
): AsyncGenerator<string> {
	const iterator = bytes[Symbol.asyncIterator]();
	try {
		const head = await readHead(iterator);
		if (head.bytes.length === 0 && head.ended) return;
		rejectUtf16(head.bytes);

		const declaresCyrillic = /^(windows-1251|cp-?1251|x-cp1251)$/i.test(declaredCharset ?? '');
		const utf8 = new TextDecoder('utf-8', { fatal: true });
		const first = declaresCyrillic ? undefined : tryDecode(utf8, head.bytes, !head.ended);
		if (first === undefined) {
			if (head.hasBom) throw brokenAfterBom(head);
			state.encoding = 'windows-1251';
			if (!declaresCyrillic) {
				const at = head.offset + Math.max(0, findInvalidUtf8(head.bytes, !head.ended));
				state.encodingNote =
					`The report is not valid UTF-8 (first invalid byte at offset ${at}); ` +
					'it was read as Windows-1251 (Cyrillic).';
			}
			yield* decodeAllAsWindows1251(head.bytes, iterator);
			return;
		}
		state.encoding = 'utf-8';
		if (first) yield first;
		if (!head.ended) yield* decodeRestAsUtf8(utf8, head, first.length === head.bytes.length, iterator, state);
	} finally {
		await iterator.return?.();
	}
}

interface Head {
	/** The first SNIFF_BYTES (or the whole file), without a UTF-8 byte order mark. */
	bytes: Uint8Array;
	/** Offset of `bytes` in the file: 3 after a byte order mark. */
	offset: number;
	hasBom: boolean;
	/** Whether the file ended within the head. */
	ended: boolean;
}

async function readHead(iterator: AsyncIterator<Uint8Array>): Promise<Head> {
	const parts: Uint8Array[] = [];
	let length = 0;
	let ended = false;
	while (length < SNIFF_BYTES) {
		const step = await iterator.next();
		if (step.done) {
			ended = true;
			break;
		}
		parts.push(step.value);
		length += step.value.length;
	}
	const bytes = concatBytes(parts);
	const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
	return hasBom ? { bytes: bytes.subarray(3), offset: 3, hasBom, ended } : { bytes, offset: 0, hasBom, ended };
}

/** The text, or undefined when `bytes` are not valid in the decoder's encoding. */
function tryDecode(decoder: TextDecoder, bytes?: Uint8Array, stream = false): string | undefined {
	try {
		return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream });
	} catch {
		return undefined;
	}
}

function brokenAfterBom(head: Head): ReportEncodingError {
	const at = head.offset + Math.max(0, findInvalidUtf8(head.bytes, !head.ended));
	return new ReportEncodingError(
		`The report starts with a UTF-8 marker but is not valid UTF-8 at byte offset ${at}`,
		at,
		'The file is damaged or mixes character encodings; download the report again.',
	);
}

async function* decodeAllAsWindows1251(
	head: Uint8Array,
	iterator: AsyncIterator<Uint8Array>,
): AsyncGenerator<string> {
	const decode = windows1251Decoder();
	yield decode(head);
	for (let step = await iterator.next(); !step.done; step = await iterator.next()) yield decode(step.value);
}

/**
 * The rest of a file whose head was valid UTF-8. Invalid UTF-8 later on switches to
 * Windows-1251 when everything so far was ASCII (`asciiSoFar`), and is an error otherwise.
 */
async function* decodeRestAsUtf8(
	utf8: TextDecoder,
	head: Head,
	asciiSoFar: boolean,
	iterator: AsyncIterator<Uint8Array>,
	state: TextDecodingState,
): AsyncGenerator<string> {
	let offset = head.offset + head.bytes.length;
	let previous = head.bytes;
	let fallback: Decode | undefined;
	for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
		const chunk = step.value;
		if (fallback) {
			yield fallback(chunk);
			continue;
		}
		const text = tryDecode(utf8, chunk, true);
		if (text === undefined) {
			if (!asciiSoFar) throw mixedEncoding(previous, chunk, offset);
			// Nothing before this chunk used a byte above 127, so switching loses nothing.
			fallback = windows1251Decoder();
			state.encoding = 'windows-1251';
			state.encodingNote =
				`The report started as plain ASCII and is not valid UTF-8 from byte offset ${offset + findInvalidUtf8(chunk, true)}; ` +
				'it was read as Windows-1251 (Cyrillic).';
			yield fallback(chunk);
			continue;
		}
		asciiSoFar &&= text.length === chunk.length;
		offset += chunk.length;
		previous = chunk;
		if (text) yield text;
	}
	if (fallback) return;
	const rest = tryDecode(utf8);
	if (rest === undefined) {
		const cut = offset - incompleteTailLength(previous);
		throw new ReportEncodingError(
			`The report ends in the middle of a UTF-8 character (byte offset ${cut})`,
			cut,
			'The file is probably truncated; download the report again.',
		);
	}
	if (rest) yield rest;
}

function rejectUtf16(prefix: Uint8Array): void {
	if (prefix.length >= 2 && ((prefix[0] === 0xff && prefix[1] === 0xfe) || (prefix[0] === 0xfe && prefix[1] === 0xff))) {
		throw new ReportEncodingError('The report is encoded as UTF-16, which is not supported', 0);
	}
}

function mixedEncoding(previous: Uint8Array, chunk: Uint8Array, chunkOffset: number): ReportEncodingError {
	// The decoder may still hold the start of a character from the previous chunk.
	const carried = incompleteTailLength(previous);
	const joined = concatBytes([previous.subarray(previous.length - carried), chunk]);
	const at = chunkOffset - carried + Math.max(0, findInvalidUtf8(joined, true));
	return new ReportEncodingError(
		`The report is UTF-8 but contains bytes that are not valid UTF-8 at byte offset ${at}`,
		at,
		'The file mixes character encodings; ask Selzy support to check the report.',
	);
}

/**
 * Index of the first byte that cannot be part of valid UTF-8, or -1. With
 * `allowIncompleteEnd`, a character cut off by the end of `bytes` is not an error.
 */
export function findInvalidUtf8(bytes: Uint8Array, allowIncompleteEnd: boolean): number {
	const length = bytes.length;
	let i = 0;
	while (i < length) {
		const lead = bytes[i];
		if (lead < 0x80) {
			i++;
			continue;
		}
		let need: number;
		let min = 0x80;
		let max = 0xbf;
		if (lead >= 0xc2 && lead <= 0xdf) need = 1;
		else if (lead >= 0xe0 && lead <= 0xef) {
			need = 2;
			if (lead === 0xe0) min = 0xa0;
			if (lead === 0xed) max = 0x9f;
		} else if (lead >= 0xf0 && lead <= 0xf4) {
			need = 3;
			if (lead === 0xf0) min = 0x90;
			if (lead === 0xf4) max = 0x8f;
		} else return i;
		for (let k = 1; k <= need; k++) {
			if (i + k >= length) return allowIncompleteEnd ? -1 : i;
			const next = bytes[i + k];
			if (next < (k === 1 ? min : 0x80) || next > (k === 1 ? max : 0xbf)) return i;
		}
		i += need + 1;
	}
	return -1;
}

/** How many bytes at the end of `bytes` start a character that is not complete yet. */
function incompleteTailLength(bytes: Uint8Array): number {
	for (let back = 1; back <= 3 && back <= bytes.length; back++) {
		const byte = bytes[bytes.length - back];
		if (byte < 0x80) return 0;
		if (byte >= 0xc0) {
			const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
			return size > back ? back : 0;
		}
	}
	return 0;
}

/** Windows-1251 code points for bytes 0x80–0xBF (0xC0–0xFF map to U+0410–U+044F). */
const WINDOWS_1251_HIGH =
	'\u0402\u0403\u201a\u0453\u201e\u2026\u2020\u2021\u20ac\u2030\u0409\u2039\u040a\u040c\u040b\u040f' +
	'\u0452\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u0098\u2122\u0459\u203a\u045a\u045c\u045b\u045f' +
	'\u00a0\u040e\u045e\u0408\u00a4\u0490\u00a6\u00a7\u0401\u00a9\u0404\u00ab\u00ac\u00ad\u00ae\u0407' +
	'\u00b0\u00b1\u0406\u0456\u0491\u00b5\u00b6\u00b7\u0451\u2116\u0454\u00bb\u0458\u0405\u0455\u0457';

/** Built-in decoder when the runtime has it (full ICU), else a table (small-ICU builds). */
export function windows1251Decoder(preferBuiltIn = true): Decode {
	if (preferBuiltIn) {
		let builtIn: TextDecoder | undefined;
		try {
			builtIn = new TextDecoder('windows-1251');
		} catch {
			builtIn = undefined;
		}
		if (builtIn) {
			const decoder = builtIn;
			return (bytes) => decoder.decode(bytes);
		}
	}
	const table = new Uint16Array(256);
	for (let byte = 0; byte < 256; byte++) {
		table[byte] =
			byte < 0x80 ? byte : byte < 0xc0 ? WINDOWS_1251_HIGH.charCodeAt(byte - 0x80) : 0x0410 + byte - 0xc0;
	}
	return (bytes) => {
		const units = new Uint16Array(bytes.length);
		for (let i = 0; i < bytes.length; i++) units[i] = table[bytes[i]];
		let text = '';
		for (let start = 0; start < units.length; start += 8192) {
			text += String.fromCharCode(...units.subarray(start, start + 8192));
		}
		return text;
	};
}
