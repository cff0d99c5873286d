import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { fetchFields } from '../transport/catalog';

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
