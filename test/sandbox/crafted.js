'use strict';
// Crafted report files for the download faults `bomb` and `file`: decompression bombs generated
// as they stream (a few megabytes of gzip or zip that unpack to gigabytes of CSV rows, never
// held in memory), and any fixed body a test needs.
const zlib = require('zlib');

const MIB = 1024 * 1024;
const DEFAULT_HEADER = 'email,send_result,last_update\n';
const DEFAULT_ROW = 'bomb@example.com,ok_delivered,2026-05-01 10:00:00\n';

/**
 * Raw deflate of `data` ending in a full flush: byte-aligned, with no reference to earlier
 * data, so copies of it can follow one another and still form one valid deflate stream.
 */
const flushedDeflate = (data) => zlib.deflateRawSync(data, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * The unpacked text is `header` followed by blocks of `row` repeated, about `size` bytes in all.
 * Yields { packed, plain } pieces; `plain` is what `packed` unpacks to.
 */
function* deflatePieces({ header = DEFAULT_HEADER, row = DEFAULT_ROW, size = 2 * 1024 * MIB }) {
	const headerBytes = Buffer.from(header);
	const block = Buffer.from(row.repeat(Math.max(1, Math.floor(MIB / Buffer.byteLength(row)))));
	const packedBlock = flushedDeflate(block);
	yield { packed: flushedDeflate(headerBytes), plain: headerBytes };
	for (let written = headerBytes.length; written + block.length <= size; written += block.length) {
		yield { packed: packedBlock, plain: block };
	}
	yield { packed: FINAL_EMPTY_BLOCK, plain: Buffer.alloc(0) };
}

function u32(n) {
	const b = Buffer.alloc(4);
	b.writeUInt32LE(n >>> 0);
	return b;
}
function u16(n) {
	const b = Buffer.alloc(2);
	b.writeUInt16LE(n);
	return b;
}

/** A gzip file that unpacks to about `size` bytes of CSV; CRC and length are correct. */
function* gzipBomb(options) {
	yield Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
	let crc = 0;
	let length = 0;
	for (const { packed, plain } of deflatePieces(options)) {
		crc = zlib.crc32(plain, crc);
		length += plain.length;
		yield packed;
	}
	yield Buffer.concat([u32(crc), u32(length % 2 ** 32)]);
}

/**
 * A one-entry zip that unpacks to about `size` bytes. `declare`: 'descriptor' (default: sizes only
 * after the data, as streaming servers write them) or a number of bytes the local header claims
 * the entry unpacks to (the packed size there is always true).
 */
function* zipBomb({ declare = 'descriptor', ...options }) {
	const name = Buffer.from('report.csv');
	const descriptor = declare === 'descriptor';
	const pieces = [...deflatePieces(options)];
	let packed = 0;
	let crc = 0;
	let size = 0;
	const measure = () => {
		for (const piece of pieces) {
			crc = zlib.crc32(piece.plain, crc);
			size += piece.plain.length;
			packed += piece.packed.length;
		}
	};
	// Without a descriptor the header holds the CRC and the packed size, so they are measured first.
	if (!descriptor) measure();
	const local = (flags, crcValue, packedSize, plain) =>
		Buffer.concat([u32(0x04034b50), u16(20), u16(flags), u16(8), u16(0), u16(0x21), u32(crcValue), u32(packedSize), u32(plain), u16(name.length), u16(0), name]);
	yield local(descriptor ? 8 : 0, descriptor ? 0 : crc, descriptor ? 0 : packed, descriptor ? 0 : declare);
	for (const piece of pieces) yield piece.packed;
	if (descriptor) measure();
	const trailer = [];
	if (descriptor) trailer.push(u32(0x08074b50), u32(crc), u32(packed), u32(size));
	const central = Buffer.concat([
		u32(0x02014b50), u16(20), u16(20), u16(descriptor ? 8 : 0), u16(8), u16(0), u16(0x21),
		u32(crc), u32(packed), u32(descriptor ? size : declare), u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(0), name,
	]);
	const centralOffset = 30 + name.length + packed + (descriptor ? 16 : 0);
	trailer.push(central, Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(1), u16(1), u32(central.length), u32(centralOffset), u16(0)]));
	yield Buffer.concat(trailer);
}

/**
 * Body of a crafted download. fault: { kind: 'bomb', format: 'gzip' | 'zip', size, header, row,
 * declare } or { kind: 'file', body: string | Buffer, contentType }.
 */
function craftedDownload(fault) {
	if (fault.kind === 'file') {
		return { contentType: fault.contentType ?? 'text/csv; charset=utf-8', fileName: fault.fileName ?? 'report.csv', chunks: [Buffer.from(fault.body)] };
	}
	if (fault.format === 'zip') return { contentType: 'application/zip', fileName: 'report.zip', chunks: zipBomb(fault) };
	return { contentType: 'application/gzip', fileName: 'report.csv.gz', chunks: gzipBomb(fault) };
}

module.exports = { gzipBomb, zipBomb, craftedDownload };
