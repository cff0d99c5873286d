/**
 * Streams the single file inside a zip archive, reading the archive front to back.
 *
 * When the entry's sizes are in its local header, exactly that many bytes are passed on.
 * When they are not (flag bit 3: sizes follow the data in a "data descriptor"), the last
 * TAIL_WINDOW bytes are held back until the input ends; the central directory at the end
 * then gives the exact compressed size, so the decompressor never sees the descriptor or
 * directory bytes, and truncated archives are detected because that directory is missing.
 * A descriptor with its signature is recognised as it arrives (it records the size of the
 * data before it): the data ends there, and only the directory may follow, so reading stops
 * as soon as more than a directory's worth does.
 */
import { ByteReader, concatBytes, decompress } from './bytes';
import { ReportCompressionError, ReportFormatError } from './errors';
import { formatMegabytes, unpackedTooLarge, type UnpackLimits } from './limits';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const UNKNOWN_32 = 0xffffffff;
const UNKNOWN_16 = 0xffff;

/** Descriptor (≤ 24) + directory entry (≤ 46 + 3 × 65,535) + zip64 records + end record (≤ 22 + 65,535). */
const TAIL_WINDOW = 4 * 65_536 + 1_024;

export interface ZipEntryInfo {
	name?: string;
	/** Bytes read from the archive but held back (the possible tail) rather than unpacked yet. */
	heldBytes?: number;
}

const u16 = (b: Uint8Array, at: number): number => b[at] | (b[at + 1] << 8);
const u32 = (b: Uint8Array, at: number): number =>
	(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, at: number): number => u32(b, at) + u32(b, at + 4) * 2 ** 32;

const damaged = (detail: string): ReportCompressionError =>
	new ReportCompressionError(
		`The zip archive of the report is damaged or incomplete (${detail})`,
		'Download the report again; if it keeps failing, request a new report from Selzy.',
	);

const severalFiles = (): ReportFormatError =>
	new ReportFormatError(
		'The zip archive holds more than one file; a delivery report archive should hold exactly one',
		'Check that the link points to a Selzy delivery report.',
	);

interface Sizes {
	compressed?: number;
	uncompressed?: number;
}

/**
 * Decompressed bytes of the archive's only file. `reader` must be positioned at its start.
 * Reading stops the moment the file unpacks past the size its header declares; a declared
 * size above `limits.maxUnpackedBytes` is refused before anything is unpacked.
 */
export async function* unzipSingleEntry(
	reader: ByteReader,
	entry: ZipEntryInfo,
	limits?: UnpackLimits,
): AsyncGenerator<Uint8Array> {
	const header = await reader.read(30);
	if (header.length < 30 || u32(header, 0) !== LOCAL_HEADER) throw damaged('no file header');
	const flags = u16(header, 6);
	const method = u16(header, 8);
	const name = await reader.read(u16(header, 26));
	const extra = await reader.read(u16(header, 28));
	entry.name = new TextDecoder('utf-8').decode(name);
	if (flags & 1) {
		throw new ReportFormatError(
			'The zip archive of the report is encrypted',
			'Selzy reports are not password-protected; check the link.',
		);
	}
	if (method !== 0 && method !== 8) {
		throw new ReportFormatError(
			`The zip archive uses compression method ${method}, which is not supported (only stored and deflate)`,
		);
	}

	const sizes: Sizes = {};
	let data: AsyncIterable<Uint8Array>;
	if (flags & 8) {
		data = entryDataUntilDirectory(reader, 30 + name.length + extra.length, sizes, entry, method === 0);
	} else {
		sizes.compressed = u32(header, 18);
		sizes.uncompressed = u32(header, 22);
		if (sizes.compressed === UNKNOWN_32 || sizes.uncompressed === UNKNOWN_32) {
			readZip64Sizes(extra, sizes, header, 18);
		}
		if (limits && sizes.uncompressed > limits.maxUnpackedBytes) {
			throw unpackedTooLarge(limits, `as the zip archive declares ${formatMegabytes(sizes.uncompressed)}`);
		}
		data = entryDataOfKnownSize(reader, sizes.compressed);
	}

	const output = method === 8 ? decompress(data, 'deflate-raw', 'zip') : data;
	let produced = 0;
	for await (const chunk of output) {
		produced += chunk.length;
		if (sizes.uncompressed !== undefined && produced > sizes.uncompressed) {
			throw damaged(`the file unpacks to more than the ${sizes.uncompressed} bytes its header declares`);
		}
		yield chunk;
	}
	if (sizes.uncompressed !== undefined && produced !== sizes.uncompressed) {
		throw damaged(`expected ${sizes.uncompressed} bytes, got ${produced}`);
	}
}

