/**
 * Sends an import in batches of Selzy's size: rows are read as they come (a file is never held
 * whole), 500 to a call, a few calls at a time through the shared rate limiter. A batch holding
 * a contact that a batch still on its way also holds waits for it, so the later row wins as in
 * the input. importContacts is an upsert, so a batch without an answer within the timeout (or
 * whose connection broke) is sent again, at most twice; any other failure names the batch and
 * the rows it held.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { IMPORT_ATTEMPTS, MAX_IMPORT_ROWS } from '../../transport/contactFields';
import { selzyApiRequest } from '../../transport/request';
import { anySignal } from '../../transport/wait';
import { contactOf, type ImportColumns, type ImportRow } from './importColumns';
import type { ImportBatch, ImportTally } from './importResults';

export interface ImportSettings {
	overwriteTags: boolean;
	overwriteLists: boolean;
	/** Batches on their way at once. */
	parallelBatches: number;
	/** How long Selzy may take to answer one batch. */
	answerTimeoutMs: number;
	callsPerMinute?: number;
	/** Continue On Fail: a failed batch becomes error items and the import goes on. */
	continueOnFail: boolean;
}

/** Sends `rows` (in order) as batches and records Selzy's answers in `tally`. */
export async function sendInBatches(
	context: IExecuteFunctions,
	columns: ImportColumns,
	rows: AsyncIterable<ImportRow> | Iterable<ImportRow>,
	settings: ImportSettings,
	tally: ImportTally,
	describe: (batch: ImportBatch) => string,
): Promise<void> {
	const stop = new AbortController();
	const signal = anySignal(context.getExecutionCancelSignal(), stop.signal);
	const inFlight = new Set<Promise<void>>();
	/** Contacts of the batches on their way. */
	const busy = new Map<string, number>();
	let failure: unknown;
	let number = 0;

	const launch = async (batchRows: ImportRow[]) => {
		const batch: ImportBatch = { number: ++number, rows: batchRows };
		const contacts = [...new Set(batchRows.map((row) => contactOf(columns, row.values).toLowerCase()).filter(Boolean))];
		while (inFlight.size >= settings.parallelBatches || contacts.some((contact) => busy.has(contact))) await Promise.race(inFlight);
		if (failure !== undefined) return;
		for (const contact of contacts) busy.set(contact, (busy.get(contact) ?? 0) + 1);
		const sent: Promise<void> = sendBatch(context, columns, batch, settings, signal)
			.then(
				(answer) => tally.answered(batch, answer),
				(error: unknown) => {
					const named = batchError(context, error, batch, describe(batch));
					if (settings.continueOnFail && !context.getExecutionCancelSignal()?.aborted) tally.failed(batch, named.message);
					else if (failure === undefined) {
						failure = named;
						stop.abort();
					}
				},
			)
			.finally(() => {
				for (const contact of contacts) {
					const left = (busy.get(contact) ?? 1) - 1;
					if (left) busy.set(contact, left);
					else busy.delete(contact);
				}
				inFlight.delete(sent);
			});
		inFlight.add(sent);
	};

	let pending: ImportRow[] = [];
	for await (const row of rows) {
		if (failure !== undefined || signal?.aborted) break;
		pending.push(row);
		if (pending.length === MAX_IMPORT_ROWS) {
			await launch(pending);
			pending = [];
		}
	}
	if (pending.length && failure === undefined && !signal?.aborted) await launch(pending);
	await Promise.all(inFlight);
	if (failure !== undefined) throw failure;
	if (context.getExecutionCancelSignal()?.aborted) throw new NodeOperationError(context.getNode(), 'The execution was canceled');
}

/** One importContacts call: `field_names[i]` and `data[row][column]`, as Selzy reads them. */
async function sendBatch(
	context: IExecuteFunctions,
	columns: ImportColumns,
	batch: ImportBatch,
	settings: ImportSettings,
	signal: AbortSignal | undefined,
): Promise<unknown> {
	const params: IDataObject = { overwrite_tags: settings.overwriteTags ? 1 : 0, overwrite_lists: settings.overwriteLists ? 1 : 0 };
	columns.names.forEach((name, column) => (params[`field_names[${column}]`] = name));
	batch.rows.forEach((row, at) => row.values.forEach((value, column) => (params[`data[${at}][${column}]`] = value)));
	return await selzyApiRequest.call(context, 'importContacts', params, {
		upsert: { attempts: IMPORT_ATTEMPTS, attemptTimeoutMs: settings.answerTimeoutMs },
		callsPerMinute: settings.callsPerMinute,
		signal,
	});
}

/** The failure of a batch, saying which batch and which rows, and that a new run is safe. */
function batchError(context: IExecuteFunctions, error: unknown, batch: ImportBatch, rows: string): NodeApiError | NodeOperationError {
	if (context.getExecutionCancelSignal()?.aborted) return new NodeOperationError(context.getNode(), 'The execution was canceled');
	const named = error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(context.getNode(), error as Error);
	named.message = `Batch ${batch.number} (${rows}) was not imported: ${named.message}`;
	named.description = [
		named.description,
		'Batches Selzy answered before it were imported; the others were stopped. Importing the same contacts again is safe: Selzy matches them by email or phone.',
	]
		.filter(Boolean)
		.join(' ');
	return named;
}
