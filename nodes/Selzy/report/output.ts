import type { IBinaryData, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { createReportMeta, decodeReport, type ReportMeta } from './decode';
import { ReportError } from './errors';
import { downloadLimitsFrom, openReportDownload, type ReportContext, type ReportDownload } from './fetch';
import { DEFAULT_MAX_ROWS_HELD, DEFAULT_UNPACK_LIMITS, type UnpackLimits } from './limits';
import { recordBatchesFromReport } from './pipeline';
import { shapeRowBatches, type ReportRow } from './rows';
import type { StatusGroup } from './statuses';
import { summarizeRecordBatches } from './summary';

export type ReportOutput = 'file' | 'rows' | 'summary';

/** A Selzy async task as `getTaskResult` (or its callback) describes it. */
export interface SelzyTask extends IDataObject {
	task_uuid: string;
	task_type?: string;
	status: string;
	file_to_download?: string;
}

export interface ReportSettings {
	output: ReportOutput;
	binaryPropertyName: string;
	fileName: string;
	statusGroups: StatusGroup[];
	sendResults: string[];
	limit: number;
	/** Rows output fails rather than return more rows than this. */
	maxRowsHeld: number;
	neutralizeFormulas: boolean;
	unpackLimits: UnpackLimits;
	stallTimeoutMs: number;
	maxDownloadBytes: number;
	downloadTimeLimitMs: number;
	/** Additional-field column headers that are field ids get these names. */
	fieldNamesById?: Record<string, string>;
}

/** A whole number ≥ `min` from an option, or `fallback` when it is missing or not a number. */
function wholeNumber(value: unknown, fallback: number, min: number): number {
	const number = Number(value ?? fallback);
	return Number.isFinite(number) ? Math.max(min, Math.floor(number)) : fallback;
}

/** Reads the shared report options; `read` hides the difference between execute and webhook contexts. */
export function readReportSettings(output: ReportOutput, options: IDataObject): ReportSettings {
	return {
		output,
		binaryPropertyName: String(options.binaryPropertyName || 'data'),
		fileName: String(options.fileName ?? '').trim(),
		statusGroups: (options.statusGroups as StatusGroup[] | undefined) ?? [],
		sendResults: String(options.sendResults ?? '')
			.split(',')
			.map((value) => value.trim())
			.filter(Boolean),
		limit: Math.max(0, Math.floor(Number(options.maxRows ?? 0))),
		maxRowsHeld: wholeNumber(options.rowSafetyLimit, DEFAULT_MAX_ROWS_HELD, 1),
		neutralizeFormulas: options.neutralizeFormulas === true,
		unpackLimits: {
			maxUnpackedBytes:
				wholeNumber(options.maxUnpackedSize, DEFAULT_UNPACK_LIMITS.maxUnpackedBytes / 1024 / 1024, 1) * 1024 * 1024,
			maxUnpackRatio: wholeNumber(options.maxUnpackRatio, DEFAULT_UNPACK_LIMITS.maxUnpackRatio, 1),
		},
		stallTimeoutMs: Math.max(5, Number(options.stallTimeout ?? 60)) * 1000,
		...downloadLimitsFrom(options),
	};
}

/**
 * Downloads a completed task's report and turns it into items: the file itself, one item per
 * recipient, or a summary. Rows and summaries parse the download as it streams.
 */
export async function deliverReport(
	context: ReportContext,
	task: SelzyTask,
	settings: ReportSettings,
): Promise<INodeExecutionData[]> {
	if (!task.file_to_download) {
		throw new Error(`Task ${task.task_uuid} is ${task.status} and has no file to download yet`);
	}
	const started = Date.now();
	const download = await openReportDownload(context, task.file_to_download, {
		stallTimeoutMs: settings.stallTimeoutMs,
		maxBytes: settings.maxDownloadBytes,
		timeLimitMs: settings.downloadTimeLimitMs,
		onProgress: (bytes) =>
			context.logger.info(`Selzy report ${task.task_uuid}: ${formatBytes(bytes)} downloaded`),
	});
	const taskJson = publicTask(task);

	if (settings.output === 'file') {
		const binary = await storeFile(context, download, settings);
		context.logger.info(
			`Selzy report ${task.task_uuid}: stored ${formatBytes(download.bytesRead())} in ${Date.now() - started} ms`,
		);
		return [
			{
				json: { ...taskJson, fileName: binary.fileName, fileSize: download.bytesRead(), mimeType: binary.mimeType },
				binary: { [settings.binaryPropertyName]: binary },
			},
		];
	}

	// Batches of records: per-row async steps would cost more than the parsing itself.
	const meta = createReportMeta();
	const batches = recordBatchesFromReport(
		download.bytes,
		{ contentType: download.contentType, fileName: download.fileName },
		meta,
		{ unpackLimits: settings.unpackLimits },
	);

	if (settings.output === 'summary') {
		const summary = await summarizeRecordBatches(batches);
		context.logger.info(
			`Selzy report ${task.task_uuid}: summarised ${summary.total} rows in ${Date.now() - started} ms`,
		);
		return [{ json: { ...taskJson, ...(summary as unknown as IDataObject), report: describeMeta(meta, download) } }];
	}

	const items: INodeExecutionData[] = [];
	const rowBatches = shapeRowBatches(batches, {
		fieldNamesById: settings.fieldNamesById,
		groups: settings.statusGroups,
		sendResults: settings.sendResults,
		limit: settings.limit || undefined,
		maxRowsHeld: settings.maxRowsHeld,
		neutralizeFormulas: settings.neutralizeFormulas,
	});
	const compact = createRowCompactor();
	for await (const rows of rowBatches) {
		for (const row of rows) items.push({ json: compact(row) as unknown as IDataObject });
	}
	context.logger.info(
		`Selzy report ${task.task_uuid}: ${items.length} rows kept from ${formatBytes(download.bytesRead())} in ${Date.now() - started} ms`,
	);
	return items;
}

/** V8 makes a `slice` of 13 or more characters a view that keeps its whole parent string alive. */
const SLICE_MIN_LENGTH = 13;
/** Distinct values shared per column; a column with more (ids, notes) is only copied. */
const SHARED_VALUES_LIMIT = 10_000;

/**
 * Row cells are slices of the decoded download chunk they came from, and a row that stays in
 * memory keeps its whole chunk alive: with a status filter that keeps 5 % of the rows, that is
 * still every chunk of the file. So long values are copied out (the JSON round trip gives a
 * flat, one-byte-where-possible copy, exact for any string) and repeated ones (send_result,
 * field values) are shared. Values are unchanged; only their memory changes.
 */
function createRowCompactor(): (row: ReportRow) => ReportRow {
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

async function storeFile(
	context: ReportContext,
	download: ReportDownload,
	settings: ReportSettings,
): Promise<IBinaryData> {
	const fileName = settings.fileName || download.fileName || 'delivery-report.csv';
	const mimeType = mimeTypeFor(download.contentType, fileName);
	let binary: IBinaryData;
	try {
		binary = await context.helpers.prepareBinaryData(download.toReadable(), fileName, mimeType);
	} catch (error) {
		// Other failures go on unchanged; reportFailure turns them into node errors.
		throw isBinaryStoreSizeLimit(error) ? binaryStoreSizeLimitError(context, error as Error) : error;
	}
	if (download.looksCompressed()) await checkArchive(context, binary, settings.unpackLimits);
	return binary;
}

/**
 * n8n's `database` binary-data mode (the default in queue mode) buffers a file and refuses it
 * above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE with n8n-core's FileTooLargeError.
 */
function isBinaryStoreSizeLimit(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	return (
		error.constructor?.name === 'FileTooLargeError' ||
		/N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE|max size limit of .* set for `database` mode/.test(error.message)
	);
}

function binaryStoreSizeLimitError(context: ReportContext, error: Error): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'The report file is too large for n8n’s binary data storage', {
		description:
			`${error.message.trim()} In this mode n8n keeps files in its database (N8N_DEFAULT_BINARY_DATA_MODE=database, ` +
			'the default in queue mode), up to N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (MiB, default 512, at most 1024). ' +
			'Choose the Rows or Summary output instead: they read the report while it downloads and store no file. ' +
			'Or raise N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, or use S3 binary data storage.',
	});
}

