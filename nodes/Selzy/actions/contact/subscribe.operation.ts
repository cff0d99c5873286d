import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { MAX_CONTACT_TAGS, SUBSCRIBE_CALLS_PER_MINUTE } from '../../transport/contactFields';
import { selzyApiRequest } from '../../transport/request';
import type { Operation } from '../operation';
import { listIdsFrom, listsProperty } from '../pickers';
import { callsPerMinuteFrom } from '../taskRun';
import { contactOptionsProperty } from './contactParameters';

/** Selzy's `double_optin` for each choice. */
const DOUBLE_OPTIN: Record<string, number> = { confirm: 0, direct: 3, ifActive: 4 };
/** Selzy's `overwrite` for each choice. */
const OVERWRITE: Record<string, number> = { add: 0, all: 1, given: 2 };

const properties: INodeProperties[] = [
	listsProperty('The lists the contact joins', true),
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: 'The contact’s email address. Email or phone is needed.',
	},
	{
		displayName: 'Phone',
		name: 'phone',
		type: 'string',
		placeholder: '+79001234567',
		default: '',
		description: 'The contact’s phone number in international format. Email or phone is needed.',
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		description: 'Values of your own contact fields, by name',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'name',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getUserFieldNames' },
						default: '',
						description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Tags',
		name: 'tags',
		type: 'string',
		default: '',
		placeholder: 'webinar, spring-sale',
		description: `Tags to give the contact, separated by commas (at most ${MAX_CONTACT_TAGS})`,
	},
	{
		displayName: 'Confirmation',
		name: 'doubleOptin',
		type: 'options',
		options: [
			{
				name: 'Send a Confirmation Email',
				value: 'confirm',
				description: 'Selzy emails a confirmation link; the usual way for sign-up forms',
			},
			{ name: 'Add Without an Email', value: 'direct', description: 'Added at once with status new, no email: for contacts who agreed elsewhere' },
			{
				name: 'Add If Already Active, Else Confirm',
				value: 'ifActive',
				description: 'At once if already new or active in your lists; others get the email',
			},
		],
		default: 'confirm',
		description:
			'Whether Selzy asks the contact to confirm first. Until a confirmation link is followed the contact is invited and gets no campaigns.',
	},
	{
		displayName: 'Existing Contact',
		name: 'overwrite',
		type: 'options',
		options: [
			{ name: 'Keep Its Values', value: 'add', description: 'Only empty fields are filled in and tags added' },
			{ name: 'Replace the Given Fields', value: 'given', description: 'The fields and tags given here replace the contact’s; the rest stays' },
			{
				name: 'Replace Everything',
				value: 'all',
				description: 'All fields and tags replaced; the contact leaves lists not chosen here',
			},
		],
		default: 'add',
		description: 'What happens to a contact Selzy already knows',
	},
	contactOptionsProperty,
];

/** Contact → Subscribe: one contact per item into lists (Selzy allows 300 a minute). */
export const subscribeContact: Operation = {
	option: {
		name: 'Subscribe',
		value: 'subscribe',
		action: 'Subscribe a contact to lists',
		description: 'Add one contact to lists, e.g. from a sign-up form, with or without confirmation',
	},
	description: updateDisplayOptions({ show: { resource: ['contact'], operation: ['subscribe'] } }, properties),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const listIds = listIdsFrom(this, this.getNodeParameter('listIds', itemIndex, []), 'Lists', itemIndex);
		const email = String(this.getNodeParameter('email', itemIndex, '') ?? '').trim();
		const phone = String(this.getNodeParameter('phone', itemIndex, '') ?? '').trim();
		const tags = String(this.getNodeParameter('tags', itemIndex, '') ?? '').split(',').map((tag) => tag.trim()).filter(Boolean);
		const fail = (message: string, description: string) => new NodeOperationError(this.getNode(), message, { itemIndex, description });
		if (!listIds.length) throw fail('Lists is empty', 'Choose the lists the contact joins.');
		if (!email && !phone) throw fail('Email and Phone are both empty', 'Give the contact’s email address or phone number.');
		if (tags.length > MAX_CONTACT_TAGS) throw fail(`${tags.length} tags; Selzy keeps at most ${MAX_CONTACT_TAGS} per contact`, 'Give fewer tags.');

		const params: IDataObject = {
			list_ids: listIds.join(','),
			double_optin: DOUBLE_OPTIN[String(this.getNodeParameter('doubleOptin', itemIndex, 'confirm'))] ?? 0,
			overwrite: OVERWRITE[String(this.getNodeParameter('overwrite', itemIndex, 'add'))] ?? 0,
		};
		if (email) params['fields[email]'] = email;
		if (phone) params['fields[phone]'] = phone;
		const fields = (this.getNodeParameter('fields.field', itemIndex, []) as IDataObject[]) ?? [];
		for (const field of fields) {
			const name = String(field.name ?? '').trim();
			if (name && name !== 'email' && name !== 'phone') params[`fields[${name}]`] = String(field.value ?? '');
		}
		if (tags.length) params.tags = tags.join(',');
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const answer = (await selzyApiRequest.call(this, 'subscribe', params, {
			itemIndex,
			methodCallsPerMinute: SUBSCRIBE_CALLS_PER_MINUTE,
			callsPerMinute: callsPerMinuteFrom(options),
		})) as IDataObject | undefined;
		const json: IDataObject = { person_id: answer?.person_id ?? null, email, phone, list_ids: listIds.map(Number) };
		return [{ json, pairedItem: { item: itemIndex } }];
	},
};
