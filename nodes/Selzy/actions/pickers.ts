import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** A searchable list of `what` (from `searchMethod`), or its numeric ID typed in. */
function idPicker(
	name: string,
	what: string,
	searchMethod: string,
	placeholder: string,
	{ optional = false, description }: { optional?: boolean; description: string },
): INodeProperties {
	return {
		displayName: what.charAt(0).toUpperCase() + what.slice(1),
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: !optional,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: searchMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder,
				validation: [
					{
						type: 'regex',
						// Empty passes: for a required picker n8n already says "… is required", once.
						properties: { regex: optional ? '^\\s*\\d*\\s*$' : '^(|\\s*\\d+\\s*)$', errorMessage: `A ${what} ID is a number` },
					},
				],
			},
		],
	};
}

/** A campaign, newest first, searchable by subject. */
export const campaignPicker = (description: string) => idPicker('campaignId', 'campaign', 'searchCampaigns', '123456', { description });

/** A contact list, searchable by title or `#id`; `optional` when empty means every list. */
export const listPicker = (description: string, optional = false) =>
	idPicker('listId', 'list', 'searchLists', '12', { optional, description });

/** Several contact lists, picked by title or given as IDs (`name`: the parameter). */
export const listsProperty = (description: string, required: boolean, name = 'listIds'): INodeProperties => ({
	displayName: 'List Names or IDs',
	name,
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getContactLists' },
	default: [],
	required,
	description: `${description}. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
});

/** List IDs from a lists parameter: a list, or IDs separated by commas (an expression, a model). */
export function listIdsFrom(context: IExecuteFunctions, value: unknown, what: string, itemIndex: number): string[] {
	const ids = (Array.isArray(value) ? value : String(value ?? '').split(','))
		.map((id) => String(id).trim())
		.filter(Boolean);
	const wrong = ids.find((id) => !/^\d{1,12}$/.test(id));
	if (wrong !== undefined) {
		throw new NodeOperationError(context.getNode(), `${what}: "${wrong.slice(0, 40)}" is not a list ID`, {
			itemIndex,
			description: 'Choose lists from the list, or give their numeric IDs separated by commas.',
		});
	}
	return [...new Set(ids)];
}
