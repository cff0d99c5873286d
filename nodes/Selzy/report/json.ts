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
 *
 * Each chunk is scanned once: a string or number that runs on into the next chunk is kept
 * as pieces and joined when it ends. Bounds (limits.ts): a value longer than
 * MAX_VALUE_CHARS as written, a row of more than MAX_RECORD_VALUES values, nesting deeper
 * than MAX_DEPTH, or more than MAX_HELD_ROWS rows before "fields" raise `ReportFormatError`;
 * a record whose values add up to more than `maxRecordChars` raises `ReportLimitError`.
 */
import { ReportFormatError } from './errors';
import {
	DEFAULT_MAX_RECORD_CHARS,
	MAX_RECORD_VALUES,
	MAX_VALUE_CHARS,
	NOT_A_REPORT_HINT,
	recordTooLarge,
	recordTooWide,
	valueTooLong,
} from './limits';

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
	/** Characters of the values in `cells`. */
	chars: number;
}

export interface JsonReportParser {
	push(text: string): string[][];
	end(): string[][];
}

export interface JsonReportOptions {
	/** Most characters a record's values may add up to (Max Record Size). */
	maxRecordChars?: number;
}

export function createJsonReportParser(options: JsonReportOptions = {}): JsonReportParser {
	return new StreamingJsonReportParser(options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS);
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const MAX_DEPTH = 64;
/** Rows that may arrive before "fields" names the columns (held in memory until it does). */
const MAX_HELD_ROWS = 100_000;

/** A string or bare word (number, literal) that continues into the next chunk. */
interface OpenToken {
	isString: boolean;
	pieces: string[];
	length: number;
	/** String only: the pieces end inside an escape (an odd run of backslashes). */
	escapeOpen: boolean;
	/** Offset of its first character in the document, for error messages. */
	at: number;
}

class StreamingJsonReportParser implements JsonReportParser {
	private token: OpenToken | undefined;
	private stack: Frame[] = [];
	private expect = Expect.Value;
	private header: string[] | undefined;
	private headerSent = false;
	private heldRows: string[][] = [];
	private sawData = false;
	private errorText: string | undefined;
	private errorCode: string | undefined;
	private consumed = 0;
	/** Records completed so far (the header and rows, in the order of the file). */
	private records = 0;

	constructor(private readonly maxRecordChars: number) {}

	push(text: string): string[][] {
		const out: string[][] = [];
		let from = 0;
		if (this.token) from = this.continueToken(text, false);
		if (from >= 0) this.run(text, from, false, out);
		this.consumed += text.length;
		return out;
	}

	end(): string[][] {
		const out: string[][] = [];
		if (this.token) {
			if (this.token.isString) throw this.syntaxError('the JSON document ends too early');
			this.continueToken('', true);
		}
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

	/**
	 * Continues the open token with `s`. Returns where the rest of `s` starts once the token
	 * ended (and was handled), or -1 when all of `s` belongs to it.
	 */
	private continueToken(s: string, final: boolean): number {
		const token = this.token as OpenToken;
		let end: number;
		if (token.isString) {
			end = findStringEnd(s, 0, token.escapeOpen, MAX_VALUE_CHARS - token.length);
			if (end === TOO_LONG) throw this.tooLong(token.at);
		} else {
			end = 0;
			const stop = Math.min(s.length, MAX_VALUE_CHARS - token.length + 1);
			while (end < stop && isBareChar(s.charCodeAt(end))) end++;
			if (end === s.length && !final) end = -1;
		}
		if (end < 0) {
			this.extendToken(s);
			return -1;
		}
		token.pieces.push(s.slice(0, end));
		token.length += end;
		this.token = undefined;
		if (token.length > MAX_VALUE_CHARS) throw this.tooLong(token.at);
		const text = token.pieces.join('');
		if (token.isString) {
			this.stringValue(text, token.at);
			return end + 1;
		}
		this.bareWord(text, token.at);
		return end;
	}

	private extendToken(s: string): void {
		const token = this.token as OpenToken;
		token.pieces.push(s);
		token.length += s.length;
		if (token.length > MAX_VALUE_CHARS) throw this.tooLong(token.at);
		if (token.isString) {
			let backslashes = 0;
			while (backslashes < s.length && s.charCodeAt(s.length - 1 - backslashes) === 92) backslashes++;
			const odd = backslashes % 2 === 1;
			token.escapeOpen = backslashes === s.length ? token.escapeOpen !== odd : odd;
		}
	}

	private run(s: string, from: number, final: boolean, out: string[][]): void {
		const length = s.length;
		let i = from;
		while (i < length) {
			const c = s.charCodeAt(i);
			if (c === 32 || c === 10 || c === 13 || c === 9) {
				i++;
				continue;
			}
			if (this.expect === Expect.Nothing) throw this.syntaxError('unexpected text after the document', this.consumed + i);
			if (c === 34) {
				const close = findStringEnd(s, i + 1, false, MAX_VALUE_CHARS);
				if (close === TOO_LONG) throw this.tooLong(this.consumed + i);
				if (close < 0) {
					this.token = { isString: true, pieces: [], length: 0, escapeOpen: false, at: this.consumed + i };
					this.extendToken(s.slice(i + 1));
					return;
				}
				const raw = s.slice(i + 1, close);
				const value = raw.indexOf('\\') < 0 ? raw : this.unescape(raw, this.consumed + i);
				if (this.expect === Expect.Key || this.expect === Expect.KeyOrClose) {
					this.top().key = value;
					this.expect = Expect.Colon;
				} else {
					this.scalar(value, this.consumed + i);
				}
				i = close + 1;
			} else if (c === 123 || c === 91) {
				if (this.expect !== Expect.Value && this.expect !== Expect.ValueOrClose) {
					throw this.syntaxError('unexpected bracket', this.consumed + i);
				}
				this.open(c === 123, this.consumed + i);
				i++;
			} else if (c === 125 || c === 93) {
				const frame = this.stack[this.stack.length - 1];
				const valid =
					frame !== undefined &&
					frame.isObject === (c === 125) &&
					(this.expect === Expect.CommaOrClose ||
						this.expect === (frame.isObject ? Expect.KeyOrClose : Expect.ValueOrClose));
				if (!valid) throw this.syntaxError('unexpected closing bracket', this.consumed + i);
				this.close(out);
				i++;
			} else if (c === 44) {
				if (this.expect !== Expect.CommaOrClose) throw this.syntaxError('unexpected comma', this.consumed + i);
				this.expect = this.top().isObject ? Expect.Key : Expect.Value;
				i++;
			} else if (c === 58) {
				if (this.expect !== Expect.Colon) throw this.syntaxError('unexpected colon', this.consumed + i);
				this.expect = Expect.Value;
				i++;
			} else {
				let end = i;
				const stop = Math.min(length, i + MAX_VALUE_CHARS + 1);
				while (end < stop && isBareChar(s.charCodeAt(end))) end++;
				if (end === i) throw this.syntaxError(`unexpected ${JSON.stringify(s[i])}`, this.consumed + i);
				if (end === length && !final) {
					this.token = { isString: false, pieces: [], length: 0, escapeOpen: false, at: this.consumed + i };
					this.extendToken(s.slice(i));
					return;
				}
				if (end - i > MAX_VALUE_CHARS) throw this.tooLong(this.consumed + i);
				this.bareWord(s.slice(i, end), this.consumed + i);
				i = end;
			}
		}
	}

	/**
	 * A string's text as written between its quotes; `at` is the document offset of its opening
	 * quote. For strings that spanned chunks; `run` does the same inline for the rest.
	 */
	private stringValue(raw: string, at: number): void {
		const value = raw.indexOf('\\') < 0 ? raw : this.unescape(raw, at);
		if (this.expect === Expect.Key || this.expect === Expect.KeyOrClose) {
			this.top().key = value;
			this.expect = Expect.Colon;
		} else {
			this.scalar(value, at);
		}
	}

	private bareWord(word: string, at: number): void {
		if (word === 'null') this.scalar('', at);
		else if (word === 'true' || word === 'false' || NUMBER.test(word)) this.scalar(word, at);
		else throw this.syntaxError(`unexpected ${JSON.stringify(word.slice(0, 20))}`, at);
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
		if (this.stack.length >= MAX_DEPTH) throw this.syntaxError('nested too deeply', at);
		this.stack.push({ isObject, role, key: '', cells: collects ? [] : undefined, chars: 0 });
		this.expect = isObject ? Expect.KeyOrClose : Expect.ValueOrClose;
	}

	private close(out: string[][]): void {
		const frame = this.stack.pop() as Frame;
		if (frame.cells) this.records++;
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
			} else if (this.heldRows.push(frame.cells as string[]) > MAX_HELD_ROWS) {
				throw new ReportFormatError(
					`The JSON report has more than ${MAX_HELD_ROWS.toLocaleString('en-US')} rows in "data" before "fields" names its columns`,
					NOT_A_REPORT_HINT,
				);
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
			if (frame.cells.push(value) > MAX_RECORD_VALUES) throw recordTooWide('JSON', `at character ${at}`);
			frame.chars += value.length;
			if (frame.chars > this.maxRecordChars) throw recordTooLarge(this.maxRecordChars, this.records + 1);
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

	private unescape(raw: string, at: number): string {
		let value: unknown;
		try {
			value = JSON.parse(`"${raw}"`);
		} catch {
			value = undefined;
		}
		if (typeof value !== 'string') throw this.syntaxError('invalid escape in a string', at);
		return value;
	}

	private tooLong(at: number): ReportFormatError {
		return valueTooLong('JSON', `at character ${at}`);
	}

	/** `at` is an offset in the whole document. */
	private syntaxError(problem: string, at = this.consumed): ReportFormatError {
		return new ReportFormatError(
			`The report is not valid JSON: ${problem} (near character ${at})`,
			'Download the report again; if the problem stays, the file is damaged.',
		);
	}
}

/** findStringEnd's answer when the string runs past its length limit. */
const TOO_LONG = -2;

/**
 * Index of the quote closing a string whose text continues at `from`; -1 if not in `s`, or
 * TOO_LONG once more than `maxLength` characters are passed (the search stops there).
 * `escapeOpen`: the text before `s` ended with an unescaped backslash.
 */
function findStringEnd(s: string, from: number, escapeOpen: boolean, maxLength: number): number {
	for (let quote = s.indexOf('"', from); quote >= 0; quote = s.indexOf('"', quote + 1)) {
		if (quote - from > maxLength) return TOO_LONG;
		// The count stops at the opening quote, or before index 0 (charCodeAt gives NaN there).
		let backslashes = 0;
		while (s.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
		if (escapeOpen && quote - backslashes === from) backslashes++;
		if (backslashes % 2 === 0) return quote;
	}
	return -1;
}

function isBareChar(c: number): boolean {
	// Letters, digits, sign, dot: the characters of numbers and literals.
	return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 43 || c === 46;
}

/** Records in batches, one batch per text chunk; the header record comes first. */
export async function* parseJsonReportBatches(
	text: AsyncIterable<string>,
	options: JsonReportOptions = {},
): AsyncGenerator<string[][]> {
	const parser = createJsonReportParser(options);
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
