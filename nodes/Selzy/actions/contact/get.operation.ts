import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { MAX_TOOL_CELL_LENGTH, runsAsTool } from '../../results/toolAnswer';
import { selzyApiRequest } from '../../transport/request';
import type { Operation } from '../operation';
import { callsPerMinuteFrom } from '../taskRun';
import { isContactNotFound, selzyWords } from './contactNotFound';
import { contactOptionsProperty, nodeError, requiredText } from './contactParameters';

/** Lists named in a tool's answer; the rest are counted. */
const TOOL_LISTS = 50;

const properties: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		required: true,
		description: 'The contact’s email address',
	},
	{
		displayName: 'Include Lists',
		name: 'includeLists',
		type: 'boolean',
		default: true,
		description: 'Whether to return the lists the contact is in, with its status in each',
	},
	{
		displayName: 'Include Fields',
		name: 'includeFields',
		type: 'boolean',
		default: true,
		description: 'Whether to return the contact’s own fields by name',
	},
	contactOptionsProperty,
];

/** Contact → Get: getContact; a contact Selzy does not know is `found: false`. */
export const getContact: Operation = {
	option: {
		name: 'Get',
		value: 'get',
		action: 'Get a contact',
		description: 'Get a contact’s status, availability, lists and fields by email',
	},
	description: updateDisplayOptions({ show: { resource: ['contact'], operation: ['get'] } }, properties),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const email = requiredText(this, 'email', itemIndex, 'Email');
		const includeLists = this.getNodeParameter('includeLists', itemIndex, true) === true;
		const includeFields = this.getNodeParameter('includeFields', itemIndex, true) === true;
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const pairedItem = { item: itemIndex };
		let answer: unknown;
		try {
			answer = await selzyApiRequest.call(
				this,
				'getContact',
				{ email, include_lists: includeLists ? 1 : 0, include_fields: includeFields ? 1 : 0 },
				{ itemIndex, callsPerMinute: callsPerMinuteFrom(options) },
			);
		} catch (error) {
			if (!isContactNotFound(error)) throw nodeError(this, error, itemIndex);
			return [{ json: { found: false, email, message: selzyWords(error as never) }, pairedItem }];
		}
		const json = contactOf(answer, email, includeLists, includeFields);
		return [{ json: runsAsTool(this) ? forModel(json) : json, pairedItem }];
	},
};

/** Selzy's answer as one item; lists and fields may sit inside `email` or beside it. */
function contactOf(answer: unknown, email: string, includeLists: boolean, includeFields: boolean): IDataObject {
	const result = isObject(answer) ? answer : {};
	const person = isObject(result.email) ? result.email : {};
	const json: IDataObject = {
		found: true,
		email: typeof person.email === 'string' ? person.email : email,
		status: person.status ?? null,
		availability: person.availability ?? null,
		added_at: person.added_at ?? null,
	};
	if (includeLists) {
		const lists = person.lists ?? result.lists;
		json.lists = (Array.isArray(lists) ? lists : isObject(lists) ? Object.values(lists) : []) as IDataObject[];
	}
	if (includeFields) {
		const fields = person.fields ?? result.fields;
		json.fields = (isObject(fields) ? fields : {}) as IDataObject;
	}
	return json;
}

/** For a model: long values cut, at most TOOL_LISTS lists named. */
function forModel(json: IDataObject): IDataObject {
	const cut = (value: unknown) => (typeof value === 'string' && value.length > MAX_TOOL_CELL_LENGTH ? `${value.slice(0, MAX_TOOL_CELL_LENGTH)}…` : value);
	const answer: IDataObject = { ...json };
	if (Array.isArray(json.lists) && json.lists.length > TOOL_LISTS) {
		answer.lists = json.lists.slice(0, TOOL_LISTS);
		answer.lists_total = json.lists.length;
	}
	if (isObject(json.fields)) answer.fields = Object.fromEntries(Object.entries(json.fields).map(([name, value]) => [name, cut(value)])) as IDataObject;
	return answer;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
