/**
 * Answers sized for a model, for when the node runs as an AI agent's tool. n8n sends the tool's
 * whole output to the model as one JSON string and drops binary data, so: a summary without
 * download links, at most a few rows with a count of all of them, a description of a stored file,
 * and for a task still being prepared, what to ask next.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { TaskKind } from '../tasks/kinds';
import { isTaskPending, isTaskReady, type SelzyTask } from '../tasks/task';
import { itemsFromFile, readTaskFile } from './fileItems';
import { readFileSettings, type Output } from './settings';

/** Rows returned to a model unless the node's "Max Rows" option says otherwise. */
export const DEFAULT_TOOL_ROWS = 100;
/** A longer cell is cut: one odd contact field must not fill the model's context. */
export const MAX_TOOL_CELL_LENGTH = 300;

/** n8n names a node's tool variant `<type>Tool`. */
export function runsAsTool(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}

/** A task without a file to show (still being prepared, failed, or Output: Task Status): what to ask next. */
export function taskToolAnswer(task: SelzyTask, kind: TaskKind, itemIndex: number): INodeExecutionData[] {
	const { task_uuid, status, campaign_id, list_id } = task;
	const json: IDataObject = { task_uuid, status, ready: isTaskReady(task) };
	if (campaign_id !== undefined) json.campaign_id = campaign_id;
	if (list_id !== undefined) json.list_id = list_id;
	const what = kind.noun;
	json.next_step = isTaskPending(task)
		? `Selzy is still preparing this ${what}. Ask again in a minute with the Task → Get Result operation and task_uuid ${task_uuid}; do not start a new ${what}.`
		: json.ready
			? `The ${what} is ready. Get it with the Task → Get Result operation, task_uuid ${task_uuid} and the Summary or Rows output.`
			: `Selzy reports the task as "${String(status)}" and has no ${what} for it. Start a new one with ${kind.startedBy}.`;
	return [{ json, pairedItem: { item: itemIndex } }];
}

/** A completed task as `output`, in a size a model can read. */
export async function completedToolAnswer(
	context: IExecuteFunctions,
	task: SelzyTask,
	kind: TaskKind,
	output: Output,
	options: IDataObject,
	itemIndex: number,
	signal?: AbortSignal,
): Promise<INodeExecutionData[]> {
	const pairedItem = { item: itemIndex };
	if (output === 'rows') {
		const keep = toolRowLimit(options);
		const read = async (batches: Parameters<TaskKind['sampleRows']>[0], settings: Parameters<TaskKind['sampleRows']>[2]) =>
			await kind.sampleRows(batches, keep, settings);
		const sample = await readTaskFile(context, task, kind, options, read, { itemIndex, signal });
		return [{ json: rowsAnswer(task, sample.rows, sample.total, describeFilters(kind, options), kind.noun), pairedItem }];
	}
	const [item] = await itemsFromFile(context, task, kind, output, options, { itemIndex, signal });
	const json = withoutDownloadLink(item.json, task);
	if (output === 'file') {
		return [{ json: fileAnswer(json, kind, options), binary: item.binary, pairedItem }];
	}
	return [{ json, pairedItem }];
}

/** Max Rows when set, otherwise the tool default; "all rows" is never a tool's answer. */
export function toolRowLimit(options: IDataObject): number {
	const maxRows = Math.floor(Number(options.maxRows ?? 0));
	return Number.isFinite(maxRows) && maxRows > 0 ? maxRows : DEFAULT_TOOL_ROWS;
}

/**
 * The rows for a model; `filters` names the row selection, e.g. " (status groups hard_bounce)",
 * and `noun` what the file is ("report").
 */
export function rowsAnswer(task: IDataObject, rows: IDataObject[], total: number, filters: string, noun: string): IDataObject {
	const complete = rows.length >= total;
	const note = complete
		? `All ${total} matching rows${filters} are below.`
		: `The ${noun} has ${total} matching rows${filters}; the first ${rows.length} are below. ` +
			`To get all of them, run the Selzy node in a workflow (Output: Rows, or File for the unparsed ${noun}), ` +
			'or ask for the Summary output for counts and rates.';
	return {
		task_uuid: task.task_uuid,
		campaign_id: task.campaign_id,
		total_rows: total,
		returned_rows: rows.length,
		note,
		rows: rows.map(shortCells),
	};
}

function fileAnswer(json: IDataObject, kind: TaskKind, options: IDataObject): IDataObject {
	const property = String(options.binaryPropertyName || 'data');
	return {
		...json,
		note:
			`The ${kind.noun} file "${String(json.fileName)}" (${String(json.fileSize)} bytes, ${String(json.mimeType)}) is stored ` +
			`in this execution's binary data under "${property}"; its contents are not shown here. ` +
			`Ask for the Summary or Rows output to read the ${kind.noun}.`,
	};
}

/** A signed download link is of no use to a model and should not leave n8n. */
function withoutDownloadLink(json: IDataObject, task: IDataObject): IDataObject {
	const rest: IDataObject = { ...json, campaign_id: task.campaign_id ?? json.campaign_id };
	delete rest.file_to_download;
	return rest;
}

function describeFilters(kind: TaskKind, options: IDataObject): string {
	if (!kind.rowOptions.includes('statusGroups')) return '';
	const { statusGroups, sendResults } = readFileSettings('rows', options);
	const parts = [
		statusGroups.length ? `status groups ${statusGroups.join(', ')}` : '',
		sendResults.length ? `send results ${sendResults.join(', ')}` : '',
	];
	const filters = parts.filter(Boolean).join(' or ');
	return filters ? ` (${filters})` : '';
}

const cut = (value: string) =>
	value.length <= MAX_TOOL_CELL_LENGTH ? value : `${value.slice(0, MAX_TOOL_CELL_LENGTH)}… (${value.length} characters)`;

/** Every text cell cut to a model's size, one level of nesting deep (a delivery row's `fields`). */
function shortCells(row: IDataObject): IDataObject {
	const shorten = (value: unknown): unknown => {
		if (typeof value === 'string') return cut(value);
		if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
		return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, typeof inner === 'string' ? cut(inner) : inner]));
	};
	// fromEntries defines own keys, so a column named __proto__ stays a column.
	return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, shorten(value)])) as IDataObject;
}
