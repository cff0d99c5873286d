/**
 * Where an import's contacts come from: the input items (columns mapped in the node, or the
 * items' own keys), a JSON list in each item, or a CSV file in a binary property. Every row is
 * checked before anything is sent; a file is read twice for it (once to check, once to send), as
 * a stream both times, through the report core's decoding and CSV parser.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';

import { createReportMeta } from '../../report/decode';
import { ReportError } from '../../report/errors';
import { recordBatchesFromReport } from '../../report/pipeline';
import { nodeError } from './contactParameters';
import { cellText, checkRow, importColumns, type ImportColumns, type ImportRow } from './importColumns';
import type { ImportBatch } from './importResults';

/** A row that cannot be sent, and why. */
export interface RowProblem {
	row: ImportRow;
	problem: string;
}

export interface ItemsInput {
	columns: ImportColumns;
	rows: ImportRow[];
	problems: RowProblem[];
	describe(batch: ImportBatch): string;
}

interface SourceRecord {
	item: number;
	label: string;
	row?: number;
	values?: Record<string, unknown>;
	problem?: string;
}

/**
 * Rows from the input items: each item's mapped columns (`columns` in Map Each Column Below),
 * its own keys (Map Automatically), or the contacts of its JSON list (`json`). `userFields`
 * decides which keys are the account's fields; the others are left out.
 */
export async function rowsFromItems(
	context: IExecuteFunctions,
	source: 'columns' | 'json',
	userFields: () => Promise<ReadonlySet<string>>,
	addToLists: string[],
): Promise<ItemsInput> {
	const autoMap = source === 'columns' && context.getNodeParameter('columns.mappingMode', 0, 'defineBelow') === 'autoMapInputData';
	const records = source === 'json' ? jsonRecords(context) : itemRecords(context, autoMap);
	const names: string[] = [];
	const seen = new Set<string>();
	for (const { values } of records) {
		// A column left empty for every item (a field shown but not filled in) is not sent, so it clears nothing.
		for (const [name, value] of Object.entries(values ?? {})) if (value !== null && value !== undefined && !seen.has(name) && seen.add(name)) names.push(name);
	}
	const known = source === 'json' || autoMap ? await userFields() : undefined;
	const columns = importColumns(names, known, addToLists);
	if (typeof columns === 'string') throw new NodeOperationError(context.getNode(), `Nothing was imported: ${columns}`, { description: NOTHING_SENT });

	const rows: ImportRow[] = [];
	const problems: RowProblem[] = [];
	records.forEach((record, place) => {
		const texts = columns.names.map((name) => cellText(record.values?.[name]));
		const row: ImportRow = { place, item: record.item, label: record.label, row: record.row, values: texts.map((text) => text ?? '') };
		const objectAt = texts.indexOf(undefined);
		const problem = record.problem ?? (objectAt >= 0 ? `the value of ${columns.names[objectAt]} is an object, not text` : checkRow(columns, row.values));
		if (problem) problems.push({ row, problem });
		else rows.push(row);
	});
	const items = (batch: ImportBatch) => ranges(batch.rows.map((row) => row.item));
	const describe = source === 'json' ? (batch: ImportBatch) => `${batch.rows.length} contacts of items ${items(batch)}` : (batch: ImportBatch) => `items ${items(batch)}`;
	return { columns, rows, problems, describe };
}

function itemRecords(context: IExecuteFunctions, autoMap: boolean): SourceRecord[] {
	return context.getInputData().map((item, index) => {
		const label = `item ${index}`;
		if (autoMap) return { item: index, label, values: item.json };
		try {
			return { item: index, label, values: context.getNodeParameter('columns.value', index, {}) as IDataObject };
		} catch (error) {
			return { item: index, label, problem: (error as Error).message };
		}
	});
}

/** Each item's `contacts`: a JSON list of objects keyed by Selzy's field names (or one such object). */
function jsonRecords(context: IExecuteFunctions): SourceRecord[] {
	return context.getInputData().flatMap((_, index): SourceRecord[] => {
		let value: unknown = context.getNodeParameter('contacts', index, '[]');
		try {
			if (typeof value === 'string') value = JSON.parse(value);
		} catch {
			return [{ item: index, label: `item ${index}`, problem: 'Contacts is not valid JSON: give a list such as [{"email": "ann@example.com"}]' }];
		}
		const list = Array.isArray(value) ? value : [value];
		return list.map((contact, at) => {
			const label = `contact ${at + 1} of item ${index}`;
			const isObject = typeof contact === 'object' && contact !== null && !Array.isArray(contact);
			return isObject ? { item: index, label, row: at + 1, values: contact as IDataObject } : { item: index, label, row: at + 1, problem: 'it is not an object of field names and values' };
		});
	});
}

export interface FileInput {
	columns: ImportColumns;
	/** Data rows in the file (the header not counted). */
	rowCount: number;
	/** The file's rows, read again from the start. */
	rows(): AsyncIterable<ImportRow>;
	describe(batch: ImportBatch): string;
}

