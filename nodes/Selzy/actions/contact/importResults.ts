/**
 * What an import did, from Selzy's answers: per contact (inserted, updated, deleted or refused
 * with Selzy's log code and message, paired with its input item) and in total (counts, refusals
 * grouped by code). Selzy's `log` names a refused row by its index in the call; the batch it was
 * in finds the input item.
 */
import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { decodeHtmlEntities } from '../../transport/errors';
import { MAX_TOOL_CELL_LENGTH } from '../../results/toolAnswer';
import { contactOf, deletesContact, type ImportColumns, type ImportRow } from './importColumns';

/** One item per contact, only the refused ones, or one summary. */
export type ImportOutput = 'rows' | 'refused' | 'summary';

export interface ImportBatch {
	/** 1 for the first batch sent. */
	number: number;
	rows: ImportRow[];
}

interface Refusal {
	count: number;
	message: string;
	examples: string[];
}

const EXAMPLES_PER_CODE = 5;
const MAX_CODES = 50;
/** Refused contacts named in a tool's answer. */
const TOOL_REFUSALS = 20;

export class ImportTally {
	private readonly totals = { total: 0, inserted: 0, updated: 0, deleted: 0, refused: 0, newEmails: 0, failed: 0 };
	private batches = 0;
	private readonly refusals = new Map<string, Refusal>();
	private readonly firstRefused: IDataObject[] = [];
	/** Per-row items by their place in the input (holes for rows not kept). */
	private readonly items: INodeExecutionData[] = [];

	constructor(
		private readonly columns: ImportColumns,
		private readonly output: ImportOutput,
	) {}

	/** Selzy's answer to a batch. */
	answered(batch: ImportBatch, answer: unknown): void {
		const counts = isObject(answer) ? answer : {};
		const number = (key: string) => (Number.isFinite(Number(counts[key])) ? Number(counts[key]) : 0);
		this.batches++;
		this.totals.total += batch.rows.length;
		this.totals.inserted += number('inserted');
		this.totals.updated += number('updated');
		this.totals.deleted += number('deleted');
		this.totals.newEmails += number('new_emails');

		const refused = new Map<number, { code: string; message: string }>();
		for (const entry of logEntries(counts.log)) {
			this.totals.refused++;
			const row = Number.isInteger(entry.index) ? batch.rows[entry.index] : undefined;
			this.refusal(entry.code, entry.message, row ? contactOf(this.columns, row.values) : undefined);
			if (row) refused.set(entry.index, entry);
		}
		for (const [index, { code, message }] of refused) {
			if (this.firstRefused.length < TOOL_REFUSALS) this.firstRefused.push({ contact: contactOf(this.columns, batch.rows[index].values), code, message });
		}
		if (this.output === 'summary') return;

		const deletes = batch.rows.filter((row, index) => !refused.has(index) && deletesContact(this.columns, row.values)).length;
		const upserts = batch.rows.length - refused.size - deletes;
		const [inserted, updated, deleted] = [number('inserted'), number('updated'), number('deleted')];
		// Selzy counts per batch, not per row: a word only where the counts leave no doubt.
		const upsertWord = inserted === upserts && updated === 0 ? 'inserted' : updated === upserts && inserted === 0 ? 'updated' : 'imported';
		const deleteWord = deleted === deletes ? 'deleted' : deleted === 0 ? 'not_found' : 'deleted_or_not_found';
		batch.rows.forEach((row, index) => {
			const refusal = refused.get(index);
			const json: IDataObject = { contact: contactOf(this.columns, row.values) };
			if (refusal) Object.assign(json, { result: 'refused', code: refusal.code, message: refusal.message });
			else json.result = deletesContact(this.columns, row.values) ? deleteWord : upsertWord;
			this.keep(row, json, !!refusal, batch.number);
		});
	}

	/** A batch that failed (Continue On Fail): each of its rows becomes an error item. */
	failed(batch: ImportBatch, message: string): void {
		for (const row of batch.rows) this.rejected(row, message, batch.number);
	}

	/** A row that was not sent (Continue On Fail): its item carries the error. */
	rejected(row: ImportRow, error: string, batch?: number): void {
		this.totals.failed++;
		this.keep(row, { contact: contactOf(this.columns, row.values), error }, true, batch);
	}

	private keep(row: ImportRow, json: IDataObject, problem: boolean, batch?: number): void {
		if (this.output === 'summary' || (this.output === 'refused' && !problem)) return;
		if (batch !== undefined) json.batch = batch;
		if (row.row !== undefined) json.row = row.row;
		this.items[row.place] = { json, pairedItem: { item: row.item } };
	}

	private refusal(code: string, message: string, example: string | undefined): void {
		const key = this.refusals.has(code) || this.refusals.size < MAX_CODES ? code : 'other';
		const refusal = this.refusals.get(key) ?? { count: 0, message, examples: [] };
		refusal.count++;
		if (example && refusal.examples.length < EXAMPLES_PER_CODE) refusal.examples.push(example);
		this.refusals.set(key, refusal);
	}

	/** The per-row items, in input order. */
	rowItems(): INodeExecutionData[] {
		return this.items.filter(Boolean);
	}

	summary(): IDataObject {
		const { failed, ...totals } = this.totals;
		const json: IDataObject = { ...totals, batches: this.batches, refusals: Object.fromEntries(this.refusals) as unknown as IDataObject };
		if (failed) json.failed = failed;
		if (this.columns.ignored.length) json.ignoredColumns = this.columns.ignored;
		return json;
	}

	/** For a model: the counts and the first refused contacts with Selzy's reasons. */
	toolAnswer(): IDataObject {
		const { total, inserted, updated, deleted, refused, failed } = this.totals;
		const answer: IDataObject = { total, inserted, updated, deleted, refused, refused_contacts: this.firstRefused.map(shortCells) };
		if (failed) answer.failed = failed;
		if (refused > this.firstRefused.length) answer.note = `${refused} contacts were refused; the first ${this.firstRefused.length} are listed.`;
		if (this.columns.ignored.length) answer.ignored_columns = this.columns.ignored;
		return answer;
	}

	/** Items for the chosen output; a summary is paired with every item it covers. */
	outputItems(pairedItem: IPairedItemData[]): INodeExecutionData[] {
		if (this.output !== 'summary') return this.rowItems();
		return [{ json: this.summary(), pairedItem }];
	}
}

function logEntries(log: unknown): Array<{ index: number; code: string; message: string }> {
	const entries = Array.isArray(log) ? log : isObject(log) ? Object.values(log) : [];
	return entries.filter(isObject).map((entry) => ({
		index: Number(entry.index),
		code: String(entry.code ?? 'unspecified') || 'unspecified',
		message: decodeHtmlEntities(String(entry.message ?? '')),
	}));
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const shortCells = (row: IDataObject): IDataObject =>
	Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'string' && value.length > MAX_TOOL_CELL_LENGTH ? `${value.slice(0, MAX_TOOL_CELL_LENGTH)}…` : value]));
