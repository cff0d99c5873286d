import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CONTACT_EXPORT } from '../../tasks/kinds';
import { asyncTaskOperation } from '../asyncTask';
import { listPicker } from '../pickers';

const DEFAULT_FIELD_NAMES = ['email', 'email_status', 'phone', 'phone_status'];

const EMAIL_STATUSES = ['active', 'activation_requested', 'blocked', 'inactive', 'invited', 'new', 'unsubscribed'];
const PHONE_STATUSES = ['active', 'blocked', 'inactive', 'new', 'unsubscribed'];
const statusOptions = (values: string[]) => values.map((value) => ({ name: value, value }));

/** Selzy's filter arguments by the names of the Filters collection. */
const FILTER_ARGUMENTS: ReadonlyArray<[filter: string, argument: string]> = [
	['email', 'email'],
	['phone', 'phone'],
	['tag', 'tag'],
	['emailStatus', 'email_status'],
	['phoneStatus', 'phone_status'],
];

const properties: INodeProperties[] = [
	listPicker('The contact list to export. Leave empty to export every contact of the account.', true),
	{
		displayName: 'Field Names or IDs',
		name: 'fieldNames',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getContactFieldNames' },
		default: ['email', 'email_status', 'phone', 'phone_status'],
		description:
			'Columns of the export, in this order: Selzy’s system fields and your own contact fields (by name). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Selzy exports only the contacts that match every filter set here',
		options: [
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '', description: 'Only the contact with this email address' },
			{ displayName: 'Email Status', name: 'emailStatus', type: 'options', options: statusOptions(EMAIL_STATUSES), default: 'active', description: 'Only contacts whose email address has this status' },
			{ displayName: 'Phone', name: 'phone', type: 'string', placeholder: '+79001234567', default: '', description: 'Only the contact with this phone number' },
			{ displayName: 'Phone Status', name: 'phoneStatus', type: 'options', options: statusOptions(PHONE_STATUSES), default: 'active', description: 'Only contacts whose phone number has this status' },
			{ displayName: 'Tag', name: 'tag', type: 'string', default: '', description: 'Only contacts with this tag' },
		],
	},
];

/** Contact → Export: async/exportContacts for the item's list, columns and filters. */
export const exportContacts = asyncTaskOperation(
	'contact',
	{
		name: 'Export',
		value: 'export',
		action: 'Export contacts',
		description: 'Export a list’s contacts with the fields you choose: a file, rows or a summary',
	},
	{
		kind: CONTACT_EXPORT,
		properties,
		async readRequest(context, itemIndex) {
			const listId = String(context.getNodeParameter('listId', itemIndex, '', { extractValue: true }) ?? '').trim();
			if (listId && !/^\d+$/.test(listId)) {
				throw new NodeOperationError(context.getNode(), `List: "${listId}" is not a list ID; choose a list or enter its numeric ID`, {
					itemIndex,
				});
			}
			const names = context.getNodeParameter('fieldNames', itemIndex, DEFAULT_FIELD_NAMES) as unknown;
			const fieldNames = (Array.isArray(names) ? names : String(names ?? '').split(','))
				.map((name) => String(name).trim())
				.filter(Boolean);
			const filters = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;

			const params: IDataObject = {};
			if (listId) params.list_id = listId;
			if (fieldNames.length) params.field_names = [...new Set(fieldNames)];
			for (const [filter, argument] of FILTER_ARGUMENTS) {
				const text = String(filters[filter] ?? '').trim();
				if (text) params[argument] = text;
			}
			return {
				params,
				about: listId ? { list_id: Number(listId) } : {},
				subject: listId ? `list ${listId}` : 'all contacts',
			};
		},
	},
);
