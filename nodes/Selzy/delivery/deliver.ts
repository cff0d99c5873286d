/**
 * The n8n side of a finished task: the report downloaded and returned as the node's chosen
 * output (a stored file, one item per recipient, or a summary), and any failure as an n8n error.
 * Everything between the bytes and the rows is the report core (../report), free of n8n.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { createRowCompactor } from '../report/compactRows';
import { createReportMeta, type ReportMeta } from '../report/decode';
import { formatMegabytes } from '../report/limits';
import { recordBatchesFromReport } from '../report/pipeline';
import { shapeRowBatches } from '../report/rows';
import { summarizeRecordBatches } from '../report/summary';
import { fetchFieldNamesById } from '../transport/catalog';
import { openReportDownload, type ReportContext, type ReportDownload } from '../transport/download';
import type { SelzyTask } from '../transport/tasks';
import { storeReportFile } from './binaryFile';
import { reportFailure } from './failures';
import { readReportSettings, type ReportOutput, type ReportSettings } from './settings';

/**
 * Delivers a completed task as `output`, with the report options of the node (`options`):
 * the one way every node and callback turns a finished task into items. With `itemIndex`, the
 * items are paired with that input item and errors name it; `signal` ends the download early.
 */
export async function deliverCompletedTask(
	context: ReportContext,
	task: SelzyTask,
	output: ReportOutput,
	options: IDataObject,
	itemIndex?: number,
	signal?: AbortSignal,
): Promise<INodeExecutionData[]> {
	const settings = readReportSettings(output, options);
	let items: INodeExecutionData[];
	try {
		if (output === 'rows') settings.fieldNamesById = await fetchFieldNamesById.call(context);
		items = await deliverReport(context, task, settings, signal);
	} catch (error) {
		throw reportFailure(context.getNode(), error, task, itemIndex);
	}
	if (itemIndex !== undefined) {
		const pairedItem = { item: itemIndex };
		for (const item of items) item.pairedItem = pairedItem;
	}
	return items;
}

/**
 * Downloads a completed task's report and turns it into items. Rows and summaries parse the
 * download as it streams; the file goes straight into n8n's binary store.
 */
async function deliverReport(
	context: ReportContext,
	task: SelzyTask,
	settings: ReportSettings,
	signal?: AbortSignal,
): Promise<INodeExecutionData[]> {
	const opened = await openReport(context, task, settings, signal);
	const { download, log, started } = opened;
	const taskJson = publicTask(task);

	if (settings.output === 'file') {
		const binary = await storeReportFile(context, download, settings);
		log(`stored ${formatMegabytes(download.bytesRead())} in ${Date.now() - started} ms`);
		return [
			{
				json: { ...taskJson, fileName: binary.fileName, fileSize: download.bytesRead(), mimeType: binary.mimeType },
				binary: { [settings.binaryPropertyName]: binary },
			},
		];
	}

	const { batches, meta } = recordBatchesOf(opened, settings);
	if (settings.output === 'summary') {
		const summary = await summarizeRecordBatches(batches);
		log(`summarised ${summary.total} rows in ${Date.now() - started} ms`);
		return [{ json: { ...taskJson, ...(summary as unknown as IDataObject), report: describeFile(meta, download) } }];
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
	log(`${items.length} rows kept from ${formatMegabytes(download.bytesRead())} in ${Date.now() - started} ms`);
	return items;
}

interface OpenedReport {
	download: ReportDownload;
	log: (what: string) => void;
	started: number;
}

async function openReport(
	context: ReportContext,
	task: SelzyTask,
	settings: ReportSettings,
	signal?: AbortSignal,
): Promise<OpenedReport> {
	if (!task.file_to_download) {
		throw new Error(`Task ${task.task_uuid} is ${task.status} and has no file to download yet`);
	}
	const started = Date.now();
	const log = (what: string) => context.logger.info(`Selzy report ${task.task_uuid}: ${what}`);
	const download = await openReportDownload(context, task.file_to_download, {
		stallTimeoutMs: settings.stallTimeoutMs,
		maxBytes: settings.maxDownloadBytes,
		timeLimitMs: settings.downloadTimeLimitMs,
		signal,
		onProgress: (bytes) => log(`${formatMegabytes(bytes)} downloaded`),
	});
	return { download, log, started };
}

/** Batches of records: per-row async steps would cost more than the parsing itself. */
function recordBatchesOf(opened: OpenedReport, settings: ReportSettings) {
	const meta = createReportMeta();
	const { download } = opened;
	const batches = recordBatchesFromReport(
		download.bytes,
		{ contentType: download.contentType, fileName: download.fileName },
		meta,
		{ unpackLimits: settings.unpackLimits },
	);
	return { batches, meta };
}

/**
 * Opens a completed task's report as batches of records and hands them to `read` (the first
 * record is the header), with the same settings, bounds and errors as every other output.
 */
export async function readCompletedTask<T>(
	context: ReportContext,
	task: SelzyTask,
	options: IDataObject,
	read: (batches: AsyncIterable<string[][]>, settings: ReportSettings) => Promise<T>,
	itemIndex?: number,
	signal?: AbortSignal,
): Promise<T> {
	const settings = readReportSettings('rows', options);
	try {
		settings.fieldNamesById = await fetchFieldNamesById.call(context);
		const opened = await openReport(context, task, settings, signal);
		const result = await read(recordBatchesOf(opened, settings).batches, settings);
		opened.log(`read ${formatMegabytes(opened.download.bytesRead())} in ${Date.now() - opened.started} ms`);
		return result;
	} catch (error) {
		throw reportFailure(context.getNode(), error, task, itemIndex);
	}
}

/** The task as users see it: the file link is kept, since it is what Task → Get Result would return too. */
function publicTask(task: SelzyTask): IDataObject {
	const { task_uuid, task_type, status, file_to_download } = task;
	return { task_uuid, task_type, status, file_to_download };
}

function describeFile(meta: ReportMeta, download: ReportDownload): IDataObject {
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
