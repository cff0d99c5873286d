/**
 * Streaming CSV parser (RFC 4180) for delivery reports.
 *
 * - Values are returned exactly as written: no trimming, no type conversion.
 * - Records end at LF or CRLF, mixed freely. A file whose first line break is a lone CR
 *   is read with CR as the record terminator. Outside quotes, a CR not followed by LF is
 *   ordinary text (as is an LF in CR mode).
 * - Quoted fields may contain delimiters, line breaks and doubled quotes (`""` → `"`).
 * - A quote inside an unquoted field is kept as text (`ab"c` → `ab"c`), like csv-parse
 *   with `relax_quotes`. Text between a closing quote and the next delimiter (`"ab"c`) is
 *   ambiguous and raises `ReportFormatError`; so does a quote left open at the end.
 * - Empty lines are skipped (a line holding only `""` is a record with one empty value).
 *   Records may have different lengths; shaping rows deals with that.
 * - The delimiter is detected from the header line (the first non-blank line) unless given:
 *   whichever of `,` `;` tab occurs most often outside quotes (ties in that order; `,` when
 *   none occurs). The first line break decides between LF/CRLF and lone-CR files.
 * - A leading U+FEFF (byte order mark) is dropped.
 *
 * - Bounds (see limits.ts): a value longer than MAX_VALUE_CHARS, a record of more than
 *   MAX_RECORD_VALUES values, or no header line within MAX_VALUE_CHARS characters raises
 *   `ReportFormatError`; a record whose values add up to more than `maxRecordChars` raises
 *   `ReportLimitError` as soon as they do.
 *
 * Speed: the scanner jumps between delimiters and line breaks with `indexOf`, so fields
 * are cut with one `slice` each. Every chunk is scanned once: a value that runs on into
 * the next chunk is kept as pieces and joined when it ends, never rescanned. The fast path is `parseCsvBatches` (one array of records
 * per text chunk); `parseCsv` yields single records and costs an await per record.
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

export interface CsvOptions {
	/** One character; detected from the header line when omitted. */
	delimiter?: string;
	/** Most characters a record's values may add up to (Max Record Size). */
	maxRecordChars?: number;
}

export interface CsvParser {
	/** Parses the next chunk of text and returns the records it completed. */
	push(text: string): string[][];
	/** Ends the input and returns the last records. Throws on an unterminated quote. */
	end(): string[][];
	/** The delimiter in use; undefined until it has been detected. */
	readonly delimiter: string | undefined;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;
const NONE = 0x7fffffff;
const CANDIDATES = [',', ';', '\t'];

const enum Header {
	FieldStart,
	Unquoted,
	Quoted,
	/** Inside a quoted value, just after a quote: it closes the value or starts `""`. */
	QuoteInQuoted,
}

const enum Mode {
	/** The next chunk starts at the beginning of a field. */
	FieldStart,
	/** The next chunk continues a quoted field; `quoted` holds its text so far. */
	InQuotes,
	/** The quoted field in `quoted` is closed; the next chunk starts right after its closing quote. */
	AfterQuote,
	/** The next chunk continues an unquoted field whose start is in `partial`. */
	Unquoted,
}

export function createCsvParser(options: CsvOptions = {}): CsvParser {
	return new StreamingCsvParser(options.delimiter, options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS);
}

class StreamingCsvParser implements CsvParser {
	delimiter: string | undefined;
	private recordEnd = '\n';
	/** At most one character held back: a quote or CR whose meaning the next chunk decides. */
	private held = '';
	private partial: string[] = [];
	private partialLength = 0;
	private mode = Mode.FieldStart;
	private quoted = '';
	private row: string[] = [];
	/** Characters of the values in `row`. */
	private rowChars = 0;
	private records = 0;
	private started = false;
	/** Progress through the header line while detecting; `done` once the line is complete. */
	private header: {
		done: boolean;
		/** Text received so far, parsed once the header line is complete. */
		pieces: string[];
		length: number;
		/** The last chunk ended with a CR: CR or CRLF is decided by the next one. */
		heldCR: boolean;
		state: Header;
		counts: number[];
		content: boolean;
		recordEnd?: string;
	} = { done: false, pieces: [], length: 0, heldCR: false, state: Header.FieldStart, counts: [0, 0, 0], content: false };
	private ended = false;

