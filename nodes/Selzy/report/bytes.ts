/** Byte-stream helpers for the decode stage: a reader with look-ahead, and decompression. */
import { ReportCompressionError } from './errors';

export function concatBytes(parts: Uint8Array[]): Uint8Array {
	if (parts.length === 1) return parts[0];
	let length = 0;
	for (const part of parts) length += part.length;
	const joined = new Uint8Array(length);
	let offset = 0;
	for (const part of parts) {
		joined.set(part, offset);
		offset += part.length;
	}
	return joined;
}

/** Pulls chunks from an async iterable, lets callers look ahead and push bytes back. */
export class ByteReader {
	private readonly iterator: AsyncIterator<Uint8Array>;
	private readonly pushedBack: Uint8Array[] = [];
	private done = false;

	constructor(source: AsyncIterable<Uint8Array>) {
		this.iterator = source[Symbol.asyncIterator]();
	}

	/** The next non-empty chunk, or undefined at the end of the input. */
	async next(): Promise<Uint8Array | undefined> {
		const back = this.pushedBack.pop();
		if (back) return back;
		while (!this.done) {
			const step = await this.iterator.next();
			if (step.done) this.done = true;
			else if (step.value.length > 0) return step.value;
		}
		return undefined;
	}

	unshift(chunk: Uint8Array): void {
		if (chunk.length > 0) this.pushedBack.push(chunk);
	}

	/** Exactly `length` bytes, or fewer if the input ends first. */
	async read(length: number): Promise<Uint8Array> {
		const parts: Uint8Array[] = [];
		let have = 0;
		while (have < length) {
			const chunk = await this.next();
			if (!chunk) break;
			const take = Math.min(chunk.length, length - have);
			parts.push(take === chunk.length ? chunk : chunk.subarray(0, take));
			if (take < chunk.length) this.unshift(chunk.subarray(take));
			have += take;
		}
		return parts.length === 0 ? new Uint8Array(0) : concatBytes(parts);
	}

	/** Up to `length` bytes without consuming them. */
	async peek(length: number): Promise<Uint8Array> {
		const head = await this.read(length);
		this.unshift(head);
		return head;
	}

	/** Everything that is left, chunk by chunk; stopping early releases the source. */
	async *rest(): AsyncGenerator<Uint8Array> {
		try {
			for (let chunk = await this.next(); chunk; chunk = await this.next()) yield chunk;
		} finally {
			await this.close();
		}
	}

	/** Releases the underlying source (e.g. closes the HTTP body) when we stop early. */
	async close(): Promise<void> {
		if (this.done) return;
		this.done = true;
		await this.iterator.return?.();
	}
}

const ignore = (): void => {};

/**
 * Streams `source` through a web `DecompressionStream`. Input is fed only as fast as the
 * output is read (one write in flight at a time), so nothing is buffered up front. Damaged or
 * truncated data rejects with `ReportCompressionError`; errors of the source itself pass
 * through unchanged.
 */
export async function* decompress(
	source: AsyncIterable<Uint8Array>,
	format: 'gzip' | 'deflate-raw',
	label: string,
): AsyncGenerator<Uint8Array> {
	const outcome: Outcome = {};
	yield* decompressOnce(source, format, label, outcome);
	if (outcome.failure) throw outcome.failure;
}

/** How a decompression ended: `failure` to throw, and whether data followed the end of the stream. */
interface Outcome {
	failure?: unknown;
	dataAfterEnd?: boolean;
}

async function* decompressOnce(
	source: AsyncIterable<Uint8Array>,
	format: 'gzip' | 'deflate-raw',
	label: string,
	outcome: Outcome,
): AsyncGenerator<Uint8Array> {
	const stream = new DecompressionStream(format);
	const writer = stream.writable.getWriter();
	const reader = stream.readable.getReader();
	const feeder: FeederState = { waitingForSource: false };
	const feeding = feed(source, writer, feeder);

	let failed = false;
	let failure: unknown;
	let finished = false;
	try {
		for (;;) {
			let step: ReadableStreamReadResult<Uint8Array>;
			try {
				step = await reader.read();
			} catch (error) {
				failed = true;
				failure = error;
				break;
			}
			if (step.done) {
				finished = true;
				break;
			}
			yield step.value;
		}
	} finally {
		// The consumer stopped early: cancelling makes the feeder stop and release the source.
		// If it is waiting for the download's next chunk, it releases it once that arrives;
		// waiting for that here could hang on a stalled connection. Only data after the end of
		// the stream (the next gzip member) needs every byte the feeder took, even one still
		// arriving; the stall watchdog bounds that wait.
		if (!finished && !failed) await reader.cancel().catch(ignore);
		if (!feeder.waitingForSource || codeOf(failure) === TRAILING_DATA) await feeding;
	}
	if (!failed) return;
	if (feeder.sourceFailed && failure === feeder.sourceError) {
		outcome.failure = failure;
		return;
	}
	// Node 24 reports a truncated stream with an empty message; its code still says why.
	const code = codeOf(failure);
	const reason = (failure instanceof Error && failure.message) || (typeof code === 'string' ? code : String(failure));
	outcome.failure = new ReportCompressionError(
		`The ${label} data of the report is damaged or incomplete (${reason})`,
		'Download the report again; if it keeps failing, request a new report from Selzy.',
	);
	// Node 24's decoder stops at the end of a compressed stream and reports any bytes after it.
	outcome.dataAfterEnd = code === TRAILING_DATA;
}

