'use strict';
// Deterministic sandbox data: keys, lists, fields, campaigns and the exact bytes of every report.
// Any report row is a pure function of (seed, campaign id, row index), so reports of millions of
// rows stream without being held in memory and tests can recompute what a download must contain.

const crypto = require('node:crypto');
const zlib = require('node:zlib');
const { Readable } = require('node:stream');

// Status times are spread over the 60 days before this fixed moment (UTC, seconds).
const REPORT_END = Date.UTC(2025, 5, 1) / 1000;
const SPREAD = 60 * 86400;
const REPORT_START = REPORT_END - SPREAD;
const CHUNK_BYTES = 64 * 1024;
const GROUND_TRUTH_ROW_LIMIT = 10000;

const FORMATS = ['csv', 'csv-crlf-bom', 'csv-semicolon', 'csv-tab', 'csv-cp1251', 'csv-gzip', 'zip', 'json'];

// Text layout of each format; gzip and zip wrap plain csv.
const TEXT_STYLES = {
	csv: { delimiter: ',', eol: '\n' },
	'csv-crlf-bom': { delimiter: ',', eol: '\r\n', bom: true },
	'csv-semicolon': { delimiter: ';', eol: '\n' },
	'csv-tab': { delimiter: '\t', eol: '\n' },
	'csv-cp1251': { delimiter: ',', eol: '\n', cp1251: true },
	'csv-gzip': { delimiter: ',', eol: '\n' },
	zip: { delimiter: ',', eol: '\n' },
	json: { json: true },
};

const FILE_TYPES = {
	csv: { ext: 'csv', contentType: 'text/csv; charset=utf-8' },
	'csv-crlf-bom': { ext: 'csv', contentType: 'text/csv; charset=utf-8' },
	'csv-semicolon': { ext: 'csv', contentType: 'text/csv; charset=utf-8' },
	'csv-tab': { ext: 'csv', contentType: 'text/csv; charset=utf-8' },
	'csv-cp1251': { ext: 'csv', contentType: 'text/csv; charset=windows-1251' },
	'csv-gzip': { ext: 'csv.gz', contentType: 'application/gzip' },
	zip: { ext: 'zip', contentType: 'application/zip' },
	json: { ext: 'json', contentType: 'application/json' },
};

// Per 10,000 rows. Hard bounces (user_unknown + domain_inactive + user_inactive + dest_invalid) = 5%.
const EMAIL_RESULTS = [
	['ok_delivered', 4525], ['ok_read', 3300], ['ok_link_visited', 900], ['ok_sent', 150],
	['ok_unsubscribed', 60], ['ok_spam_folder', 40], ['ok_fbl', 10], ['not_sent', 50],
	['err_user_unknown', 350], ['err_domain_inactive', 70], ['err_user_inactive', 50], ['err_dest_invalid', 30],
	['err_mailbox_full', 80], ['err_delivery_failed', 60], ['err_will_retry', 60], ['err_unsubscribed', 60],
	['err_spam_rejected', 40], ['err_skip_letter', 40], ['err_not_available', 40], ['err_resend', 20],
	['err_spam_folder', 10], ['err_spam_skipped', 10], ['err_spam_retry', 10], ['err_not_allowed', 10],
	['err_internal', 10], ['err_src_invalid', 5], ['err_lost', 5],
	['err_no_dns', 2], ['err_no_smtp', 1], ['err_destination_misconfigured', 1], ['err_spam_may_retry', 1],
];
const SMS_RESULTS = [
	['ok_delivered', 9000], ['ok_sent', 300], ['not_sent', 100], ['err_dest_invalid', 200], ['err_not_allowed', 100],
	['err_skip_letter', 100], ['err_src_invalid', 50], ['err_internal', 50], ['err_lost', 50], ['err_will_retry', 50],
];

const LISTS = [
	{ id: 1, title: 'Newsletter' },
	{ id: 2, title: 'Клиенты' },
	{ id: 3, title: 'Webinar "Spring" & friends' },
];