	constructor(
		delimiter: string | undefined,
		private readonly maxRecordChars: number,
	) {
		if (delimiter !== undefined) {
			if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
				throw new ReportFormatError(
					`The CSV delimiter must be a single character other than a quote or line break, got ${JSON.stringify(delimiter)}`,
				);
			}
			this.delimiter = delimiter;
		}
	}

	push(text: string): string[][] {
		if (this.ended) throw new ReportFormatError('CSV input was already ended');
		const out: string[][] = [];
		if (text.length === 0) return out;
		if (!this.started) {
			this.started = true;
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
		}
		if (!this.header.done) {
			if (!this.detect(text, false)) return out;
			text = this.takeHeaderText();
		}
		this.scan(this.takeHeld(text), false, out);
		return out;
	}

	end(): string[][] {
		if (this.ended) return [];
		this.ended = true;
		const out: string[][] = [];
		let text = '';
		if (!this.header.done) {
			this.detect('', true);
			text = this.takeHeaderText();
		}
		this.scan(this.takeHeld(text), true, out);
		return out;
	}

	private takeHeld(text: string): string {
		if (this.held.length === 0) return text;
		const joined = this.held + text;
		this.held = '';
		return joined;
	}

	private takeHeaderText(): string {
		const text = this.header.pieces.join('');
		this.header.pieces = [];
		return text;
	}

	/**
	 * Reads up to the end of the header line (the first non-blank line), one chunk at a time.
	 * The first line break seen decides the record terminator (lone CR, or LF with optional CR);
	 * the header line's separators outside quotes decide the delimiter unless it was given.
	 * Quotes follow the parser's rule: only a quote at the start of a field opens a quoted
	 * value. Returns false while the line is incomplete.
	 */
	private detect(chunk: string, final: boolean): boolean {
		const header = this.header;
		header.pieces.push(chunk);
		header.length += chunk.length;
		const text = header.heldCR ? '\r' + chunk : chunk;
		header.heldCR = false;
		const separators = this.delimiter === undefined ? CANDIDATES : [this.delimiter];
		let complete = false;
		for (let i = 0; i < text.length; i++) {
			const c = text.charCodeAt(i);
			const state = header.state;
			if (state === Header.Quoted) {
				if (c === QUOTE) header.state = Header.QuoteInQuoted;
				continue;
			}
			if (state === Header.QuoteInQuoted && c === QUOTE) {
				header.state = Header.Quoted;
				continue;
			}
			if (c === LF || c === CR) {
				if (c === CR && i + 1 === text.length && !final) {
					header.heldCR = true; // CR or CRLF? the next chunk decides
					break;
				}
				const style = c === CR && text.charCodeAt(i + 1) !== LF ? '\r' : '\n';
				header.recordEnd ??= style;
				if (style === header.recordEnd) {
					if (!header.content) continue; // a blank line before the header
					complete = true;
					break;
				}
				// Otherwise a line-break character of the other style: ordinary text.
			}
			const separator = separators.indexOf(text[i]);
			if (separator >= 0) {
				header.counts[separator]++;
				header.state = Header.FieldStart;
			} else {
				header.state = c === QUOTE && state === Header.FieldStart ? Header.Quoted : Header.Unquoted;
			}
			header.content = true;
		}
		if (!complete && !final) {
			if (header.length > MAX_VALUE_CHARS) {
				throw new ReportFormatError(
					`The report is not valid CSV: no header line ends within its first ${MAX_VALUE_CHARS.toLocaleString('en-US')} characters`,
					NOT_A_REPORT_HINT,
				);
			}
			return false;
		}
		header.done = true;
		this.recordEnd = header.recordEnd ?? '\n';
		if (this.delimiter === undefined) {
			// Most frequent candidate outside quotes; ties go to the earlier one; ',' if none.
			let best = 0;
			for (let k = 1; k < CANDIDATES.length; k++) if (header.counts[k] > header.counts[best]) best = k;
			this.delimiter = CANDIDATES[best];
		}
		return true;
	}

