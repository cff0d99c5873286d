/**
 * Exclude and Unsubscribe: one contact per item, from some lists or all. Selzy's "contact not
 * found" is an answer about the contact, so it becomes the item `found: false` for an IF node,
 * not a failed run.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { selzyApiRequest } from '../../transport/request';
import type { Operation } from '../operation';
import { listIdsFrom, listsProperty } from '../pickers';
import { callsPerMinuteFrom } from '../taskRun';
import { isContactNotFound, selzyWords } from './contactNotFound';
import { contactOptionsProperty, nodeError, requiredText, type ContactType } from './contactParameters';

/** An operation that takes a contact out of lists with Selzy's `method` (exclude or unsubscribe). */
export function listMembershipOperation(method: 'exclude' | 'unsubscribe', option: INodePropertyOptions, notice: string, listsDescription: string): Operation {
	const properties: INodeProperties[] = [
		{ displayName: notice, name: `${method}Notice`, type: 'notice', default: '' },
		{
			displayName: 'Contact Type',
			name: 'contactType',
			type: 'options',
			options: [
				{ name: 'Email', value: 'email' },
				{ name: 'Phone', value: 'phone' },
			],
			default: 'email',
		},
		{
			displayName: 'Contact',
			name: 'contact',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'name@email.com',
			description: 'The contact’s email address, or phone number when Contact Type is Phone',
		},
		listsProperty(listsDescription, false),
		contactOptionsProperty,
	];
	return {
		option,
		description: updateDisplayOptions({ show: { resource: ['contact'], operation: [String(option.value)] } }, properties),
		async execute(this: IExecuteFunctions, itemIndex: number) {
			const contactType = this.getNodeParameter('contactType', itemIndex, 'email') as ContactType;
			const contact = requiredText(this, 'contact', itemIndex, contactType === 'email' ? 'Email address' : 'Phone number');
			const listIds = listIdsFrom(this, this.getNodeParameter('listIds', itemIndex, []), 'Lists', itemIndex);
			const params: IDataObject = { contact_type: contactType, contact };
			if (listIds.length) params.list_ids = listIds.join(',');
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			const json: IDataObject = { contact, contact_type: contactType, list_ids: listIds.length ? listIds.map(Number) : 'all', found: true };
			try {
				await selzyApiRequest.call(this, method, params, { itemIndex, callsPerMinute: callsPerMinuteFrom(options) });
			} catch (error) {
				if (!isContactNotFound(error)) throw nodeError(this, error, itemIndex);
				Object.assign(json, { found: false, message: selzyWords(error as never) });
			}
			return [{ json, pairedItem: { item: itemIndex } }];
		},
	};
}
