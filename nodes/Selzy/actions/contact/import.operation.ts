import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { runsAsTool } from '../../results/toolAnswer';
import { fetchFields } from '../../transport/catalog';
import { IMPORT_ANSWER_TIMEOUT_SECONDS } from '../../transport/contactFields';
import type { Operation } from '../operation';
import { listIdsFrom, listsProperty } from '../pickers';
import { callsPerMinuteFrom } from '../taskRun';
import { callsPerMinuteOption } from '../wait.descriptions';
import { nodeError } from './contactParameters';
import { sendInBatches, type ImportSettings } from './importBatches';
import { ImportTally, type ImportOutput } from './importResults';
import { fileInput, rowsFromItems } from './importSources';

type Source = 'columns' | 'json' | 'file';

const DEFAULT_PARALLEL_BATCHES = 8;
/** Each Contact on a file makes an item per row, which n8n holds in memory. */
const MAX_ROW_ITEMS = 1_500_000;

const outputOptions = [
	{ name: 'Each Contact', value: 'rows', description: 'One item per contact: inserted, updated, deleted, or refused and why' },
	{ name: 'Refused Contacts Only', value: 'refused', description: 'One item per contact Selzy refused (or that could not be sent)' },
	{ name: 'Summary', value: 'summary', description: 'One item: the counts, and refusals grouped by code' },
];