// 16 values per field so a field's value is 4 bits of a row hash; repeats act as weights.
const FIELDS = [
	{ id: 101, name: 'Имя', type: 'string', values: ['Анна', 'Иван', 'Мария', 'Ольга', 'Дмитрий', 'Тарас', 'Ірина', 'Олена', 'Юрій', 'John', 'Emma', 'Пётр', 'Светлана "Света"', 'Иванов, Иван', '', ''] },
	{ id: 102, name: 'Город', type: 'string', values: ['Москва', 'Санкт-Петербург', 'Київ', 'Львів', 'Алматы', 'Минск', 'Ташкент', 'Ростов-на-Дону', 'Berlin', 'New York, NY', 'Тбилиси', 'Одеса', 'Екатеринбург', 'Riga', '', ''] },
	{ id: 103, name: 'customer_id', type: 'string', values: ['007', '0042', '000123', '0', '00', '100500', '0815', '012345', '9', '0000001', '31337', '0100', '42', '007', '', ''] },
	{ id: 104, name: 'Last order note', type: 'text', values: ['', '', '', '', 'Called, left a message', 'Said "call me after 6"', 'Line one\nLine two', 'Комментарий: «срочно», перезвонить', 'Адрес:\nул. Ленина, д. 5, кв. 12', 'Wants "VIP", again', 'Windows line\r\nbreak', 'Tab\tinside', 'Semicolon; inside', ' spaces around ', '№ 5 — priority', 'ok'] },
	{ id: 105, name: 'birthday', type: 'date', values: ['1990-01-31', '1985-12-01', '2001-07-15', '1978-03-08', '1999-11-11', '2003-02-28', '1965-05-09', '1993-09-01', '1988-06-12', '2000-01-01', '1972-10-20', '', '', '', '', ''] },
	{ id: 106, name: 'vip', type: 'bool', values: ['1', '0', '0', '0', '1', '0', '0', '0', '0', '1', '0', '0', '0', '0', '', ''] },
	{ id: 107, name: 'orders_count', type: 'number', values: ['0', '1', '2', '3', '5', '8', '13', '21', '0', '1', '100', '07', '42', '0', '', ''] },
];
const FIELD_BY_ID = new Map(FIELDS.map((field, index) => [field.id, { ...field, shift: 4 * index }]));

const FIRST_NAMES = ['anna', 'ivan', 'maria', 'olga', 'dmitry', 'john', 'emma', 'oleg', 'taras', 'iryna', 'alex', 'kate', 'max', 'sofia', 'pavel', 'Liam'];
const LOCAL_PARTS = FIRST_NAMES.flatMap((name) => [name + '.petrova', name + '_smith', name + '.k', name + '+news.']);
const DOMAINS = ['@example.com', '@example.org', '@example.net', '@mail.example', '@post.example.com', '@inbox.test', '@EXAMPLE.COM', '@corp.example'];

const SEED_CAMPAIGNS = [
	{ id: 1001, rows: 25, subject: 'Spring sale: 25 friends', listId: 1 },
	{ id: 1002, rows: 1000, subject: 'Новинки апреля', listId: 2 },
	{ id: 1003, rows: 500, subject: 'SMS: promo code', listId: 2, sms: true },
	{ id: 1004, rows: 100000, subject: 'Weekly digest "Best of April"', listId: 1 },
];

const pad2 = (n) => String(n).padStart(2, '0');
const DAY_HOUR = Array.from({ length: SPREAD / 3600 }, (_, h) => formatUtc(REPORT_START + h * 3600).slice(0, 14));
const MIN_SEC = Array.from({ length: 3600 }, (_, s) => pad2(Math.floor(s / 60)) + ':' + pad2(s % 60));
const EMAIL_TABLE = resultTable(EMAIL_RESULTS);
const SMS_TABLE = resultTable(SMS_RESULTS);

