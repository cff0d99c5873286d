/**
 * Shape stage for rows "as in the file": one object per record, keyed by the file's own column
 * names, values exactly as written (no derived fields). Used for contact exports, for delivery
 * reports with Row Format "As in the file", and for task types the package does not know.
 *
 * Column names lose a byte order mark and surrounding spaces; an empty name becomes `column_<n>`,
 * a name n8n would drop becomes `<name>_column` (see columnKey) and a repeated one gets `_2`,
 * `_3`… so no value is lost. Short records get '' for missing cells; cells beyond the header are
 * ignored.
 */
import { neutralizeFormula } from './formulas';
import { tooManyRows } from './limits';

export type FileRow = Record<string, string>;

export interface FileRowOptions {
	/** Stop after this many (selected) rows; reading stops too. */
	limit?: number;
	/** Fail (ReportLimitError) rather than produce more rows than this. */
	maxRowsHeld?: number;
	/** Prefix values and column names a spreadsheet would run as formulas (see formulas.ts). */
	neutralizeFormulas?: boolean;
	/** Given the header, a test on each raw record (a status filter); without it every record is kept. */
	selectFor?: (header: string[]) => (record: string[]) => boolean;
}

/** Keys n8n leaves out whenever it copies an item (n8n-workflow's deepCopy skips them). */
const KEYS_N8N_DROPS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A column name as an item key. `__proto__`, `constructor` and `prototype` get `_column`
 * appended (`constructor_column`): under their own names n8n would drop their values.
 */
export function columnKey(name: string): string {
	return KEYS_N8N_DROPS.has(name) ? `${name}_column` : name;
}

/** The keys rows get, in the file's column order. */
export function fileColumnKeys(header: string[], neutralize = false): string[] {
	const taken = new Set<string>();
	return header.map((raw, index) => {
		const written = raw.replace(/^\uFEFF/, '').trim() || `column_${index + 1}`;
		const base = columnKey(neutralize ? neutralizeFormula(written) : written);
		let key = base;
		for (let n = 2; taken.has(key); n++) key = `${base}_${n}`;
		taken.add(key);
		return key;
	});
}

/** Turns one record into a row keyed by `keys` (from fileColumnKeys, so no key is `__proto__`). */
export function createFileRowShaper(keys: string[], neutralize = false): (record: string[]) => FileRow {
	const cell = neutralize ? neutralizeFormula : (value: string) => value;
	if (keys.some(isArrayIndex)) return createParsedObjectBuilder(keys, cell);
	return (record) => {
		const row: FileRow = {};
		for (let k = 0; k < keys.length; k++) row[keys[k]] = cell(record[k] ?? '');
		return row;
	};
}

/** A column name V8 stores as an array index ("101", a field ID), not as a named property. */
export function isArrayIndex(key: string): boolean {
	return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}

/**
 * Objects with number-like keys (rows, or a row's `fields`), built by JSON.parse: assigning `row["101"] = …` makes V8
 * reserve room for every index below it (about 1.2 KB per row, 1.2 GB for a million rows), while
 * a parsed object holds exactly its own values.
 */
export function createParsedObjectBuilder(
	keys: string[],
	cell: (value: string) => string,
	indices: number[] = keys.map((_, index) => index),
): (record: string[]) => FileRow {
	const names = keys.map((key, index) => `${index === 0 ? '' : ','}${JSON.stringify(key)}:`);
	return (record) => {
		let text = '{';
		for (let k = 0; k < names.length; k++) text += names[k] + JSON.stringify(cell(record[indices[k]] ?? ''));
		return JSON.parse(text + '}') as FileRow;
	};
}

/**
 * Header + records in batches → rows in batches. Reading stops as soon as `limit` rows have
 * been produced; finding a row beyond `maxRowsHeld` fails before that row is built.
 */
export async function* shapeFileRowBatches(
	batches: AsyncIterable<string[][]>,
	options: FileRowOptions = {},
): AsyncGenerator<FileRow[]> {
	const limit = options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
	if (limit === 0) return;
	const maxRowsHeld = options.maxRowsHeld ?? Infinity;
	let shape: ((record: string[]) => FileRow) | undefined;
	let keep: (record: string[]) => boolean = () => true;
	let produced = 0;
	for await (const batch of batches) {
		const rows: FileRow[] = [];
		let k = 0;
		if (!shape) {
			if (batch.length === 0) continue;
			shape = createFileRowShaper(fileColumnKeys(batch[0], options.neutralizeFormulas), options.neutralizeFormulas);
			if (options.selectFor) keep = options.selectFor(batch[0]);
			k = 1;
		}
		for (; k < batch.length; k++) {
			const record = batch[k];
			if (!keep(record)) continue;
			if (produced >= maxRowsHeld) throw tooManyRows(maxRowsHeld);
			rows.push(shape(record));
			if (++produced >= limit) break;
		}
		if (rows.length > 0) yield rows;
		if (produced >= limit) return;
	}
}

/** V8 makes a `slice` of 13 or more characters a view that keeps its whole parent string alive. */
const SLICE_MIN_LENGTH = 13;
/** Distinct values shared per column; a column with more (emails, ids) is only copied. */
const SHARED_VALUES_LIMIT = 1_000;

/**
 * Memory of kept rows (see compactRows.ts for why): long values are copied out of their download
 * chunk, and values repeated within a column (statuses, tags, cities) are shared. Values are
 * unchanged; only their memory changes.
 */
export function createFileRowCompactor(): (row: FileRow) => FileRow {
	const shared = new Map<string, Map<string, string> | null>();
	const copy = (value: string): string =>
		value.length < SLICE_MIN_LENGTH ? value : (JSON.parse(JSON.stringify(value)) as string);
	return (row) => {
		for (const key in row) {
			const value = row[key];
			let values = shared.get(key);
			if (values === undefined) shared.set(key, (values = new Map()));
			if (values === null) {
				row[key] = copy(value);
				continue;
			}
			const known = values.get(value);
			if (known !== undefined) {
				row[key] = known;
				continue;
			}
			const copied = copy(value);
			if (values.size < SHARED_VALUES_LIMIT) values.set(copied, copied);
			// A column of mostly distinct values is not worth a lookup per cell.
			else shared.set(key, null);
			row[key] = copied;
		}
		return row;
	};
}

/** The first `keep` rows as in the file and how many rows the file has (rows past the sample are only counted). */
export async function sampleFileRowBatches(
	batches: AsyncIterable<string[][]>,
	keep: number,
): Promise<{ rows: FileRow[]; total: number }> {
	const rows: FileRow[] = [];
	let shape: ((record: string[]) => FileRow) | undefined;
	let total = 0;
	for await (const batch of batches) {
		let k = 0;
		if (!shape) {
			if (batch.length === 0) continue;
			shape = createFileRowShaper(fileColumnKeys(batch[0]));
			k = 1;
		}
		for (; k < batch.length; k++) {
			if (rows.length < keep) rows.push(shape(batch[k]));
			total++;
		}
	}
	return { rows, total };
}