async function* entryDataOfKnownSize(
	reader: ByteReader,
	compressedSize: number,
): AsyncGenerator<Uint8Array> {
	let left = compressedSize;
	while (left > 0) {
		const chunk = await reader.next();
		if (!chunk) throw damaged('it ends inside the file data');
		if (chunk.length > left) {
			reader.unshift(chunk.subarray(left));
			yield chunk.subarray(0, left);
			left = 0;
		} else {
			left -= chunk.length;
			yield chunk;
		}
	}
	const next = await reader.peek(4);
	await reader.close();
	if (next.length === 4 && u32(next, 0) === LOCAL_HEADER) throw severalFiles();
}

async function* entryDataUntilDirectory(
	reader: ByteReader,
	headerLength: number,
	sizes: Sizes,
	entry: ZipEntryInfo,
	stored: boolean,
): AsyncGenerator<Uint8Array> {
	// `held` is the last ≤ TAIL_WINDOW bytes seen; everything before it has been passed on.
	const held: Uint8Array[] = [];
	let heldLength = 0;
	let passedOn = 0;
	const descriptor = new DescriptorFinder(stored);
	let dataEnd: number | undefined;
	for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
		dataEnd = descriptor.find(chunk, passedOn + heldLength);
		held.push(chunk);
		heldLength += chunk.length;
		entry.heldBytes = heldLength;
		if (dataEnd !== undefined) break;
		while (heldLength - held[0].length >= TAIL_WINDOW) {
			const first = held.shift() as Uint8Array;
			heldLength -= first.length;
			passedOn += first.length;
			entry.heldBytes = heldLength;
			yield first;
		}
	}
	if (dataEnd !== undefined) {
		yield* dataBeforeDescriptor(reader, concatBytes(held), dataEnd - passedOn, dataEnd, headerLength, sizes, entry);
		return;
	}
	const tail = concatBytes(held);
	// The archive starts with our entry's header, so the tail starts at this archive offset.
	const directory = readCentralDirectory(tail, headerLength + passedOn);
	sizes.uncompressed = directory.uncompressed;
	const dataLeft = directory.compressed - passedOn;
	if (dataLeft < 0 || dataLeft > tail.length) throw damaged('file sizes do not match the archive');
	if (dataLeft > 0) yield tail.subarray(0, dataLeft);
}

/**
 * The last `dataLeft` bytes of the data, held in `tail`, once the descriptor after them was found:
 * the rest of the archive, at most TAIL_WINDOW bytes, must be its directory, which must give
 * the same compressed size (`dataSize`).
 */
async function* dataBeforeDescriptor(
	reader: ByteReader,
	tail: Uint8Array,
	dataLeft: number,
	dataSize: number,
	headerLength: number,
	sizes: Sizes,
	entry: ZipEntryInfo,
): AsyncGenerator<Uint8Array> {
	const rest = [tail.subarray(dataLeft)];
	let restLength = rest[0].length;
	for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
		rest.push(chunk);
		restLength += chunk.length;
		entry.heldBytes = dataLeft + restLength;
		if (restLength > TAIL_WINDOW) throw damaged('more data follows the file than the archive directory takes');
	}
	const directory = readCentralDirectory(concatBytes(rest), headerLength + dataSize);
	if (directory.compressed !== dataSize) throw damaged('file sizes do not match the archive');
	sizes.uncompressed = directory.uncompressed;
	if (dataLeft > 0) yield tail.subarray(0, dataLeft);
}

/**
 * Finds a data descriptor with its signature as the data streams: the signature, the CRC, then
 * the size of the data before it (4 bytes, or 8 with zip64), and for a stored file the same
 * size again, unpacked. By chance, deflate data holds such a record about once in 2^64 places.
 */
class DescriptorFinder {
	/** The last bytes of the previous chunks, for a descriptor that spans chunks. */
	private carry = new Uint8Array(0);

	constructor(private readonly stored: boolean) {}

