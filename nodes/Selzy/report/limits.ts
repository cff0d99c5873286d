/**
 * Bounds of the report pipeline. A genuine report stays far inside each one; crossing one
 * means the file is damaged or hostile, so reading stops with an error that names the bound.
 */
import { ReportFormatError } from './errors';

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