/** At most this many rows' problems are named in an error. */
const PROBLEMS_SHOWN = 5;

/**
 * The CSV file of item `item`: its header gives the columns, then every row is checked (the
 * whole file, as a stream) before the caller sends anything.
 */
export async function fileInput(
	context: IExecuteFunctions,
	item: number,
	property: string,
	userFields: ReadonlySet<string>,
	addToLists: string[],
): Promise<FileInput> {
	const binary = context.helpers.assertBinaryData(item, property);
	const what = `The file${binary.fileName ? ` "${binary.fileName}"` : ''} in item ${item}`;
	let columns: ImportColumns | undefined;
	let rowCount = 0;
	const problems: string[] = [];
	let problemCount = 0;
	for await (const row of fileRows(context, binary, item, what, (header) => (columns = headerColumns(context, header, userFields, addToLists, what)))) {
		rowCount++;
		const problem = checkRow(columns!, row.values);
		if (!problem) continue;
		if (problemCount++ < PROBLEMS_SHOWN) problems.push(`row ${row.row}: ${problem}`);
	}
	if (!columns) throw new NodeOperationError(context.getNode(), `${what} is empty: it has no header row`, { itemIndex: item, description: NOTHING_SENT });
	if (problemCount) {
		const more = problemCount > problems.length ? `; ${problemCount} rows in all` : '';
		throw new NodeOperationError(context.getNode(), `${what} cannot be imported: ${problems.join('; ')}${more}`, { itemIndex: item, description: NOTHING_SENT });
	}
	const checked = columns;
	return {
		columns: checked,
		rowCount,
		rows: async function* () {
			for await (const row of fileRows(context, binary, item, what, () => checked)) {
				checkRow(checked, row.values);
				yield row;
			}
		},
		describe: (batch) => `rows ${batch.rows[0].row}–${batch.rows[batch.rows.length - 1].row} of the file in item ${item}`,
	};
}

/** The file's data rows with their values in the columns' order; `onHeader` turns the header into columns. */
async function* fileRows(
	context: IExecuteFunctions,
	binary: IBinaryData,
	item: number,
	what: string,
	onHeader: (header: string[]) => ImportColumns,
): AsyncGenerator<ImportRow> {
	const bytes = binary.id ? await context.helpers.getBinaryStream(binary.id) : inMemory(Buffer.from(binary.data, BINARY_ENCODING));
	let positions: number[] | undefined;
	let width = 0;
	let row = 0;
	try {
		for await (const records of recordBatchesFromReport(bytes, { contentType: binary.mimeType, fileName: binary.fileName }, createReportMeta())) {
			for (const record of records) {
				if (!positions) {
					const header = record.map((name) => name.trim());
					const columns = onHeader(header);
					positions = columns.names.map((name) => header.indexOf(name));
					width = header.length;
					continue;
				}
				row++;
				if (record.length > width && record.slice(width).some((value) => value !== '')) {
					throw new NodeOperationError(context.getNode(), `${what} cannot be imported: row ${row} has ${record.length} values, but the header names ${width} columns`, {
						itemIndex: item,
						description: NOTHING_SENT,
					});
				}
				yield { place: row - 1, item, label: `row ${row}`, row, values: positions.map((at) => (at >= 0 ? (record[at] ?? '') : '')) };
			}
		}
	} catch (error) {
		if (!(error instanceof ReportError)) throw nodeError(context, error, item);
		throw new NodeOperationError(context.getNode(), `${what} could not be read: ${error.message}`, { itemIndex: item, description: error.hint ?? NOTHING_SENT });
	}
}

/** A file n8n keeps in the item itself (binary mode default). */
async function* inMemory(bytes: Buffer): AsyncGenerator<Uint8Array> {
	yield bytes;
}

function headerColumns(context: IExecuteFunctions, header: string[], userFields: ReadonlySet<string>, addToLists: string[], what: string): ImportColumns {
	const columns = importColumns(header, userFields, addToLists);
	if (typeof columns === 'string') throw new NodeOperationError(context.getNode(), `${what} cannot be imported: ${columns}`, { description: NOTHING_SENT });
	return columns;
}

const NOTHING_SENT = 'Nothing was sent to Selzy: every row is checked before the first batch goes out.';

/** Item numbers as ranges: "0–499", "3, 5–7"; at most five ranges. */
function ranges(items: number[]): string {
	const sorted = [...new Set(items)].sort((a, b) => a - b);
	const parts: string[] = [];
	for (let at = 0; at < sorted.length; ) {
		let end = at;
		while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
		parts.push(end > at ? `${sorted[at]}–${sorted[end]}` : String(sorted[at]));
		at = end + 1;
	}
	return parts.length > 5 ? `${parts.slice(0, 5).join(', ')}, …` : parts.join(', ');
}
