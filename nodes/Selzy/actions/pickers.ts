import type { INodeProperties } from 'n8n-workflow';

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
						properties: { regex: optional ? '^\\s*\\d*\\s*$' : '^\\s*\\d+\\s*$', errorMessage: `A ${what} ID is a number` },
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