	private scan(s: string, final: boolean, out: string[][]): void {
		const delimiter = this.delimiter as string;
		const delimiterCode = delimiter.charCodeAt(0);
		const recordEnd = this.recordEnd;
		const recordEndCode = recordEnd.charCodeAt(0);
		const crlf = recordEndCode === LF;
		const length = s.length;
		let row = this.row;
		let i = 0;
		let nextDelimiter = -1;
		let nextRecordEnd = -1;

		if (this.mode === Mode.InQuotes) {
			i = this.scanQuoted(s, 0, final);
			if (i < 0) return;
		} else if (this.mode === Mode.Unquoted) {
			i = this.finishPartial(s, final, out);
			if (i < 0) return;
			row = this.row;
		}
		for (;;) {
			if (this.mode !== Mode.FieldStart) {
				// Right after a closing quote: expect a delimiter, a record end or the end of input.
				if (i === length) {
					if (!final) {
						this.row = row;
						return; // mode stays AfterQuote
					}
					row.push(this.quoted);
					this.grow(this.quoted.length);
					out.push(row);
					this.endRecord();
					row = [];
					this.mode = Mode.FieldStart;
					break;
				}
				const c = s.charCodeAt(i);
				if (c === delimiterCode) {
					row.push(this.quoted);
					this.grow(this.quoted.length);
					if (row.length >= MAX_RECORD_VALUES) throw this.tooWide();
					i++;
				} else if (c === recordEndCode) {
					row.push(this.quoted);
					this.grow(this.quoted.length);
					out.push(row);
					this.endRecord();
					row = [];
					i++;
				} else if (crlf && c === CR && (i + 1 === length || s.charCodeAt(i + 1) === LF)) {
					if (i + 1 === length && !final) {
						this.held = '\r';
						this.row = row;
						return;
					}
					row.push(this.quoted);
					this.grow(this.quoted.length);
					out.push(row);
					this.endRecord();
					row = [];
					i += 2;
				} else {
					throw this.syntaxError('unexpected text after a closing quote');
				}
				this.quoted = '';
				this.mode = Mode.FieldStart;
				continue;
			}

			if (i >= length) {
				if (final && row.length > 0) {
					// The input ended right after a delimiter: the last value is empty.
					row.push('');
					out.push(row);
					this.endRecord();
					row = [];
				}
				break;
			}
			if (s.charCodeAt(i) === QUOTE) {
				this.quoted = '';
				this.mode = Mode.InQuotes;
				i = this.scanQuoted(s, i + 1, final);
				if (i < 0) {
					this.row = row;
					return;
				}
				this.mode = Mode.AfterQuote;
				continue;
			}
			if (nextDelimiter < i) {
				nextDelimiter = s.indexOf(delimiter, i);
				if (nextDelimiter < 0) nextDelimiter = NONE;
			}
			if (nextRecordEnd < i) {
				nextRecordEnd = s.indexOf(recordEnd, i);
				if (nextRecordEnd < 0) nextRecordEnd = NONE;
			}
			if (nextDelimiter < nextRecordEnd) {
				row.push(s.slice(i, nextDelimiter));
				this.grow(nextDelimiter - i);
				if (nextDelimiter - i > MAX_VALUE_CHARS) throw this.tooLong();
				if (row.length >= MAX_RECORD_VALUES) throw this.tooWide();
				i = nextDelimiter + 1;
				continue;
			}
			let end = nextRecordEnd;
			if (end === NONE) {
				if (!final) {
					// The field runs on into the next chunk: keep its start, scan only what comes.
					this.partial.push(s.slice(i));
					this.partialLength = length - i;
					this.mode = Mode.Unquoted;
					if (this.partialLength > MAX_VALUE_CHARS) throw this.tooLong();
					break;
				}
				end = length;
			}
			const next = end + 1;
			if (crlf && end > i && s.charCodeAt(end - 1) === CR) end--;
			if (end - i > MAX_VALUE_CHARS) throw this.tooLong();
			if (row.length > 0 || end > i) {
				row.push(s.slice(i, end));
				this.grow(end - i);
				out.push(row);
				this.endRecord();
				row = [];
			}
			i = next;
		}
		this.row = row;
	}