const TRAILING_DATA = 'ERR_TRAILING_JUNK_AFTER_STREAM_END';
const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/**
 * Every member of a gzip file in turn: RFC 1952 allows several (parallel gzip tools, parts
 * joined end to end). Node 20's decoder reads on into the next member by itself; Node 24's stops
 * after the first and calls the rest trailing junk. The next member then starts right after
 * this one's 8-byte trailer (its CRC, then the size it unpacked to), with a gzip header.
 */
export async function* gunzipMembers(reader: ByteReader): AsyncGenerator<Uint8Array> {
	for (;;) {
		const recent = new RecentInput(reader);
		const outcome: Outcome = {};
		let unpacked = 0;
		for await (const chunk of decompressOnce(recent.pieces(), 'gzip', 'gzip', outcome)) {
			unpacked += chunk.length;
			yield chunk;
		}
		const next = outcome.dataAfterEnd ? recent.afterMember(unpacked) : undefined;
		if (!next) {
			if (outcome.failure) throw outcome.failure;
			return;
		}
		reader.unshift(next);
	}
}

/**
 * The last pieces handed to a decoder: where it stopped lies in them, as it reports the stop a
 * few pieces late. At least the last 4 pieces and 64 KiB are kept.
 */
class RecentInput {
	private readonly kept: Uint8Array[] = [];
	private keptLength = 0;

	constructor(private readonly reader: ByteReader) {}

	/** The reader's bytes, remembered as they go; the reader itself stays open for the next member. */
	async *pieces(): AsyncGenerator<Uint8Array> {
		for (let piece = await this.reader.next(); piece; piece = await this.reader.next()) {
			this.kept.push(piece);
			this.keptLength += piece.length;
			while (this.kept.length > 4 && this.keptLength - this.kept[0].length >= 64 * 1024) {
				this.keptLength -= (this.kept.shift() as Uint8Array).length;
			}
			yield piece;
		}
	}

	/**
	 * What follows a member that unpacked to `unpacked` bytes: the bytes from the first gzip
	 * header preceded by that size (the trailer's last 4 bytes), or undefined when none is there.
	 */
	afterMember(unpacked: number): Uint8Array | undefined {
		const bytes = concatBytes(this.kept);
		const size = unpacked % 2 ** 32;
		for (let at = bytes.indexOf(0x1f, 4); at >= 0 && at + 3 < bytes.length; at = bytes.indexOf(0x1f, at + 1)) {
			const header = bytes[at + 1] === 0x8b && bytes[at + 2] === 8 && (bytes[at + 3] & 0xe0) === 0;
			if (header && readUint32(bytes, at - 4) === size) return bytes.subarray(at);
		}
		return undefined;
	}
}

const readUint32 = (b: Uint8Array, at: number): number =>
	(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

interface FeederState {
	waitingForSource: boolean;
	sourceFailed?: boolean;
	sourceError?: unknown;
}

async function feed(
	source: AsyncIterable<Uint8Array>,
	writer: WritableStreamDefaultWriter<BufferSource>,
	state: FeederState,
): Promise<void> {
	const iterator = source[Symbol.asyncIterator]();
	let exhausted = false;
	try {
		for (;;) {
			let step: IteratorResult<Uint8Array>;
			state.waitingForSource = true;
			try {
				step = await iterator.next();
			} catch (error) {
				exhausted = true;
				state.sourceFailed = true;
				state.sourceError = error;
				await writer.abort(error);
				return;
			} finally {
				state.waitingForSource = false;
			}
			if (step.done) {
				exhausted = true;
				await writer.close();
				return;
			}
			// Awaiting each write (not just `writer.ready`): Node's adapter counts its
			// high-water mark in chunks, so only the write itself waits for the output to drain.
			await writer.write(step.value as Uint8Array<ArrayBuffer>);
		}
	} catch {
		// The stream was cancelled or errored; the reading side reports it.
	} finally {
		if (!exhausted) await Promise.resolve(iterator.return?.()).catch(ignore);
	}
}
