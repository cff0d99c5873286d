/**
 * Shape stage: raw records → report rows with readable status, status group, ISO time and
 * the additional contact fields by name.
 *
 * Columns (matched case-insensitively, ignoring a byte order mark and surrounding spaces):
 * `email` (or `phone` in SMS reports), `send_result` (SMS reports call it `status`) and
 * `last_update`. Every other column is an additional field, keyed by its header; a header
 * that is a field id (digits) is replaced by the field's name when `fieldNamesById` has it.
 * Short records get '' for missing cells; cells beyond the header are ignored.
 *
 * `last_update` is `YYYY-MM-DD hh:mm:ss` in UTC and becomes `YYYY-MM-DDThh:mm:ssZ`
 * (converted as text, so the server's time zone never matters). Empty and all-zero values
 * become null; anything else that does not parse is kept as written, so no data is lost.
 * A column n8n would drop (`__proto__`, `constructor`, `prototype`) is keyed `<name>_column`.
 */
import { ReportFormatError } from './errors';
import { neutralizeFormula } from './formulas';
import { columnKey, createParsedObjectBuilder, isArrayIndex } from './fileRows';
import { tooManyRows } from './limits';
import { describeSendResult, type StatusGroup } from './statuses';

export interface ReportRow {
	email?: string;
	phone?: string;
	send_result: string;
	status: string;
	status_group: StatusGroup;
	/** ISO 8601 UTC, e.g. 2026-05-01T10:20:30Z; null when the report has none. */
	last_update: string | null;
	fields: Record<string, string>;
}

export interface ReportColumns {
	contactKey: 'email' | 'phone';
	contact: number;
	sendResult: number;
	/** -1 when the report has no `last_update` column. */
	lastUpdate: number;
	extra: Array<{ index: number; key: string }>;
}

export interface ShapeOptions {
	/** Additional-field names by field id, from Selzy's getFields. */
	fieldNamesById?: Record<string, string>;
	/** Prefix values and field names a spreadsheet would run as formulas (see formulas.ts). */
	neutralizeFormulas?: boolean;
}

export interface RowSelection {
	/** Keep rows in these status groups. */
	groups?: StatusGroup[];
	/** Keep rows with these exact send_result codes. */
	sendResults?: string[];
}

export interface ShapeRowsOptions extends ShapeOptions, RowSelection {
	/** Stop after this many (selected) rows; reading stops too. */
	limit?: number;
	/** Fail (ReportLimitError) rather than produce more rows than this. */
	maxRowsHeld?: number;
}

const normalise = (name: string): string => name.replace(/^\uFEFF/, '').trim().toLowerCase();

export function resolveColumns(header: string[], options: ShapeOptions = {}): ReportColumns {
	const names = header.map(normalise);
	const email = names.indexOf('email');
	const phone = names.indexOf('phone');
	const contact = email >= 0 ? email : phone;
	let sendResult = names.indexOf('send_result');
	if (sendResult < 0) sendResult = names.indexOf('status');
	if (contact < 0 || sendResult < 0) {
		const missing = [contact < 0 ? 'email (or phone)' : '', sendResult < 0 ? 'send_result' : '']
			.filter(Boolean)
			.join(' and ');
		throw new ReportFormatError(
			`The report has no ${missing} column; its header is: ${header.map((name) => JSON.stringify(name)).join(', ') || '(empty)'}`,
			'Check that the file is a Selzy campaign delivery report and that the CSV delimiter is right.',
		);
	}
	const lastUpdate = names.indexOf('last_update');
	const taken = new Set<string>();
	const extra: ReportColumns['extra'] = [];
	header.forEach((raw, index) => {
		if (index === contact || index === sendResult || index === lastUpdate) return;
		const written = raw.replace(/^\uFEFF/, '').trim();
		const found = /^\d+$/.test(written) ? options.fieldNamesById?.[written] : undefined;
		const named = found === undefined ? undefined : columnKey(options.neutralizeFormulas ? neutralizeFormula(found) : found);
		const plain = columnKey(options.neutralizeFormulas ? neutralizeFormula(written) : written);
		let key = named ?? plain;
		if (taken.has(key)) key = plain;
		for (let n = 2; taken.has(key); n++) key = `${named ?? plain}_${n}`;
		taken.add(key);
		extra.push({ index, key });
	});
	return { contactKey: email >= 0 ? 'email' : 'phone', contact, sendResult, lastUpdate, extra };
}

/** Turns one record into a row; `header` is the report's first record. */
export function createRowShaper(header: string[], options: ShapeOptions = {}): (record: string[]) => ReportRow {
	const columns = resolveColumns(header, options);
	return shaperFor(columns, options);
}

function shaperFor(columns: ReportColumns, options: ShapeOptions): (record: string[]) => ReportRow {
	const indexKey = columns.extra.some((column) => isArrayIndex(column.key));
	if (options.neutralizeFormulas || indexKey) return carefulShaperFor(columns, Boolean(options.neutralizeFormulas));
	const { contact, sendResult, lastUpdate, extra } = columns;
	const byEmail = columns.contactKey === 'email';
	return (record) => {
		const code = record[sendResult] ?? '';
		const description = describeSendResult(code);
		const fields: Record<string, string> = {};
		for (let k = 0; k < extra.length; k++) fields[extra[k].key] = record[extra[k].index] ?? '';
		const lastUpdateValue = lastUpdate < 0 ? null : toIsoUtc(record[lastUpdate] ?? '');
		const contactValue = record[contact] ?? '';
		return byEmail
			? {
					email: contactValue,
					send_result: code,
					status: description.status,
					status_group: description.group,
					last_update: lastUpdateValue,
					fields,
				}
			: {
					phone: contactValue,
					send_result: code,
					status: description.status,
					status_group: description.group,
					last_update: lastUpdateValue,
					fields,
				};
	};
}

