/**
 * Bounds of the report pipeline. A genuine report stays far inside each one; crossing one
 * means the file is damaged or hostile, so reading stops with an error that names the bound.
 */
import { ReportFormatError, ReportLimitError } from './errors';

/**
 * Longest single value, in characters (1 MiB). Selzy stores contact fields as text, at most
 * a database text column (64 KiB); 16 times that still stops a runaway value long before
 * memory or time suffer.
 */
export const MAX_VALUE_CHARS = 1_048_576;

/** Most values in one record; an account has tens of contact fields, not thousands. */
export const MAX_RECORD_VALUES = 10_000;

export const NOT_A_REPORT_HINT =
	'Values in Selzy reports are short, so the file is damaged or is not a delivery report. Choose the File output to inspect it.';

const formatCount = (n: number): string => n.toLocaleString('en-US');

export function valueTooLong(format: 'CSV' | 'JSON', where: string): ReportFormatError {
	return new ReportFormatError(
		`The report is not valid ${format}: a single value is longer than ${formatCount(MAX_VALUE_CHARS)} characters (${where})`,
		NOT_A_REPORT_HINT,
	);
}

export function recordTooWide(format: 'CSV' | 'JSON', where: string): ReportFormatError {
	return new ReportFormatError(
		`The report is not valid ${format}: a record has more than ${formatCount(MAX_RECORD_VALUES)} values (${where})`,
		NOT_A_REPORT_HINT,
	);
}

const MIB = 1024 * 1024;

export interface UnpackLimits {
	/** Most bytes a gzip or zip report may unpack to. */
	maxUnpackedBytes: number;
	/** Most unpacked bytes per downloaded byte, checked once MIN_BYTES_FOR_RATIO came out. */
	maxUnpackRatio: number;
}

/**
 * A 4,000,000-row report is about 240 MB unpacked at the 60 bytes a row of the sandbox
 * takes, 800 MB at 200 bytes with several contact fields: 2 GiB leaves 2.5 times that.
 * Delivery reports compress 5–15 times (about 22 when every row has the same status and
 * time); 100 leaves 4 times that, while a deflate bomb reaches 1,000.
 */
export const DEFAULT_UNPACK_LIMITS: UnpackLimits = { maxUnpackedBytes: 2048 * MIB, maxUnpackRatio: 100 };

/** The ratio is judged only past this much output, so small files never trip it. */
export const MIN_BYTES_FOR_RATIO = MIB;

/**
 * Rows output keeps every row as an n8n item in memory (a million rows take about 3 GB
 * while n8n saves the execution). A genuine 1,000,000-row report passes with half again
 * to spare; the 5,000,000 items of a hostile archive are refused before 1,500,001 exist.
 */
export const DEFAULT_MAX_ROWS_HELD = 1_500_000;

/**
 * Largest record (one row, all its values together), in characters: 4 MiB. A genuine row holds
 * an address, a status, a time and some contact fields, a few kilobytes; even 60 text fields
 * filled to the 64 KiB a field holds stay below it. Values are capped one by one, but a record
 * of 10,000 of them could be as large as the whole download, held in memory at once.
 */
export const DEFAULT_MAX_RECORD_CHARS = 4 * MIB;

/** `record` counts from 1, the header being record 1. */
export function recordTooLarge(maxRecordChars: number, record: number): ReportLimitError {
	return new ReportLimitError(
		`Record ${formatCount(record)} of the report (counting the header) is larger than ${formatMegabytes(maxRecordChars)} (Max Record Size)`,
		'A row of a genuine report holds an address, a status and some contact fields, a few kilobytes. If this report is genuine, raise the Max Record Size (MB) option; otherwise the file is damaged or not a Selzy report.',
	);
}

export const formatMegabytes = (bytes: number): string =>
	`${(bytes / MIB).toLocaleString('en-US', { maximumFractionDigits: bytes < 10 * MIB ? 1 : 0 })} MB`;

/** `detail` says how the size became known, e.g. "from 4.8 MB downloaded so far". */
export function unpackedTooLarge(limits: UnpackLimits, detail: string): ReportLimitError {
	return new ReportLimitError(
		`The report unpacks to more than ${formatMegabytes(limits.maxUnpackedBytes)} (Max Unpacked Size), ${detail}`,
		'A genuine report of 4 million recipients unpacks to about 1 GB. If this one is genuine, raise the Max Unpacked Size (MB) option; otherwise the file is not a Selzy report.',
	);
}

export function unpackRatioTooHigh(limits: UnpackLimits, unpacked: number, downloaded: number): ReportLimitError {
	return new ReportLimitError(
		`The report unpacks to more than ${limits.maxUnpackRatio} times its compressed size (Max Unpack Ratio): ${formatMegabytes(unpacked)} from ${formatMegabytes(downloaded)}`,
		'Genuine delivery reports compress 5 to 25 times; far more is the mark of a decompression bomb. If this report is genuine, raise the Max Unpack Ratio option.',
	);
}

export function tooManyRows(maxRowsHeld: number): ReportLimitError {
	return new ReportLimitError(
		`The report has more than ${formatCount(maxRowsHeld)} rows to return (Row Safety Limit), more items than n8n can safely hold`,
		'Set Max Rows to return only the first rows, keep fewer rows with the Status Groups or Send Results filters, or choose the Summary or File output. To return them all anyway, raise Row Safety Limit.',
	);
}
