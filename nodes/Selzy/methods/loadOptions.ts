import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { fetchFields, fetchLists } from '../transport/catalog';
import { CONTACT_SYSTEM_FIELDS } from '../transport/contactFields';

export async function getFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const fields = await fetchFields.call(this);
	return fields
		.map((field) => ({
			name: field.name,
			value: String(field.id),
			description: `Field #${field.id}${field.type ? ` (${field.type})` : ''}`,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** Field names for a contact export (`field_names[]` takes names, not ids). */
export async function getContactFieldNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const own = await getUserFieldNames.call(this);
	const system = CONTACT_SYSTEM_FIELDS.map(([name, description]) => ({ name, value: name, description }));
	return [...system, ...own];
}

/** The account's own contact fields, by name (subscribe takes `fields[<name>]`). */
export async function getUserFieldNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await fetchFields.call(this))
		.map((field) => ({ name: field.name, value: field.name, description: `Your field #${field.id}` }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** Contact lists to choose several of, by title. */
export async function getContactLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await fetchLists.call(this))
		.map((list) => ({ name: `${list.title || 'Untitled list'} (#${list.id})`, value: String(list.id) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