/**
 * The shaper for the rare cases: formulas to neutralise, or fields keyed by field IDs (see
 * createParsedObjectBuilder).
 */
function carefulShaperFor(columns: ReportColumns, neutralize: boolean): (record: string[]) => ReportRow {
	const { contact, sendResult, lastUpdate, extra } = columns;
	const cell = neutralize ? neutralizeFormula : (value: string) => value;
	// JSON.parse sizes number-like keys exactly.
	const buildFields = createParsedObjectBuilder(
		extra.map((column) => column.key),
		cell,
		extra.map((column) => column.index),
	);
	return (record) => {
		const code = record[sendResult] ?? '';
		const description = describeSendResult(code);
		const fields = buildFields(record);
		const lastUpdateValue = lastUpdate < 0 ? null : toIsoUtc(record[lastUpdate] ?? '');
		const row: ReportRow = {
			[columns.contactKey]: cell(record[contact] ?? ''),
			send_result: cell(code),
			status: description.status,
			status_group: description.group,
			last_update: lastUpdateValue === null ? null : cell(lastUpdateValue),
			fields,
		} as ReportRow;
		return row;
	};
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DD hh:mm:ss` (UTC) → `YYYY-MM-DDThh:mm:ssZ`. Also accepts a `T` separator and a
 * trailing `Z`. Empty or `0000-00-00 00:00:00` → null; other unparseable text is returned as is.
 */
export function toIsoUtc(value: string): string | null {
	if (value === '' || value.startsWith('0000-00-00')) return null;
	const length = value.length;
	if (length !== 19 && !(length === 20 && value.charCodeAt(19) === 90)) return value;
	const separator = value.charCodeAt(10);
	if (
		value.charCodeAt(4) !== 45 ||
		value.charCodeAt(7) !== 45 ||
		(separator !== 32 && separator !== 84) ||
		value.charCodeAt(13) !== 58 ||
		value.charCodeAt(16) !== 58
	) {
		return value;
	}
	const year = digits(value, 0, 4);
	const month = digits(value, 5, 2);
	const day = digits(value, 8, 2);
	const hour = digits(value, 11, 2);
	const minute = digits(value, 14, 2);
	const second = digits(value, 17, 2);
	if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
		return value;
	}
	if (second < 0 || second > 59) return value;
	const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) return value;
	return `${value.slice(0, 10)}T${value.slice(11, 19)}Z`;
}

/** The decimal number in value[start, start + count), or -1 if any character is not a digit. */
function digits(value: string, start: number, count: number): number {
	let n = 0;
	for (let i = start; i < start + count; i++) {
		const d = value.charCodeAt(i) - 48;
		if (d < 0 || d > 9) return -1;
		n = n * 10 + d;
	}
	return n;
}

/**
 * A test on the raw `send_result` value, run before a row object is built. A row is kept
 * when its group is in `groups` OR its code is in `sendResults`; with neither, every row is.
 */
export function createRowFilter(selection: RowSelection = {}): (sendResult: string) => boolean {
	const groups = new Set<string>(selection.groups ?? []);
	const codes = new Set<string>((selection.sendResults ?? []).map((code) => code.trim().toLowerCase()));
	if (groups.size === 0 && codes.size === 0) return () => true;
	const decided = new Map<string, boolean>();
	return (sendResult) => {
		let keep = decided.get(sendResult);
		if (keep === undefined) {
			keep = codes.has(sendResult.trim().toLowerCase()) || groups.has(describeSendResult(sendResult).group);
			if (decided.size < 10_000) decided.set(sendResult, keep);
		}
		return keep;
	};
}

/**
 * Header + records in batches → selected rows in batches (the fast path). The first record
 * is the header. Reading stops as soon as `limit` rows have been produced; finding a row
 * beyond `maxRowsHeld` fails before that row is built.
 */
export async function* shapeRowBatches(
	batches: AsyncIterable<string[][]>,
	options: ShapeRowsOptions = {},
): AsyncGenerator<ReportRow[]> {
	const limit = options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
	if (limit === 0) return;
	const maxRowsHeld = options.maxRowsHeld ?? Infinity;
	const keep = createRowFilter(options);
	let shape: ((record: string[]) => ReportRow) | undefined;
	let sendResult = 0;
	let produced = 0;
	for await (const batch of batches) {
		const rows: ReportRow[] = [];
		let k = 0;
		if (!shape) {
			if (batch.length === 0) continue;
			const columns = resolveColumns(batch[0], options);
			shape = shaperFor(columns, options);
			sendResult = columns.sendResult;
			k = 1;
		}
		for (; k < batch.length; k++) {
			const record = batch[k];
			if (!keep(record[sendResult] ?? '')) continue;
			if (produced >= maxRowsHeld) throw tooManyRows(maxRowsHeld);
			rows.push(shape(record));
			if (++produced >= limit) break;
		}
		if (rows.length > 0) yield rows;
		if (produced >= limit) return;
	}
}

/** Header + records one by one → selected rows one by one; stops reading at `limit`. */
export async function* shapeRows(
	records: AsyncIterable<string[]>,
	options: ShapeRowsOptions = {},
): AsyncGenerator<ReportRow> {
	for await (const rows of shapeRowBatches(oneByOne(records), options)) yield* rows;
}

async function* oneByOne(records: AsyncIterable<string[]>): AsyncGenerator<string[][]> {
	for await (const record of records) yield [record];
}
