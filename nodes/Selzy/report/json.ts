/**
 * Streaming reader for reports delivered as JSON, in the column model of Selzy's
 * synchronous getCampaignDeliveryStats:
 *   {"result": {"fields": ["email", ...], "data": [["a@b.c", ...], ...]}}
 * Also accepted: the same object without the `result` wrapper, and a top-level array of
 * arrays whose first array is the header. Output is the same as the CSV parser's: the
 * header record first, then one `string[]` per row. Strings are unescaped, numbers and
 * booleans are kept as written, null becomes ''. Other keys are skipped. If `data` comes
 * before `fields`, its rows are held until the header arrives. A Selzy error object
 * (`{"error": ..., "code": ...}`) raises `ReportFormatError` with its message.
 */
import { ReportFormatError } from './errors';

const enum Role {
	Skip,
	Report,
	Fields,
	Data,
	Row,
	RowsWithHeader,
}

const enum Expect {
	Value,
	ValueOrClose,
	Key,
	KeyOrClose,
	Colon,
	CommaOrClose,
	Nothing,
}

interface Frame {
	isObject: boolean;
	role: Role;
	key: string;
	cells: string[] | undefined;
}

export interface JsonReportParser {
	push(text: string): string[][];
	end(): string[][];
}

export function createJsonReportParser(): JsonReportParser {
	return new StreamingJsonReportParser();
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

class StreamingJsonReportParser implements JsonReportParser {
	private rest = '';
	private stack: Frame[] = [];
	private expect = Expect.Value;
	private header: string[] | undefined;
	private headerSent = false;
	private heldRows: string[][] = [];
	private sawData = false;
	private errorText: string | undefined;
	private errorCode: string | undefined;
	private consumed = 0;

	push(text: string): string[][] {
		const out: string[][] = [];
		this.rest = this.rest.length === 0 ? text : this.rest + text;
		this.run(false, out);
		return out;
	}

	end(): string[][] {
		const out: string[][] = [];
		this.run(true, out);
		if (this.errorText !== undefined || this.errorCode !== undefined) {
			throw new ReportFormatError(
				`Selzy returned an error instead of the report: ${this.errorText ?? ''}${this.errorCode ? ` (${this.errorCode})` : ''}`,
			);
		}
		if (this.expect !== Expect.Nothing) throw this.syntaxError('the JSON document ends too early');
		if (!this.header) {
			throw new ReportFormatError(
				this.sawData
					? 'The JSON report has "data" but no "fields" naming its columns'
					: 'The JSON document is not a delivery report (no "fields" and "data")',
			);
		}
		this.flushHeader(out);
		return out;
	}

	private run(final: boolean, out: string[][]): void {
		const s = this.rest;
		const length = s.length;
		let i = 0;
		while (i < length) {
			const c = s.charCodeAt(i);
			if (c === 32 || c === 10 || c === 13 || c === 9) {
				i++;
				continue;
			}
			if (this.expect === Expect.Nothing) throw this.syntaxError('unexpected text after the document', i);
			if (c === 34) {
				const close = findStringEnd(s, i + 1);
				if (close < 0) break;
				const raw = s.slice(i + 1, close);
				const value = raw.indexOf('\\') < 0 ? raw : this.unescape(s.slice(i, close + 1), i);
				if (this.expect === Expect.Key || this.expect === Expect.KeyOrClose) {
					this.top().key = value;
					this.expect = Expect.Colon;
				} else {
					this.scalar(value, i);
				}
				i = close + 1;
			} else if (c === 123 || c === 91) {
				if (this.expect !== Expect.Value && this.expect !== Expect.ValueOrClose) {
					throw this.syntaxError('unexpected bracket', i);
				}
				this.open(c === 123, i);
				i++;
			} else if (c === 125 || c === 93) {
				const frame = this.stack[this.stack.length - 1];
				const valid =
					frame !== undefined &&
					frame.isObject === (c === 125) &&
					(this.expect === Expect.CommaOrClose ||
						this.expect === (frame.isObject ? Expect.KeyOrClose : Expect.ValueOrClose));
				if (!valid) throw this.syntaxError('unexpected closing bracket', i);
				this.close(out);
				i++;
			} else if (c === 44) {
				if (this.expect !== Expect.CommaOrClose) throw this.syntaxError('unexpected comma', i);
				this.expect = this.top().isObject ? Expect.Key : Expect.Value;
				i++;
			} else if (c === 58) {
				if (this.expect !== Expect.Colon) throw this.syntaxError('unexpected colon', i);
				this.expect = Expect.Value;
				i++;
			} else {
				let end = i;
				while (end < length && isBareChar(s.charCodeAt(end))) end++;
				if (end === length && !final) break;
				const word = s.slice(i, end);
				if (word === 'null') this.scalar('', i);
				else if (word === 'true' || word === 'false' || NUMBER.test(word)) this.scalar(word, i);
				else throw this.syntaxError(`unexpected ${JSON.stringify(word.slice(0, 20) || s[i])}`, i);
				i = end;
			}
		}
		this.consumed += i;
		this.rest = s.slice(i);
		if (final && this.rest.length > 0) throw this.syntaxError('the JSON document ends too early');
	}

	private top(): Frame {
		return this.stack[this.stack.length - 1];
	}

	/** Role of a value placed in the current position. */
	private childRole(isObject: boolean): Role {
		const parent = this.stack[this.stack.length - 1];
		if (!parent) {
			if (isObject) return Role.Report;
			return Role.RowsWithHeader;
		}
		switch (parent.role) {
			case Role.Report:
				if (parent.key === 'result' && isObject && this.stack.length === 1) return Role.Report;
				if (parent.key === 'fields' && !isObject) return Role.Fields;
				if (parent.key === 'data' && !isObject) return Role.Data;
				return Role.Skip;
			case Role.Data:
			case Role.RowsWithHeader:
				if (isObject) throw this.syntaxError('a report row must be an array of values');
				return Role.Row;
			case Role.Fields:
			case Role.Row:
				throw this.syntaxError('report cells must be strings, numbers or null');
			default:
				return Role.Skip;
		}
	}

	private open(isObject: boolean, at: number): void {
		const role = this.childRole(isObject);
		if (!isObject && this.stack.length === 0) this.sawData = true;
		if (role === Role.Data) this.sawData = true;
		const collects = role === Role.Fields || role === Role.Row;
		if (this.stack.length > 64) throw this.syntaxError('nested too deeply', at);
		this.stack.push({ isObject, role, key: '', cells: collects ? [] : undefined });
		this.expect = isObject ? Expect.KeyOrClose : Expect.ValueOrClose;
	}

	private close(out: string[][]): void {
		const frame = this.stack.pop() as Frame;
		if (frame.role === Role.Fields) {
			this.header = frame.cells;
			this.flushHeader(out);
		} else if (frame.role === Role.Row) {
			const parent = this.top();
			if (parent.role === Role.RowsWithHeader && !this.header) {
				this.header = frame.cells;
				this.flushHeader(out);
			} else if (this.headerSent) {
				out.push(frame.cells as string[]);
			} else {
				this.heldRows.push(frame.cells as string[]);
			}
		}
		this.afterValue();
	}

	private scalar(value: string, at: number): void {
		if (this.expect !== Expect.Value && this.expect !== Expect.ValueOrClose) {
			throw this.syntaxError('unexpected value', at);
		}
		const frame = this.top();
		if (frame?.cells) {
			frame.cells.push(value);
		} else if (frame?.role === Role.Report && this.stack.length === 1) {
			if (frame.key === 'error') this.errorText = value;
			if (frame.key === 'code') this.errorCode = value;
		} else if (frame && (frame.role === Role.Data || frame.role === Role.RowsWithHeader)) {
			throw this.syntaxError('a report row must be an array of values', at);
		}
		this.afterValue();
	}

	private afterValue(): void {
		this.expect = this.stack.length === 0 ? Expect.Nothing : Expect.CommaOrClose;
	}

	private flushHeader(out: string[][]): void {
		if (this.headerSent || !this.header) return;
		this.headerSent = true;
		out.push(this.header);
		for (const row of this.heldRows) out.push(row);
		this.heldRows = [];
	}

	private unescape(literal: string, at: number): string {
		let value: unknown;
		try {
			value = JSON.parse(literal);
		} catch {
			value = undefined;
		}
		if (typeof value !== 'string') throw this.syntaxError('invalid escape in a string', at);
		return value;
	}

	private syntaxError(problem: string, at = 0): ReportFormatError {
		return new ReportFormatError(
			`The report is not valid JSON: ${problem} (near character ${this.consumed + at})`,
			'Download the report again; if the problem stays, the file is damaged.',
		);
	}
}

/** Index of the quote closing a string whose text starts at `from`, or -1 if not in `s`. */
function findStringEnd(s: string, from: number): number {
	for (let quote = s.indexOf('"', from); quote >= 0; quote = s.indexOf('"', quote + 1)) {
		let backslashes = 0;
		while (s.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
		if (backslashes % 2 === 0) return quote;
	}
	return -1;
}

function isBareChar(c: number): boolean {
	// Letters, digits, sign, dot: the characters of numbers and literals.
	return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 43 || c === 46;
}

/** Records in batches, one batch per text chunk; the header record comes first. */
export async function* parseJsonReportBatches(text: AsyncIterable<string>): AsyncGenerator<string[][]> {
	const parser = createJsonReportParser();
	for await (const chunk of text) {
		const records = parser.push(chunk);
		if (records.length > 0) yield records;
	}
	const last = parser.end();
	if (last.length > 0) yield last;
}

/** Records one by one. */
export async function* parseJsonReport(text: AsyncIterable<string>): AsyncGenerator<string[]> {
	for await (const batch of parseJsonReportBatches(text)) {
		for (const record of batch) yield record;
	}
}
