/**
 * Answers sized for a model, for when the node runs as an AI agent's tool. n8n sends the tool's
 * whole output to the model as one JSON string and drops binary data, so: a summary without
 * download links, at most a few rows with a count of all of them, a description of a stored file,
 * and for a task still being prepared, what to ask next.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createRowCompactor } from '../report/compactRows';
import type { ReportRow } from '../report/rows';
import { sampleRowBatches } from '../report/sampleRows';
import { isTaskCompleted, isTaskPending, type SelzyTask } from '../transport/tasks';
import { deliverCompletedTask, readCompletedTask } from './deliver';
import { readReportSettings, type ReportOutput } from './settings';

/** Rows returned to a model unless the node's "Max Rows" option says otherwise. */
export const DEFAULT_TOOL_ROWS = 100;
/** A longer cell is cut: one odd contact field must not fill the model's context. */
export const MAX_TOOL_CELL_LENGTH = 300;

/** n8n names a node's tool variant `<type>Tool`. */
export function runsAsTool(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}

/** A task without a report to show (still being prepared, failed, or Output: Task Status): what to ask next. */
export function taskToolAnswer(task: SelzyTask, itemIndex: number): INodeExecutionData[] {
	const { task_uuid, status, campaign_id } = task;
	const json: IDataObject = { task_uuid, status, ready: isTaskCompleted(task) && Boolean(task.file_to_download) };
	if (campaign_id !== undefined) json.campaign_id = campaign_id;
	json.next_step = isTaskPending(task)
		? `Selzy is still preparing this report. Ask again in a minute with the Task → Get Result operation and task_uuid ${task_uuid}; do not start a new report.`
		: json.ready
			? `The report is ready. Get it with the Task → Get Result operation, task_uuid ${task_uuid} and the Summary or Rows output.`
			: `Selzy reports the task as "${String(status)}" and has no report for it. Start a new one with Campaign → Get Delivery Report.`;
	return [{ json, pairedItem: { item: itemIndex } }];
}

/** A completed task as `output`, in a size a model can read. */
export async function completedToolAnswer(
	context: IExecuteFunctions,
	task: SelzyTask & IDataObject,
	output: ReportOutput,
	options: IDataObject,
	itemIndex: number,
	signal?: AbortSignal,
): Promise<INodeExecutionData[]> {
	const pairedItem = { item: itemIndex };
	if (output === 'rows') {
		const keep = toolRowLimit(options);
		const sample = await readCompletedTask(
			context,
			task,
			options,
			async (batches, settings) =>
				await sampleRowBatches(batches, {
					keep,
					groups: settings.statusGroups,
					sendResults: settings.sendResults,
					fieldNamesById: settings.fieldNamesById,
				}),
			itemIndex,
			signal,
		);
		return [{ json: rowsAnswer(task, sample.rows, sample.total, describeFilters(options)), pairedItem }];
	}
	const [item] = await deliverCompletedTask(context, task, output, options, itemIndex, signal);
	const json = withoutDownloadLink(item.json, task);
	if (output === 'file') {
		return [{ json: fileAnswer(json, options), binary: item.binary, pairedItem }];
	}
	return [{ json, pairedItem }];
}

/** Max Rows when set, otherwise the tool default; "all rows" is never a tool's answer. */
export function toolRowLimit(options: IDataObject): number {
	const maxRows = Math.floor(Number(options.maxRows ?? 0));
	return Number.isFinite(maxRows) && maxRows > 0 ? maxRows : DEFAULT_TOOL_ROWS;
}

/** The rows for a model; `filters` names the row selection, e.g. " (status groups hard_bounce)". */
export function rowsAnswer(task: IDataObject, rows: ReportRow[], total: number, filters: string): IDataObject {
	const compact = createRowCompactor();
	const complete = rows.length >= total;
	const note = complete
		? `All ${total} matching rows${filters} are below.`
		: `The report has ${total} matching rows${filters}; the first ${rows.length} are below. ` +
			'To get all of them, run the Selzy node in a workflow (Output: Rows, or File for the unparsed report), ' +
			'or ask for the Summary output for counts and rates.';
	return {
		task_uuid: task.task_uuid,
		campaign_id: task.campaign_id,
		total_rows: total,
		returned_rows: rows.length,
		note,
		rows: rows.map((row) => shortCells(compact(row)) as unknown as IDataObject),
	};
}

function fileAnswer(json: IDataObject, options: IDataObject): IDataObject {
	const property = String(options.binaryPropertyName || 'data');
	return {
		...json,
		note:
			`The report file "${String(json.fileName)}" (${String(json.fileSize)} bytes, ${String(json.mimeType)}) is stored ` +
			`in this execution's binary data under "${property}"; its contents are not shown here. ` +
			'Ask for the Summary or Rows output to read the report.',
	};
}

/** A signed download link is of no use to a model and should not leave n8n. */
function withoutDownloadLink(json: IDataObject, task: IDataObject): IDataObject {
	const rest: IDataObject = { ...json, campaign_id: task.campaign_id ?? json.campaign_id };
	delete rest.file_to_download;
	return rest;
}

function describeFilters(options: IDataObject): string {
	const { statusGroups, sendResults } = readReportSettings('rows', options);
	const parts = [
		statusGroups.length ? `status groups ${statusGroups.join(', ')}` : '',
		sendResults.length ? `send results ${sendResults.join(', ')}` : '',
	];
	const filters = parts.filter(Boolean).join(' or ');
	return filters ? ` (${filters})` : '';
}

function shortCells(row: ReportRow): ReportRow {
	const cut = (value: string) =>
		value.length <= MAX_TOOL_CELL_LENGTH ? value : `${value.slice(0, MAX_TOOL_CELL_LENGTH)}… (${value.length} characters)`;
	for (const key of Object.keys(row.fields)) row.fields[key] = cut(row.fields[key]);
	if (row.email !== undefined) row.email = cut(row.email);
	if (row.phone !== undefined) row.phone = cut(row.phone);
	row.send_result = cut(row.send_result);
	return row;
}
