/**
 * The n8n side of a finished task: its file downloaded and returned as the chosen output (a stored
 * file, one item per row, or a summary), shaped by the task's kind (tasks/kinds.ts). Failures
 * become n8n errors. Everything between the bytes and the rows is the report core (../report),
 * free of n8n.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { createReportMeta, type ReportMeta } from '../report/decode';
import { formatMegabytes } from '../report/limits';
import { recordBatchesFromReport } from '../report/pipeline';
import type { RecordBatches, TaskKind } from '../tasks/kinds';
import type { SelzyTask } from '../tasks/task';
import { fetchFieldNamesById } from '../transport/catalog';
import { openReportDownload, type ReportContext, type ReportDownload } from '../transport/download';
import { storeTaskFile } from './binaryFile';
import { fileFailure } from './failures';
import { readFileSettings, type FileSettings, type Output } from './settings';

/** Which input item the items answer (paired with it, named in errors), and what ends the download early. */
export interface ItemScope {
	itemIndex?: number;
	signal?: AbortSignal;
}

/**
 * A completed task's file as `output`, with the node's file options (`options`): the one way
 * every node and callback turns a finished task's file into items.
 */
export async function itemsFromFile(
	context: ReportContext,
	task: SelzyTask,
	kind: TaskKind,
	output: Output,
	options: IDataObject,
	{ itemIndex, signal }: ItemScope = {},
): Promise<INodeExecutionData[]> {
	const settings = readFileSettings(output, options);
	let items: INodeExecutionData[];
	try {
		if (output === 'rows' && kind.namesFields(settings)) settings.fieldNamesById = await fetchFieldNamesById.call(context);
		items = await readFile(context, task, kind, settings, signal);
	} catch (error) {
		throw fileFailure(context.getNode(), error, task, kind, itemIndex);
	}
	if (itemIndex !== undefined) {
		const pairedItem = { item: itemIndex };
		for (const item of items) item.pairedItem = pairedItem;
	}
	return items;
}

/**
 * Downloads a completed task's file and turns it into items. Rows and summaries parse the
 * download as it streams; the file goes straight into n8n's binary store.
 */
async function readFile(
	context: ReportContext,
	task: SelzyTask,
	kind: TaskKind,
	settings: FileSettings,
	signal?: AbortSignal,
): Promise<INodeExecutionData[]> {
	const opened = await openFile(context, task, settings, signal);
	const { download, log, started } = opened;
	const taskJson = publicTask(task);

	if (settings.output === 'file') {
		const binary = await storeTaskFile(context, download, settings, kind);
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
		const summary = await kind.summarize(batches);
		log(`summarised ${summary.total} rows in ${Date.now() - started} ms`);
		// What users came for first (n8n's table shows columns in this order), then the task and the file.
		return [{ json: { ...summary, ...taskJson, report: describeFile(meta, download) } }];
	}

	const items: INodeExecutionData[] = [];
	for await (const rows of kind.rows(batches, settings)) {
		for (const row of rows) items.push({ json: row });
	}
	log(`${items.length} rows kept from ${formatMegabytes(download.bytesRead())} in ${Date.now() - started} ms`);
	return items;
}

interface OpenedFile {
	download: ReportDownload;
	log: (what: string) => void;
	started: number;
}

async function openFile(context: ReportContext, task: SelzyTask, settings: FileSettings, signal?: AbortSignal): Promise<OpenedFile> {
	if (!task.file_to_download) {
		throw new Error(`Task ${task.task_uuid} is ${task.status} and has no file to download yet`);
	}
	const started = Date.now();
	const log = (what: string) => context.logger.info(`Selzy task ${task.task_uuid}: ${what}`);
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
function recordBatchesOf(opened: OpenedFile, settings: FileSettings) {
	const meta = createReportMeta();
	const { download } = opened;
	const batches = recordBatchesFromReport(
		download.bytes,
		{ contentType: download.contentType, fileName: download.fileName },
		meta,
		{ unpackLimits: settings.unpackLimits, maxRecordChars: settings.maxRecordChars },
	);
	return { batches, meta };
}

/**
 * Opens a completed task's file as batches of records and hands them to `read`, with the same
 * settings, bounds and errors as every other output (a tool's sample of rows).
 */
export async function readTaskFile<T>(
	context: ReportContext,
	task: SelzyTask,
	kind: TaskKind,
	options: IDataObject,
	read: (batches: RecordBatches, settings: FileSettings) => Promise<T>,
	{ itemIndex, signal }: ItemScope = {},
): Promise<T> {
	const settings = readFileSettings('rows', options);
	try {
		if (kind.namesFields(settings)) settings.fieldNamesById = await fetchFieldNamesById.call(context);
		const opened = await openFile(context, task, settings, signal);
		const result = await read(recordBatchesOf(opened, settings).batches, settings);
		opened.log(`read ${formatMegabytes(opened.download.bytesRead())} in ${Date.now() - opened.started} ms`);
		return result;
	} catch (error) {
		throw fileFailure(context.getNode(), error, task, kind, itemIndex);
	}
}

/**
 * The task as users see it: the file link is kept, since it is what Task → Get Result would return
 * too; so is the campaign's status when the report was requested (a campaign still sending gives
 * a partial report).
 */
function publicTask(task: SelzyTask): IDataObject {
	const { task_uuid, task_type, status, file_to_download, campaign_status } = task;
	const json: IDataObject = { task_uuid, task_type, status, file_to_download };
	if (campaign_status !== undefined) json.campaign_status = campaign_status;
	return json;
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
