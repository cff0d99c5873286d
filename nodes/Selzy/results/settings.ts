import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_MAX_RECORD_CHARS, DEFAULT_MAX_ROWS_HELD, DEFAULT_UNPACK_LIMITS, type UnpackLimits } from '../report/limits';
import { STATUS_GROUPS, type StatusGroup } from '../report/statuses';
import type { RowSettings } from '../tasks/kinds';
import { downloadLimitsFrom } from '../transport/download';

/** What a finished task's file becomes. */
export type Output = 'file' | 'rows' | 'summary';

/** How a task's file is downloaded, read and returned; built from a node's options. */
export interface FileSettings extends RowSettings {
	output: Output;
	binaryPropertyName: string;
	fileName: string;
	unpackLimits: UnpackLimits;
	/** Max Record Size, in characters. */
	maxRecordChars: number;
	stallTimeoutMs: number;
	maxDownloadBytes: number;
	downloadTimeLimitMs: number;
}

/** A whole number ≥ `min` from an option, or `fallback` when it is missing or not a number. */
function wholeNumber(value: unknown, fallback: number, min: number): number {
	const number = Number(value ?? fallback);
	return Number.isFinite(number) ? Math.max(min, Math.floor(number)) : fallback;
}

/**
 * Status Groups as a list, also when an expression or an AI agent gives a comma-separated text
 * ("hard_bounce, soft bounce"); names are matched ignoring case, spaces and dashes.
 */
export function statusGroupsFrom(value: unknown): StatusGroup[] {
	const written = (Array.isArray(value) ? value : String(value ?? '').split(','))
		.map((name) => String(name).replace(/["'[\]]/g, '').trim().toLowerCase().replace(/[\s-]+/g, '_'))
		.filter(Boolean);
	const unknown = written.filter((name) => !(STATUS_GROUPS as string[]).includes(name));
	if (unknown.length) {
		throw new Error(
			`Status Groups: ${unknown.map((name) => `"${name}"`).join(', ')} is not a status group; use ${STATUS_GROUPS.join(', ')}`,
		);
	}
	return [...new Set(written)] as StatusGroup[];
}

/** Reads the file options every node shares (the `options` collection). */
export function readFileSettings(output: Output, options: IDataObject): FileSettings {
	return {
		output,
		rowFormat: options.rowFormat === 'asInFile' ? 'asInFile' : 'enriched',
		binaryPropertyName: String(options.binaryPropertyName || 'data'),
		fileName: String(options.fileName ?? '').trim(),
		statusGroups: statusGroupsFrom(options.statusGroups),
		sendResults: String(options.sendResults ?? '')
			.split(',')
			.map((value) => value.trim())
			.filter(Boolean),
		limit: Math.max(0, Math.floor(Number(options.maxRows ?? 0))),
		maxRowsHeld: wholeNumber(options.rowSafetyLimit, DEFAULT_MAX_ROWS_HELD, 1),
		neutralizeFormulas: options.neutralizeFormulas === true,
		unpackLimits: {
			maxUnpackedBytes:
				wholeNumber(options.maxUnpackedSize, DEFAULT_UNPACK_LIMITS.maxUnpackedBytes / 1024 / 1024, 1) * 1024 * 1024,
			maxUnpackRatio: wholeNumber(options.maxUnpackRatio, DEFAULT_UNPACK_LIMITS.maxUnpackRatio, 1),
		},
		maxRecordChars: wholeNumber(options.maxRecordSize, DEFAULT_MAX_RECORD_CHARS / 1024 / 1024, 1) * 1024 * 1024,
		...downloadLimitsFrom(options),
	};
}
