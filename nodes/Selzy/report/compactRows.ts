/**
 * Memory of kept rows. Row cells are slices of the decoded download chunk they came from, and a
 * row that stays in memory keeps its whole chunk alive: with a status filter that keeps 5 % of
 * the rows, that is still every chunk of the file. So long values are copied out (the JSON round
 * trip gives a flat, one-byte-where-possible copy, exact for any string) and repeated ones
 * (send_result, field values) are shared. Values are unchanged; only their memory changes.
 */
import type { ReportRow } from './rows';

/** V8 makes a `slice` of 13 or more characters a view that keeps its whole parent string alive. */
const SLICE_MIN_LENGTH = 13;
/** Distinct values shared per column; a column with more (ids, notes) is only copied. */
const SHARED_VALUES_LIMIT = 10_000;

export function createRowCompactor(): (row: ReportRow) => ReportRow {
	const shared = new Map<string, Map<string, string>>();
	const copy = (value: string): string =>
		value.length < SLICE_MIN_LENGTH ? value : (JSON.parse(JSON.stringify(value)) as string);
	const share = (column: string, value: string): string => {
		let values = shared.get(column);
		if (!values) shared.set(column, (values = new Map()));
		const known = values.get(value);
		if (known !== undefined) return known;
		const copied = copy(value);
		if (values.size < SHARED_VALUES_LIMIT) values.set(copied, copied);
		return copied;
	};
	return (row) => {
		if (row.email !== undefined) row.email = copy(row.email);
		if (row.phone !== undefined) row.phone = copy(row.phone);
		row.send_result = share('', row.send_result);
		// A ConsString built from short pieces: flattening it now saves its parts.
		if (row.last_update !== null) row.last_update = copy(row.last_update);
		const fields = row.fields;
		for (const key in fields) fields[key] = share(key, fields[key]);
		return row;
	};
}