/**
 * A gzip or zip report cut short arrives "complete" when the server sends no length, so a stored
 * archive is read through once: a damaged one (or a decompression bomb, beyond `limits`) must not
 * be returned as the report. Plain text is not read back (in database mode that would load the
 * whole file again).
 */
async function checkArchive(context: ReportContext, binary: IBinaryData, limits: UnpackLimits): Promise<void> {
	const stored: AsyncIterable<Uint8Array> = binary.id
		? ((await context.helpers.getBinaryStream(binary.id)) as unknown as AsyncIterable<Uint8Array>)
		: (async function* () {
				yield Buffer.from(binary.data, 'base64');
			})();
	const meta = createReportMeta();
	const text = decodeReport(stored, {}, meta, limits);
	try {
		let step = await text.next();
		while (!step.done) step = await text.next();
	} finally {
		await text.return(undefined);
	}
}

function mimeTypeFor(contentType: string | undefined, fileName: string): string {
	const declared = contentType?.split(';')[0].trim().toLowerCase();
	if (declared && declared !== 'application/octet-stream' && declared !== 'binary/octet-stream') return declared;
	if (/\.csv$/i.test(fileName)) return 'text/csv';
	if (/\.json$/i.test(fileName)) return 'application/json';
	if (/\.zip$/i.test(fileName)) return 'application/zip';
	if (/\.gz$/i.test(fileName)) return 'application/gzip';
	return 'application/octet-stream';
}

/** The task as users see it: the file link is kept, since it is what Task → Get Result would return too. */
function publicTask(task: SelzyTask): IDataObject {
	const { task_uuid, task_type, status, file_to_download } = task;
	return { task_uuid, task_type, status, file_to_download };
}

function describeMeta(meta: ReportMeta, download: ReportDownload): IDataObject {
	const described: IDataObject = {
		format: meta.format,
		delimiter: meta.delimiter,
		compression: meta.compression,
		encoding: meta.encoding,
		bytes: download.bytesRead(),
	};
	if (meta.encodingNote) described.encodingNote = meta.encodingNote;
	return described;
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Turns any failure while delivering a report into an n8n error a user can act on. */
export function reportFailure(node: INode, error: unknown, task: SelzyTask, itemIndex?: number): NodeOperationError | NodeApiError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		if (error.description && !error.description.includes(task.task_uuid)) {
			error.description = `${error.description} Task ID: ${task.task_uuid}.`;
		}
		return error;
	}
	const message = error instanceof Error ? error.message : String(error);
	const hint = error instanceof ReportError ? error.hint : undefined;
	return new NodeOperationError(node, `The report of task ${task.task_uuid} could not be read: ${message}`, {
		itemIndex,
		description:
			hint ??
			'The file Selzy produced is not in a format this node understands. Choose the File output to get it unparsed, and report the case to the package maintainers.',
	});
}
