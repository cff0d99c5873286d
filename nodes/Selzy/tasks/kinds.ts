/**
 * The Selzy task kinds this package knows, each declared once: how Selzy names it, what users
 * call it, how it is started and how often, how its file's records become rows, what its summary
 * counts and what an AI agent is told about it. Everything that treats kinds differently (the
 * trigger's Task Types, results, tool answers, the rate limit of a start) reads it from here.
 */
import type { IDataObject } from 'n8n-workflow';

import { createRowCompactor } from '../report/compactRows';
import { countRecordBatches, summarizeContactBatches } from '../report/contacts';
import { createFileRowCompactor, sampleFileRowBatches, shapeFileRowBatches, type FileRowOptions } from '../report/fileRows';
import { createRowFilter, resolveColumns, shapeRowBatches } from '../report/rows';
import { sampleRowBatches } from '../report/sampleRows';
import type { StatusGroup } from '../report/statuses';
import { summarizeRecordBatches } from '../report/summary';

/**
 * Rows of a delivery report: `enriched` adds a readable status, status group, ISO time and the
 * additional fields by name; `asInFile` keeps the file's own columns and values only.
 */
export type RowFormat = 'enriched' | 'asInFile';

/** What the Rows output of a task takes from the node's options. */
export interface RowSettings {
	rowFormat: RowFormat;
	statusGroups: StatusGroup[];
	sendResults: string[];
	/** Max Rows; 0 returns all. */
	limit: number;
	/** Rows output fails rather than return more rows than this. */
	maxRowsHeld: number;
	neutralizeFormulas: boolean;
	/** Additional-field column headers that are field ids get these names. */
	fieldNamesById?: Record<string, string>;
}

/** Records in batches, the first record being the file's header. */
export type RecordBatches = AsyncIterable<string[][]>;

/** Options of the Rows output that only some kinds have. */
export type RowOptionName = 'rowFormat' | 'statusGroups' | 'sendResults';

export interface TaskKind {
	/** Selzy's name of the task (`task_type`): the method that starts it, without `async/`. */
	taskType: string;
	/** What users call the result, in a sentence: "report", "contact export". */
	noun: string;
	/** The kind as the trigger's Task Types list shows it. */
	label: string;
	/** The operation that starts one, as the editor names it (for hints to users and models). */
	startedBy: string;
	/** The API method that starts the task. */
	startMethod: string;
	/** Selzy's documented limit for `startMethod`, in calls per minute per key, when below the general one. */
	startsPerMinute?: number;
	/** The file's name when Selzy's download names none. */
	fileName: string;
	/** Output shown first in the action node's operation. */
	defaultOutput: 'summary' | 'rows';
	/** Options of the Rows output this kind understands beyond the common ones. */
	rowOptions: RowOptionName[];
	/** Summary output: the counts, `total` first. */
	summarize(batches: RecordBatches): Promise<IDataObject & { total: number }>;
	/** Rows output: items, batch by batch, from the file's records. */
	rows(batches: RecordBatches, settings: RowSettings): AsyncIterable<IDataObject[]>;
	/** A tool's answer: the first `keep` rows and the count of all (rows past the sample are only counted). */
	sampleRows(batches: RecordBatches, keep: number, settings: RowSettings): Promise<{ rows: IDataObject[]; total: number }>;
	/** Whether rows name additional fields by name (one `getFields` call before reading). */
	namesFields(settings: RowSettings): boolean;
}

/** Rows with the file's own columns, values unchanged; `selectFor` picks records by a column. */
async function* fileRows(
	batches: RecordBatches,
	settings: RowSettings,
	selectFor?: FileRowOptions['selectFor'],
): AsyncIterable<IDataObject[]> {
	const compact = createFileRowCompactor();
	const options = { limit: settings.limit || undefined, maxRowsHeld: settings.maxRowsHeld, neutralizeFormulas: settings.neutralizeFormulas, selectFor };
	for await (const rows of shapeFileRowBatches(batches, options)) yield rows.map(compact);
}

const sampleFileRows = async (batches: RecordBatches, keep: number) => await sampleFileRowBatches(batches, keep);

/** Status Groups and Send Results on a delivery report read as in the file: a test on its send_result column. */
function sendResultFilter(settings: RowSettings): FileRowOptions['selectFor'] {
	if (settings.statusGroups.length === 0 && settings.sendResults.length === 0) return undefined;
	const keep = createRowFilter({ groups: settings.statusGroups, sendResults: settings.sendResults });
	return (header) => {
		const column = resolveColumns(header).sendResult;
		return (record) => keep(record[column] ?? '');
	};
}