const properties: INodeProperties[] = [
	{
		displayName: 'Contacts From',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Input Items', value: 'columns', description: 'One contact per input item, its fields mapped to Selzy’s columns below' },
			{ name: 'JSON List', value: 'json', description: 'Each input item holds a list of contacts (from a Code node or an AI agent)' },
			{ name: 'CSV File', value: 'file', description: 'A CSV file in a binary field, read as a stream: for large imports' },
		],
		default: 'columns',
	},
	{
		displayName: 'Columns',
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['source'],
			resourceMapper: {
				resourceMapperMethod: 'getContactColumns',
				mode: 'add',
				fieldWords: { singular: 'column', plural: 'columns' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		displayOptions: { show: { source: ['columns'] } },
	},
	{
		displayName: 'Contacts',
		name: 'contacts',
		type: 'json',
		default: '[]',
		placeholder: '[{"email": "ann@example.com", "email_status": "active", "tags": "webinar"}]',
		description:
			'A JSON list of contacts, each an object keyed by Selzy’s column names (email, phone, email_status, phone_status, tags, email_list_ids, delete…) and your own field names. Other keys are left out.',
		displayOptions: { show: { source: ['json'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description:
			'The binary field holding the CSV file (also gzip or zip). Its header row names the columns: Selzy’s (email, phone, email_status, tags, delete…) and your own fields; other columns are left out.',
		displayOptions: { show: { source: ['file'] } },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: outputOptions,
		default: 'rows',
		displayOptions: { show: { source: ['columns', 'json'] } },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: outputOptions,
		default: 'summary',
		description: 'Summary keeps memory flat for a file of any size; Each Contact makes an item per row',
		displayOptions: { show: { source: ['file'] } },
	},
	{
		displayName:
			'Selzy matches contacts by email (or phone): new ones are added, known ones updated. An existing contact’s status changes only while it is active or inactive. Set delete to 1 to delete a contact, email_status to unsubscribed to unsubscribe it from everything.',
		name: 'importNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ ...listsProperty('Lists every contact joins, besides those in its own email_list_ids or phone_list_ids', false, 'addToLists'), displayName: 'Add to List Names or IDs' },
			{
				displayName: 'Answer Timeout (Seconds)',
				name: 'answerTimeout',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 300 },
				default: IMPORT_ANSWER_TIMEOUT_SECONDS,
				description: 'How long Selzy may take to answer one batch of 500 (Selzy: 30 s). Without an answer the batch is sent again, at most twice.',
			},
			callsPerMinuteOption,
			{
				displayName: 'Overwrite Lists',
				name: 'overwriteLists',
				type: 'boolean',
				default: false,
				description: 'Whether each contact’s lists become exactly those imported (otherwise imported lists are added)',
			},
			{
				displayName: 'Overwrite Tags',
				name: 'overwriteTags',
				type: 'boolean',
				default: false,
				description: 'Whether each contact’s tags become exactly those imported (otherwise imported tags are added)',
			},
			{
				displayName: 'Parallel Batches',
				name: 'parallelBatches',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 20 },
				default: DEFAULT_PARALLEL_BATCHES,
				description: 'Batches of 500 on their way to Selzy at once, within API Calls per Minute. A contact in two batches goes in input order.',
			},
		],
	},
];

/** Contact → Import: importContacts in batches of 500 across all items, or from a CSV file. */
export const importContacts: Operation = {
	option: {
		name: 'Import',
		value: 'import',
		action: 'Import contacts',
		description: 'Add, update, unsubscribe or delete many contacts: from items, JSON or a CSV file',
	},
	description: updateDisplayOptions({ show: { resource: ['contact'], operation: ['import'] } }, properties),
	async executeAll(this: IExecuteFunctions) {
		const source = this.getNodeParameter('source', 0, 'columns') as Source;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const asTool = runsAsTool(this);
		const output = asTool ? 'summary' : (this.getNodeParameter('output', 0, source === 'file' ? 'summary' : 'rows') as ImportOutput);
		const settings = importSettings(this, options);
		const addToLists = listIdsFrom(this, options.addToLists, 'Add to Lists', 0);
		let fields: Promise<ReadonlySet<string>> | undefined;
		const userFields = async () => await (fields ??= fetchFields.call(this).then((list) => new Set(list.map((field) => field.name))));
		if (source === 'file') return await importFiles(this, output, settings, addToLists, userFields);

		const input = await rowsFromItems(this, source, userFields, addToLists);
		const tally = new ImportTally(input.columns, output);
		for (const { row, problem } of input.problems) {
			const message = `${capitalized(row.label)} cannot be imported: ${problem}`;
			if (!settings.continueOnFail) throw rowError(this, message, input.problems.length, row.item);
			tally.rejected(row, message);
		}
		await sendInBatches(this, input.columns, input.rows, settings, tally, input.describe);
		const everyItem = this.getInputData().map((_, item) => ({ item }));
		return asTool ? [{ json: tally.toolAnswer(), pairedItem: everyItem }] : tally.outputItems(everyItem);
	},
};

/** Each item's file is an import of its own; with Continue On Fail a failed file is an error item. */
async function importFiles(
	context: IExecuteFunctions,
	output: ImportOutput,
	settings: ImportSettings,
	addToLists: string[],
	userFields: () => Promise<ReadonlySet<string>>,
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[] = [];
	for (let item = 0; item < context.getInputData().length; item++) {
		try {
			const property = String(context.getNodeParameter('binaryPropertyName', item, 'data')).trim();
			const file = await fileInput(context, item, property, await userFields(), addToLists);
			if (output === 'rows' && file.rowCount > MAX_ROW_ITEMS) {
				throw new NodeOperationError(context.getNode(), `The file in item ${item} has ${file.rowCount} rows, too many for one item each (at most ${MAX_ROW_ITEMS})`, {
					itemIndex: item,
					description: 'Nothing was sent to Selzy. Choose Output: Summary or Refused Contacts Only.',
				});
			}
			const tally = new ImportTally(file.columns, output);
			await sendInBatches(context, file.columns, file.rows(), { ...settings, continueOnFail: false }, tally, file.describe);
			results.push(...(runsAsTool(context) ? [{ json: tally.toolAnswer(), pairedItem: { item } }] : tally.outputItems([{ item }])));
		} catch (error) {
			if (!settings.continueOnFail || context.getExecutionCancelSignal()?.aborted) throw nodeError(context, error, item);
			results.push({ json: { error: (error as Error).message }, pairedItem: { item } });
		}
	}
	return results;
}

function importSettings(context: IExecuteFunctions, options: IDataObject): ImportSettings {
	const bounded = (value: unknown, fallback: number, max: number) => {
		const number = Math.floor(Number(value ?? fallback));
		return Number.isFinite(number) && number >= 1 ? Math.min(number, max) : fallback;
	};
	return {
		overwriteTags: options.overwriteTags === true,
		overwriteLists: options.overwriteLists === true,
		parallelBatches: bounded(options.parallelBatches, DEFAULT_PARALLEL_BATCHES, 20),
		answerTimeoutMs: bounded(options.answerTimeout, IMPORT_ANSWER_TIMEOUT_SECONDS, 300) * 1000,
		callsPerMinute: callsPerMinuteFrom(options),
		continueOnFail: context.continueOnFail(),
	};
}

function rowError(context: IExecuteFunctions, message: string, count: number, itemIndex: number): NodeOperationError {
	const others = count > 1 ? ` ${count - 1} more cannot be imported either.` : '';
	return new NodeOperationError(context.getNode(), message, {
		itemIndex,
		description: `Nothing was sent to Selzy: every contact is checked before the first batch goes out.${others} Fix them, or turn on Continue On Fail to import the others and get these as error items.`,
	});
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
