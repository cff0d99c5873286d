/**
 * Errors raised while reading a delivery report. They are plain `Error`s so the report
 * pipeline stays free of n8n; the node layer wraps them into n8n errors and shows `hint`
 * as the description.
 */
export class ReportError extends Error {
	constructor(
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = new.target.name;
	}
}

/** The file is readable but its content is not a delivery report we understand. */
export class ReportFormatError extends ReportError {}

/** The compressed file (gzip or zip) is damaged, truncated or uses an unsupported method. */
export class ReportCompressionError extends ReportError {}

/** The text is not valid in the character encoding the report was read with. */
export class ReportEncodingError extends ReportError {
	constructor(
		message: string,
		/** Offset of the offending byte in the uncompressed report. */
		readonly byteOffset: number,
		hint?: string,
	) {
		super(message, hint);
	}
}

/** The report crossed a size bound (unpacked size, unpack ratio, row count); the hint names the option. */
export class ReportLimitError extends ReportError {}