async function* enrichedRows(batches: RecordBatches, settings: RowSettings): AsyncIterable<IDataObject[]> {
	const compact = createRowCompactor();
	const shaped = shapeRowBatches(batches, {
		limit: settings.limit || undefined,
		maxRowsHeld: settings.maxRowsHeld,
		neutralizeFormulas: settings.neutralizeFormulas,
		fieldNamesById: settings.fieldNamesById,
		groups: settings.statusGroups,
		sendResults: settings.sendResults,
	});
	for await (const rows of shaped) yield rows.map((row) => compact(row) as unknown as IDataObject);
}

export const DELIVERY_REPORT: TaskKind = {
	taskType: 'getCampaignDeliveryStats',
	noun: 'report',
	label: 'Campaign Delivery Report',
	startedBy: 'Campaign → Get Delivery Report',
	startMethod: 'async/getCampaignDeliveryStats',
	fileName: 'delivery-report.csv',
	defaultOutput: 'summary',
	rowOptions: ['rowFormat', 'statusGroups', 'sendResults'],
	async summarize(batches) {
		const { total, rates, byGroup, bySendResult } = await summarizeRecordBatches(batches);
		return { total, rates: rates as unknown as IDataObject, byGroup, bySendResult };
	},
	rows: (batches, settings) =>
		settings.rowFormat === 'enriched' ? enrichedRows(batches, settings) : fileRows(batches, settings, sendResultFilter(settings)),
	async sampleRows(batches, keep, settings) {
		const sample = await sampleRowBatches(batches, {
			keep,
			groups: settings.statusGroups,
			sendResults: settings.sendResults,
			fieldNamesById: settings.fieldNamesById,
		});
		return { rows: sample.rows as unknown as IDataObject[], total: sample.total };
	},
	namesFields: (settings) => settings.rowFormat === 'enriched',
};

export const CONTACT_EXPORT: TaskKind = {
	taskType: 'exportContacts',
	noun: 'contact export',
	label: 'Contact Export',
	startedBy: 'Contact → Export',
	startMethod: 'async/exportContacts',
	startsPerMinute: 20,
	fileName: 'contacts.csv',
	defaultOutput: 'rows',
	rowOptions: [],
	summarize: async (batches) => ({ ...(await summarizeContactBatches(batches)) }),
	rows: (batches, settings) => fileRows(batches, settings),
	sampleRows: sampleFileRows,
	namesFields: () => false,
};

/** A task of a type this package does not know: its file's own rows, and a count. */
export const UNKNOWN_KIND: TaskKind = {
	taskType: '',
	noun: 'result',
	label: 'Other Task',
	startedBy: 'the operation that started it',
	startMethod: '',
	fileName: 'selzy-task.csv',
	defaultOutput: 'rows',
	rowOptions: [],
	summarize: countRecordBatches,
	rows: (batches, settings) => fileRows(batches, settings),
	sampleRows: sampleFileRows,
	namesFields: () => false,
};

/** Selzy's spelling of task types is not documented: case and an `async/` prefix are ignored. */
export function normalTaskType(taskType: unknown): string {
	const name = String(taskType ?? '').trim().toLowerCase();
	return name.startsWith('async/') ? name.slice('async/'.length) : name;
}

/**
 * A set of known kinds. A task without a type is read as `untyped` (a delivery report: what every
 * such task was before contact exports existed); any other type is the unknown kind.
 */
export class TaskKinds {
	private readonly byType: Map<string, TaskKind>;

	constructor(
		readonly known: readonly TaskKind[],
		private readonly untyped: TaskKind = known[0],
	) {
		this.byType = new Map(known.map((kind) => [normalTaskType(kind.taskType), kind]));
	}

	/** The kind of a task by its `task_type`. */
	of(taskType: unknown): TaskKind {
		const name = normalTaskType(taskType);
		if (name === '') return this.untyped;
		return this.byType.get(name) ?? UNKNOWN_KIND;
	}

	/** These kinds and `more`. */
	with(...more: TaskKind[]): TaskKinds {
		return new TaskKinds([...this.known, ...more], this.untyped);
	}
}

export const SELZY_TASK_KINDS = new TaskKinds([DELIVERY_REPORT, CONTACT_EXPORT]);