	/** Where the data ends, if a descriptor starts in `chunk` (whose first byte is data byte `at`). */
	find(chunk: Uint8Array, at: number): number | undefined {
		const carried = this.carry.length;
		if (chunk.length < 2 * DESCRIPTOR_LENGTH) {
			const bytes = concatBytes([this.carry, chunk]);
			this.carry = bytes.slice(Math.max(0, bytes.length - DESCRIPTOR_LENGTH + 1));
			return this.scan(bytes, at - carried);
		}
		// Descriptors starting in the carried bytes, then in the chunk; the last bytes are carried on.
		const head = concatBytes([this.carry, chunk.slice(0, DESCRIPTOR_LENGTH - 1)]);
		this.carry = chunk.slice(chunk.length - DESCRIPTOR_LENGTH + 1);
		return this.scan(head, at - carried) ?? this.scan(chunk, at);
	}

	/** The first descriptor wholly inside `bytes` (whose first byte is data byte `at`). */
	private scan(bytes: Uint8Array, at: number): number | undefined {
		const last = bytes.length - DESCRIPTOR_LENGTH;
		for (let found = bytes.indexOf(0x50); found >= 0 && found <= last; found = bytes.indexOf(0x50, found + 1)) {
			if (u32(bytes, found) === DATA_DESCRIPTOR && this.recordsSize(bytes, found, at + found)) return at + found;
		}
		return undefined;
	}

	private recordsSize(b: Uint8Array, at: number, size: number): boolean {
		if (this.stored) return (u32(b, at + 8) === size && u32(b, at + 12) === size) || (u64(b, at + 8) === size && u64(b, at + 16) === size);
		return u32(b, at + 8) === size || u64(b, at + 8) === size;
	}
}

/** Signature, CRC and two 8-byte sizes: the longest descriptor. */
const DESCRIPTOR_LENGTH = 24;

/** Sizes of the archive's only entry, read from the end records found in `tail`. */
function readCentralDirectory(
	tail: Uint8Array,
	tailStart: number,
): { compressed: number; uncompressed: number } {
	let end = -1;
	for (let at = tail.length - 22; at >= 0; at--) {
		if (u32(tail, at) === END_OF_DIRECTORY && at + 22 + u16(tail, at + 20) === tail.length) {
			end = at;
			break;
		}
	}
	if (end < 0) throw damaged('the end-of-archive record is missing');
	let entries = u16(tail, end + 10);
	let directoryOffset = u32(tail, end + 16);
	if (entries === UNKNOWN_16 || directoryOffset === UNKNOWN_32) {
		const locator = end - 20;
		if (locator < 0 || u32(tail, locator) !== ZIP64_LOCATOR) throw damaged('zip64 locator missing');
		const record = u64(tail, locator + 8) - tailStart;
		if (record < 0 || record + 56 > tail.length || u32(tail, record) !== ZIP64_END_OF_DIRECTORY) {
			throw damaged('zip64 end record missing');
		}
		entries = u64(tail, record + 32);
		directoryOffset = u64(tail, record + 48);
	}
	if (entries > 1) throw severalFiles();
	const central = directoryOffset - tailStart;
	if (central < 0 || central + 46 > tail.length || u32(tail, central) !== CENTRAL_HEADER) {
		throw damaged('the central directory is missing');
	}
	const extraStart = central + 46 + u16(tail, central + 28);
	const extra = tail.subarray(extraStart, extraStart + u16(tail, central + 30));
	const sizes: Sizes = { compressed: u32(tail, central + 20), uncompressed: u32(tail, central + 24) };
	if (sizes.compressed === UNKNOWN_32 || sizes.uncompressed === UNKNOWN_32) {
		readZip64Sizes(extra, sizes, tail, central + 20);
	}
	return { compressed: sizes.compressed as number, uncompressed: sizes.uncompressed as number };
}

/** Fills 0xFFFFFFFF sizes from the zip64 extra field (id 1: uncompressed, then compressed). */
function readZip64Sizes(extra: Uint8Array, sizes: Sizes, header: Uint8Array, at: number): void {
	const compressed32 = u32(header, at);
	const uncompressed32 = u32(header, at + 4);
	for (let pos = 0; pos + 4 <= extra.length; ) {
		const id = u16(extra, pos);
		const size = u16(extra, pos + 2);
		if (id === 1) {
			let field = pos + 4;
			if (uncompressed32 === UNKNOWN_32) {
				sizes.uncompressed = u64(extra, field);
				field += 8;
			}
			if (compressed32 === UNKNOWN_32) sizes.compressed = u64(extra, field);
			return;
		}
		pos += 4 + size;
	}
	throw damaged('zip64 sizes missing');
}
