/**
 * The first few selected rows of a report and how many rows were selected in all. Rows past the
 * sample are only counted (their send_result is tested; no row object is built), so memory stays
 * bounded however long the report is.
 */
import { createRowFilter, createRowShaper, resolveColumns, type ReportRow, type RowSelection, type ShapeOptions } from './rows';

export interface RowSampleOptions extends ShapeOptions, RowSelection {
	/** How many rows to keep. */
	keep: number;
}

export interface RowSample {
	rows: ReportRow[];
	/** Selected rows in the whole report. */
	total: number;
}

/** Header + records in batches (the first record is the header) → the sample and the count. */
export async function sampleRowBatches(batches: AsyncIterable<string[][]>, options: RowSampleOptions): Promise<RowSample> {
	const keep = Math.max(0, Math.floor(options.keep));
	const selected = createRowFilter(options);
	const rows: ReportRow[] = [];
	let shape: ((record: string[]) => ReportRow) | undefined;
	let sendResult = 0;
	let total = 0;
	for await (const batch of batches) {
		let k = 0;
		if (!shape) {
			if (batch.length === 0) continue;
			shape = createRowShaper(batch[0], options);
			sendResult = resolveColumns(batch[0], options).sendResult;
			k = 1;
		}
		for (; k < batch.length; k++) {
			const record = batch[k];
			if (!selected(record[sendResult] ?? '')) continue;
			if (rows.length < keep) rows.push(shape(record));
			total++;
		}
	}
	return { rows, total };
}
