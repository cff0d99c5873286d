import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { STATUS_GROUP_OPTIONS } from '../report/statuses';
import type { RowOptionName, TaskKind } from '../tasks/kinds';

/** What a finished task's file becomes; shared by the action node and the trigger. */
export const outputOptions = [
	{
		name: 'File',
		value: 'file',
		description: 'One item with the task as JSON and the report file as binary data',
	},
	{
		name: 'Rows',
		value: 'rows',
		description: 'One item per recipient (reports) or per contact (exports)',
	},
	{
		name: 'Summary',
		value: 'summary',
		description: 'One item: the total, rates and counts per status',
	},
];

export function outputProperty(
	displayOptions?: IDisplayOptions,
	extraOptions: typeof outputOptions = [],
	defaultOutput = 'summary',
): INodeProperties {
	return {
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [...outputOptions, ...extraOptions],
		default: defaultOutput,
		description:
			'What to return once the file is ready. Rows: a report’s recipients with a readable status and status group, or an export’s contacts with the file’s columns. Summary: the total first, then rates and counts per status (exports: per email and phone status). Both read the file as it downloads, so even million-row files use little memory.',
		displayOptions,
	};
}

/** Options that shape the downloaded file; names are shared by every node that outputs one. */
export const fileOptionFields: INodeProperties[] = [
	{
		displayName: 'Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Name of the binary property that holds the report file (File output)',
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'delivery-report.csv',
		description: 'Name given to the stored file (File output). Empty keeps the name Selzy sends.',
	},
	{
		displayName: 'Row Format',
		name: 'rowFormat',
		type: 'options',
		options: [
			{
				name: 'Enriched',
				value: 'enriched',
				description: 'Readable status, status group, ISO time and additional fields by name',
			},
			{
				name: 'As in the File',
				value: 'asInFile',
				description: 'The report’s own columns and values as written; lightest on memory',
			},
		],
		default: 'enriched',
		description:
			'Rows output of delivery reports: the items’ shape. Contact exports always keep the file’s own columns.',
	},
	{
		displayName: 'Status Groups',
		name: 'statusGroups',
		type: 'multiOptions',
		options: STATUS_GROUP_OPTIONS,
		default: [],
		description:
			'Rows output: keep only recipients in these groups, for example Hard Bounce and Unsubscribed for a suppression list. Empty keeps all. An expression or an AI agent can give names separated by commas (hard_bounce, unsubscribed).',
	},
	{
		displayName: 'Send Results',
		name: 'sendResults',
		type: 'string',
		default: '',
		placeholder: 'err_user_unknown, err_mailbox_full',
		description:
			'Rows output: keep only these raw Selzy send_result values (comma-separated). Combined with Status Groups, a row matching either is kept.',
	},
	{
		displayName: 'Max Rows',
		name: 'maxRows',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Rows output: stop after this many rows (after filtering). 0 returns all; as an AI agent’s tool, 0 means 100 and the answer gives the count of all rows.',
	},
	{
		displayName: 'Download Stall Timeout (Seconds)',
		name: 'stallTimeout',
		type: 'number',
		typeOptions: { minValue: 5 },
		default: 60,
		description: 'Abort the download when no data arrives for this long',
	},
	{
		displayName: 'Max Download Size (MB)',
		name: 'maxDownloadSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1024,
		description:
			'Stop a report download that grows past this size (as sent, before unpacking). A 4,000,000-recipient report with seven additional fields is about 500 MB of CSV.',
	},
	{
		displayName: 'Download Time Limit (Seconds)',
		name: 'downloadTimeLimit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1800,
		description:
			'Stop a report download that takes longer than this in total, however steadily data arrives (Rows and Summary are read during the download, so this includes reading them)',
	},
	{
		displayName: 'Row Safety Limit',
		name: 'rowSafetyLimit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1500000,
		description:
			'Rows output: fail instead of returning more rows than this, because every row is an item n8n holds in memory (a million rows take about 3 GB while n8n saves the execution). Max Rows, Status Groups and Send Results return fewer rows. Until this option is added, Until Selzy Notifies stops at 100,000 rows.',
	},
	{
		displayName: 'Max Unpacked Size (MB)',
		name: 'maxUnpackedSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 2048,
		description:
			'Stop reading a gzip or zip report that unpacks to more than this. A 4-million-recipient report unpacks to about 1 GB.',
	},
	{
		displayName: 'Max Unpack Ratio',
		name: 'maxUnpackRatio',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 100,
		description:
			'Stop reading a gzip or zip report that unpacks to more than this many times its compressed size, the mark of a decompression bomb. Genuine reports compress 5 to 25 times.',
	},
	{
		displayName: 'Max Record Size (MB)',
		name: 'maxRecordSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 4,
		description:
			'Stop reading a report with a record (one row, all its values together) larger than this. A genuine row holds an address, a status and some contact fields, a few kilobytes; 4 MB holds even 60 contact fields filled to the 64 KB a field takes. A larger record is the mark of a damaged or hostile file, and would sit whole in memory.',
	},
	{
		displayName: 'Neutralize Formulas',
		name: 'neutralizeFormulas',
		type: 'boolean',
		default: false,
		description:
			"Whether to put a ' before values and field names that a spreadsheet would run as a formula (Rows output). Turn on when rows go to Google Sheets or Excel: a contact field such as =HYPERLINK(…) would otherwise become a live formula there. Affected: values starting with =, @, a tab or a line break, and values starting with + or - that hold more than digits, spaces and ( ) - + . , so phone numbers and negative numbers stay as they are.",
	},
];

const ROW_OPTION_NAMES: ReadonlySet<string> = new Set<RowOptionName>(['rowFormat', 'statusGroups', 'sendResults']);

/** The file options that make sense for `kind` (no delivery statuses for a contact file). */
export function fileOptionsFor(kind: TaskKind): INodeProperties[] {
	return fileOptionFields.filter((field) => !ROW_OPTION_NAMES.has(field.name) || kind.rowOptions.includes(field.name as RowOptionName));
}
