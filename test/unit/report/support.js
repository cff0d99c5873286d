/** Helpers shared by the report pipeline tests: chunking, a seeded PRNG, a tiny zip writer. */
'use strict';

const zlib = require('zlib');

/** Deterministic PRNG (mulberry32) so any failure reproduces from its seed. */
function seededRandom(seed) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	next.int = (min, max) => min + Math.floor(next() * (max - min + 1));
	next.pick = (list) => list[Math.floor(next() * list.length)];
	return next;
}

/** Splits bytes or a string into chunks of `size` (a number or a function returning one). */
function split(data, size) {
	const parts = [];
	for (let at = 0; at < data.length; ) {
		const n = Math.max(1, typeof size === 'function' ? size() : size);
		parts.push(typeof data === 'string' ? data.slice(at, at + n) : data.subarray(at, at + n));
		at += n;
	}
	return parts;
}

/** An async iterable over `parts` that counts how many were pulled and whether it was closed. */
function source(parts) {
	const stats = { pulled: 0, closed: false };
	const iterable = {
		stats,
		async *[Symbol.asyncIterator]() {
			try {
				for (const part of parts) {
					stats.pulled++;
					yield part;
				}
			} finally {
				stats.closed = true;
			}
		},
	};
	return iterable;
}

async function collect(iterable) {
	const items = [];
	for await (const item of iterable) items.push(item);
	return items;
}

async function collectText(iterable) {
	return (await collect(iterable)).join('');
}

function u16(n) {
	const b = Buffer.alloc(2);
	b.writeUInt16LE(n);
	return b;
}
function u32(n) {
	const b = Buffer.alloc(4);
	b.writeUInt32LE(n >>> 0);
	return b;
}
function u64(n) {
	const b = Buffer.alloc(8);
	b.writeBigUInt64LE(BigInt(n));
	return b;
}

/**
 * A zip archive holding `entries` ([{ name, data }]).
 * options.method: 8 (deflate, default) or 0 (stored);
 * options.dataDescriptor: sizes after the data (flag bit 3), with the optional signature
 *   unless options.descriptorSignature === false;
 * options.zip64: write zip64 sizes and end records.
 */
function makeZip(entries, options = {}) {
	const method = options.method ?? 8;
	const parts = [];
	const central = [];
	let offset = 0;
	for (const entry of entries) {
		const data = Buffer.from(entry.data);
		const body = method === 8 ? zlib.deflateRawSync(data) : data;
		const crc = zlib.crc32(data);
		const name = Buffer.from(entry.name);
		const descriptor = Boolean(options.dataDescriptor);
		const flags = (descriptor ? 8 : 0) | 0x800;
		const zip64 = Boolean(options.zip64);
		const localExtra = zip64 && !descriptor ? Buffer.concat([u16(1), u16(16), u64(data.length), u64(body.length)]) : Buffer.alloc(0);
		const local = Buffer.concat([
			u32(0x04034b50), u16(zip64 ? 45 : 20), u16(flags), u16(method), u16(0), u16(0x21),
			u32(descriptor ? 0 : crc),
			u32(descriptor ? 0 : zip64 ? 0xffffffff : body.length),
			u32(descriptor ? 0 : zip64 ? 0xffffffff : data.length),
			u16(name.length), u16(localExtra.length), name, localExtra,
		]);
		parts.push(local, body);
		if (descriptor) {
			const sizes = zip64 ? Buffer.concat([u64(body.length), u64(data.length)]) : Buffer.concat([u32(body.length), u32(data.length)]);
			parts.push(options.descriptorSignature === false ? Buffer.concat([u32(crc), sizes]) : Buffer.concat([u32(0x08074b50), u32(crc), sizes]));
		}
		const centralExtra = zip64 ? Buffer.concat([u16(1), u16(24), u64(data.length), u64(body.length), u64(offset)]) : Buffer.alloc(0);
		central.push(Buffer.concat([
			u32(0x02014b50), u16(zip64 ? 45 : 20), u16(zip64 ? 45 : 20), u16(flags), u16(method), u16(0), u16(0x21),
			u32(crc), u32(zip64 ? 0xffffffff : body.length), u32(zip64 ? 0xffffffff : data.length),
			u16(name.length), u16(centralExtra.length), u16(0), u16(0), u16(0), u32(0), u32(zip64 ? 0xffffffff : offset),
			name, centralExtra,
		]));
		offset = Buffer.concat(parts).length;
	}
	const directory = Buffer.concat(central);
	const directoryOffset = offset;
	const tail = [];
	if (options.zip64) {
		const recordOffset = directoryOffset + directory.length;
		tail.push(
			Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(entries.length), u64(entries.length), u64(directory.length), u64(directoryOffset)]),
			Buffer.concat([u32(0x07064b50), u32(0), u64(recordOffset), u32(1)]),
			Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0)]),
		);
	} else {
		const comment = Buffer.from(options.comment ?? '');
		tail.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(directory.length), u32(directoryOffset), u16(comment.length), comment]));
	}
	return new Uint8Array(Buffer.concat([...parts, directory, ...tail]));
}

module.exports = { seededRandom, split, source, collect, collectText, makeZip };