	/**
	 * Ends the unquoted field whose start is in `partial` at the first delimiter or record end
	 * of `s`. Returns the index after it, or -1 when `s` holds neither (then `s` joins `partial`).
	 */
	private finishPartial(s: string, final: boolean, out: string[][]): number {
		const length = s.length;
		let delimiterAt = s.indexOf(this.delimiter as string);
		let recordEndAt = s.indexOf(this.recordEnd);
		if (delimiterAt < 0) delimiterAt = NONE;
		if (recordEndAt < 0) recordEndAt = NONE;
		if (delimiterAt === NONE && recordEndAt === NONE && !final) {
			this.partial.push(s);
			this.partialLength += length;
			if (this.partialLength > MAX_VALUE_CHARS) throw this.tooLong();
			return -1;
		}
		const endsField = delimiterAt < recordEndAt;
		const end = Math.min(delimiterAt, recordEndAt, length);
		this.partial.push(s.slice(0, end));
		let value = this.partial.join('');
		this.partial = [];
		this.partialLength = 0;
		this.mode = Mode.FieldStart;
		if (!endsField && this.recordEnd === '\n' && value.charCodeAt(value.length - 1) === CR) {
			value = value.slice(0, -1);
		}
		if (value.length > MAX_VALUE_CHARS) throw this.tooLong();
		const row = this.row;
		if (!endsField && row.length === 0 && value.length === 0) return end + 1; // a blank line
		row.push(value);
		this.grow(value.length);
		if (endsField) {
			if (row.length >= MAX_RECORD_VALUES) throw this.tooWide();
		} else {
			out.push(row);
			this.endRecord();
			this.row = [];
		}
		return end + 1;
	}

	/**
	 * Scans quoted text from `from` (just after the opening quote, or where the previous
	 * chunk stopped). Returns the index after the closing quote, or -1 when `s` ends first.
	 */
	private scanQuoted(s: string, from: number, final: boolean): number {
		let value = this.quoted;
		let i = from;
		for (;;) {
			const quote = s.indexOf('"', i);
			if (quote < 0) {
				if (final) throw this.syntaxError('a quoted value is not closed before the end of the file');
				this.quoted = value + s.slice(i);
				this.mode = Mode.InQuotes;
				if (this.quoted.length > MAX_VALUE_CHARS) throw this.tooLong();
				return -1;
			}
			if (quote + 1 === s.length && !final) {
				// Closing quote or the first half of `""`? The next chunk decides.
				this.quoted = value + s.slice(i, quote);
				this.held = '"';
				this.mode = Mode.InQuotes;
				if (this.quoted.length > MAX_VALUE_CHARS) throw this.tooLong();
				return -1;
			}
			if (s.charCodeAt(quote + 1) === QUOTE) {
				value += s.slice(i, quote + 1);
				if (value.length > MAX_VALUE_CHARS) throw this.tooLong();
				i = quote + 2;
				continue;
			}
			this.quoted = value + s.slice(i, quote);
			this.mode = Mode.AfterQuote;
			if (this.quoted.length > MAX_VALUE_CHARS) throw this.tooLong();
			return quote + 1;
		}
	}

	/** Counts a value just added to the record against Max Record Size. */
	private grow(length: number): void {
		this.rowChars += length;
		if (this.rowChars > this.maxRecordChars) throw recordTooLarge(this.maxRecordChars, this.records + 1);
	}

	private endRecord(): void {
		this.records++;
		this.rowChars = 0;
	}

	private tooLong(): ReportFormatError {
		return valueTooLong('CSV', `record ${this.records + 1}, counting the header`);
	}

	private tooWide(): ReportFormatError {
		return recordTooWide('CSV', `record ${this.records + 1}, counting the header`);
	}

	private syntaxError(problem: string): ReportFormatError {
		return new ReportFormatError(
			`The report is not valid CSV: ${problem} (record ${this.records + 1}, counting the header)`,
			'Download the report again; if the problem stays, the file is damaged.',
		);
	}
}

/** Records in batches, one batch per text chunk (the fast path). */
export async function* parseCsvBatches(
	text: AsyncIterable<string>,
	options: CsvOptions = {},
	parser: CsvParser = createCsvParser(options),
): AsyncGenerator<string[][]> {
	for await (const chunk of text) {
		const records = parser.push(chunk);
		if (records.length > 0) yield records;
	}
	const last = parser.end();
	if (last.length > 0) yield last;
}

/** Records one by one (simpler to consume, slower than `parseCsvBatches`). */
export async function* parseCsv(
	text: AsyncIterable<string>,
	options: CsvOptions = {},
): AsyncGenerator<string[]> {
	for await (const batch of parseCsvBatches(text, options)) {
		for (const record of batch) yield record;
	}
}