/** `YYYY-MM-DD hh:mm:ss` (UTC) for unix seconds. */
function formatUtc(seconds) {
	return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Unix seconds for a strict `YYYY-MM-DD hh:mm:ss` (UTC), or null when malformed or not a real time. */
function parseUtc(text) {
	const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(String(text));
	if (!m) return null;
	const seconds = Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
	return formatUtc(seconds) === text ? seconds : null;
}

/** Expands [code, weight] pairs into a 10,000-slot lookup so picking a status is one index. */
function resultTable(weights) {
	const codes = weights.map(([code]) => code);
	const slots = new Uint8Array(10000);
	let at = 0;
	weights.forEach(([, weight], index) => slots.fill(index, at, (at += weight)));
	if (at !== 10000) throw new Error(`status weights sum to ${at}, not 10000`);
	return { codes, slots };
}

// Looked up once: under jest, reading Math.imul inside the hot loop is about 20 times slower.
const { imul } = Math;

/** A 32-bit integer mixer (xorshift-multiply); cheap and good enough to look random. */
function mix(h) {
	h ^= h >>> 16;
	h = imul(h, 0x7feb352d);
	h ^= h >>> 15;
	h = imul(h, 0x846ca68b);
	h ^= h >>> 16;
	return h >>> 0;
}

const campaignBase = (seed, campaignId) => mix(mix(seed ^ 0x5e1a2b3c) + imul(campaignId, 0x2545f491));
const rowHash = (base, i) => mix((base + imul(i, 0x9e3779b9)) | 0);
const timeHash = (h1) => mix(h1 ^ 0x68e31da4);
const fieldHash = (h2) => mix(h2 ^ 0x1b56c4e9);

function contactOf(sms, i, h1, h2) {
	return sms ? '7' + (9000000000 + i) : LOCAL_PARTS[h1 >>> 26] + i + DOMAINS[h2 >>> 29];
}

function apiKeyFor(seed, purpose) {
	return 'sbx_live_' + crypto.createHash('sha256').update(`selzy-sandbox:${purpose}:${seed}`).digest('hex').slice(0, 24);
}

function campaignRecord({ id, rows, sms = false, subject, format = null, listId = 1, readyAfterMs = null }) {
	if (!Number.isSafeInteger(id) || id <= 0) throw new Error('campaign id must be a positive integer');
	if (readyAfterMs !== null && !(Number.isFinite(readyAfterMs) && readyAfterMs >= 0)) throw new Error('readyAfterMs must be null or a number ≥ 0');
	if (!Number.isSafeInteger(rows) || rows < 0 || rows > 1e9) throw new Error('rows must be an integer from 0 to 1e9');
	if (format !== null && !FORMATS.includes(format)) throw new Error(`unknown format "${format}"; one of ${FORMATS.join(', ')}`);
	return {
		id,
		rows,
		sms: Boolean(sms),
		subject: subject ?? (sms ? `SMS campaign ${id}` : `Campaign ${id}`),
		format,
		listId,
		readyAfterMs,
		startTime: formatUtc(REPORT_START - 86400 + (id % 1440) * 60),
	};
}

function seedCampaigns() {
	return SEED_CAMPAIGNS.map(campaignRecord);
}

/** The report's column names: documented sync layout (SMS: phone + status, no last_update). */
function reportHeader(spec) {
	const base = spec.campaign.sms ? ['phone', 'status'] : ['email', 'send_result', 'last_update'];
	const extra = spec.fieldIds.map((id) => (spec.fieldHeader === 'name' ? FIELD_BY_ID.get(id).name : String(id)));
	return base.concat(extra);
}

function fileName(spec) {
	if (spec.list) return require('./contacts').exportFileName(spec);
	return `campaign-${spec.campaign.id}-delivery-stats.${FILE_TYPES[spec.format].ext}`;
}

function csvCell(value, delimiter) {
	const needsQuotes = value.includes(delimiter) || /["\r\n]/.test(value);
	return needsQuotes ? '"' + value.replace(/"/g, '""') + '"' : value;
}

/** PHP's json_encode style: slashes and non-ASCII escaped, as Selzy's PHP backend answers. */
function phpJson(value) {
	return JSON.stringify(value)
		.replace(/\//g, '\\/')
		.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// windows-1251 bytes 0x80-0xBF that map to Cyrillic or common punctuation; 0xC0-0xFF is А..я.
const CP1251_HIGH = new Map(
	[...'ЂЃ‚ѓ„…†‡€‰Љ‹ЊЌЋЏђ‘’“”•–—\u0098™љ›њќћџ\u00a0ЎўЈ¤Ґ¦§Ё©Є«¬\u00ad®Ї°±Ііґµ¶·ё№є»јЅѕї'].map((c, i) => [c.charCodeAt(0), 0x80 + i]),
);

/** Encodes text as windows-1251 (ASCII + Cyrillic + the punctuation above; anything else becomes '?'). */
function encodeCp1251(text) {
	const out = Buffer.allocUnsafe(text.length);
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) out[i] = c;
		else if (c >= 0x410 && c <= 0x44f) out[i] = c - 0x350;
		else out[i] = CP1251_HIGH.get(c) ?? 0x3f;
	}
	return out;
}

/**
 * Turns text into a "byte string": one char per output byte (UTF-8 or windows-1251), so the
 * hot loop glues one-byte strings only and Buffer.from(chunk, 'latin1') is a plain copy.
 */
function byteString(text, style) {
	return (style.cp1251 ? encodeCp1251(text) : Buffer.from(text, 'utf8')).toString('latin1');
}

/** Pieces a row is glued from, pre-escaped and pre-encoded for the format. */
function rowPieces(spec) {
	const style = TEXT_STYLES[spec.format];
	const enc = (text) => byteString(text, style);
	const { codes } = spec.campaign.sms ? SMS_TABLE : EMAIL_TABLE;
	const hasTime = !spec.campaign.sms;
	const fields = spec.fieldIds.map((id) => FIELD_BY_ID.get(id));
	const shifts = Int32Array.from(fields, (f) => f.shift);
	if (style.json) {
		return {
			head: enc('{"result":{"fields":' + phpJson(reportHeader(spec)) + ',"data":['),
			tail: ']}}',
			firstLead: '["',
			lead: ',["',
			status: codes.map((code) => '","' + code + (hasTime ? '","' : '"')),
			timeEnd: '"',
			cells: fields.map((f) => f.values.map((v) => enc(',' + phpJson(v)))),
			shifts,
			rowEnd: ']',
		};
	}
	const d = style.delimiter;
	const header = reportHeader(spec).map((h) => csvCell(h, d)).join(d) + style.eol;
	return {
		head: enc((style.bom ? '\ufeff' : '') + header),
		tail: '',
		firstLead: '',
		lead: '',
		status: codes.map((code) => d + code + (hasTime ? d : '')),
		timeEnd: '',
		cells: fields.map((f) => f.values.map((v) => enc(d + csvCell(v, d)))),
		shifts,
		rowEnd: style.eol,
	};
}

/** Lowest status-time offset a row needs to pass `changed_since` (null = all rows). */
function minOffset(changedSince) {
	return changedSince === null ? -1 : parseUtc(changedSince) - REPORT_START;
}

/** The report as ~64 KB byte strings. The hot loop of million-row benchmarks: keep it lean. */
function* reportByteStrings(spec) {
	if (spec.list) {
		yield* require('./contacts').exportByteStrings(spec);
		return;
	}
	const p = rowPieces(spec);
	const { sms, rows } = spec.campaign;
	const { slots } = sms ? SMS_TABLE : EMAIL_TABLE;
	const base = campaignBase(spec.seed, spec.campaign.id);
	const minOff = minOffset(spec.changedSince);
	const fieldCount = p.cells.length;
	let text = p.head;
	let lead = p.firstLead;
	for (let i = 0; i < rows; i++) {
		const h1 = rowHash(base, i);
		const h2 = timeHash(h1);
		const off = h2 % SPREAD;
		if (off < minOff) continue;
		let row = lead + contactOf(sms, i, h1, h2) + p.status[slots[h1 % 10000]];
		if (!sms) row += DAY_HOUR[(off / 3600) | 0] + MIN_SEC[off % 3600] + p.timeEnd;
		if (fieldCount) {
			const h3 = fieldHash(h2);
			for (let k = 0; k < fieldCount; k++) row += p.cells[k][(h3 >>> p.shifts[k]) & 15];
		}
		text += row + p.rowEnd;
		lead = p.lead;
		if (text.length >= CHUNK_BYTES) {
			yield text;
			text = '';
		}
	}
	yield text + p.tail;
}

function* textBuffers(spec) {
	for (const chunk of reportByteStrings(spec)) yield Buffer.from(chunk, 'latin1');
}

/** Runs buffers through a zlib stream, yielding its output; stops the source if the consumer stops. */
async function* compressed(buffers, zstream) {
	const source = Readable.from(buffers);
	source.on('error', (err) => zstream.destroy(err));
	source.pipe(zstream);
	try {
		for await (const chunk of zstream) yield chunk;
	} finally {
		source.destroy();
	}
}

// Fastest deflate level: the sandbox must not be the bottleneck of client benchmarks.
const FAST = { level: 1 };

// DOS date/time of REPORT_END for zip headers.
const ZIP_DATE = ((2025 - 1980) << 9) | (6 << 5) | 1;
const ZIP_TIME = 0;

function zipLocalHeader(name) {
	const h = Buffer.alloc(30);
	h.writeUInt32LE(0x04034b50, 0);
	h.writeUInt16LE(20, 4); // version needed: deflate
	h.writeUInt16LE(0x0008, 6); // sizes and CRC follow the data (streamed)
	h.writeUInt16LE(8, 8);
	h.writeUInt16LE(ZIP_TIME, 10);
	h.writeUInt16LE(ZIP_DATE, 12);
	h.writeUInt16LE(name.length, 26);
	return Buffer.concat([h, name]);
}

function zipTrailer(name, crc, packed, size) {
	const descriptor = Buffer.alloc(16);
	descriptor.writeUInt32LE(0x08074b50, 0);
	descriptor.writeUInt32LE(crc, 4);
	descriptor.writeUInt32LE(packed, 8);
	descriptor.writeUInt32LE(size, 12);
	const central = Buffer.alloc(46);
	central.writeUInt32LE(0x02014b50, 0);
	central.writeUInt16LE(20, 4);
	central.writeUInt16LE(20, 6);
	central.writeUInt16LE(0x0008, 8);
	central.writeUInt16LE(8, 10);
	central.writeUInt16LE(ZIP_TIME, 12);
	central.writeUInt16LE(ZIP_DATE, 14);
	central.writeUInt32LE(crc, 16);
	central.writeUInt32LE(packed, 20);
	central.writeUInt32LE(size, 24);
	central.writeUInt16LE(name.length, 28);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(1, 8);
	end.writeUInt16LE(1, 10);
	end.writeUInt32LE(46 + name.length, 12);
	end.writeUInt32LE(30 + name.length + packed + 16, 16); // central directory offset
	return Buffer.concat([descriptor, central, name, end]);
}

/** A one-entry zip (report.csv, deflate) written front to back, as a streaming server must. */
async function* zipped(buffers) {
	const name = Buffer.from('report.csv');
	let crc = 0;
	let size = 0;
	function* counted() {
		for (const b of buffers) {
			crc = zlib.crc32(b, crc);
			size += b.length;
			yield b;
		}
	}
	yield zipLocalHeader(name);
	let packed = 0;
	for await (const chunk of compressed(counted(), zlib.createDeflateRaw(FAST))) {
		packed += chunk.length;
		yield chunk;
	}
	yield zipTrailer(name, crc, packed, size);
}

/**
 * The exact bytes a download serves, as an async iterable of Buffers.
 * spec: { seed, campaign, changedSince: string|null, fieldIds: number[], fieldHeader: 'id'|'name', format }
 */
async function* reportBytes(spec) {
	if (spec.format === 'csv-gzip') yield* compressed(textBuffers(spec), zlib.createGzip(FAST));
	else if (spec.format === 'zip') yield* zipped(textBuffers(spec));
	else yield* textBuffers(spec);
}

/** sha256 and byte size of a report, streamed. */
async function measure(spec) {
	const hash = crypto.createHash('sha256');
	let size = 0;
	for await (const chunk of reportBytes(spec)) {
		hash.update(chunk);
		size += chunk.length;
	}
	return { sha256: hash.digest('hex'), size };
}

/**
 * What a report contains, computed row by row without building the report:
 * totals per send_result, and the rows themselves when there are at most 10,000.
 */
function reportFacts(spec) {
	const { sms, rows } = spec.campaign;
	const { codes, slots } = sms ? SMS_TABLE : EMAIL_TABLE;
	const base = campaignBase(spec.seed, spec.campaign.id);
	const minOff = minOffset(spec.changedSince);
	const fields = spec.fieldIds.map((id) => FIELD_BY_ID.get(id));
	const counts = new Array(codes.length).fill(0);
	let list = [];
	let total = 0;
	for (let i = 0; i < rows; i++) {
		const h1 = rowHash(base, i);
		const h2 = timeHash(h1);
		const off = h2 % SPREAD;
		if (off < minOff) continue;
		const status = slots[h1 % 10000];
		counts[status]++;
		total++;
		if (list && total > GROUND_TRUTH_ROW_LIMIT) list = null;
		if (!list) continue;
		const h3 = fieldHash(h2);
		const values = Object.fromEntries(fields.map((f) => [f.name, f.values[(h3 >>> f.shift) & 15]]));
		list.push({
			[sms ? 'phone' : 'email']: contactOf(sms, i, h1, h2),
			send_result: codes[status],
			last_update: formatUtc(REPORT_START + off),
			fields: values,
		});
	}
	const bySendResult = {};
	codes.forEach((code, i) => counts[i] && (bySendResult[code] = counts[i]));
	return list ? { total, bySendResult, rows: list } : { total, bySendResult };
}

module.exports = {
	FORMATS,
	FILE_TYPES,
	LISTS,
	FIELDS: FIELDS.map(({ id, name, type }, index) => ({ id, name, type, is_visible: 1, view_pos: index + 1 })),
	FIELD_BY_ID,
	REPORT_END,
	apiKeyFor,
	campaignRecord,
	seedCampaigns,
	parseUtc,
	phpJson,
	fileName,
	reportBytes,
	measure,
	reportFacts,
	// shared with contacts.js
	mix,
	byteString,
	csvCell,
	TEXT_STYLES,
	GROUND_TRUTH_ROW_LIMIT,
};
