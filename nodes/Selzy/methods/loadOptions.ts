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

/** System fields a contact export can hold (Selzy's names), then the account's own fields. */
const CONTACT_SYSTEM_FIELDS: ReadonlyArray<[name: string, description: string]> = [
	['email', 'Email address'],
	['email_status', 'Subscription status of the email address (active, unsubscribed, blocked…)'],
	['email_availability', 'Whether mail can be delivered to the address'],
	['email_list_ids', 'Lists the email address is in'],
	['email_subscribe_times', 'When the address subscribed'],
	['email_unsubscribed_list_ids', 'Lists the address unsubscribed from'],
	['email_excluded_list_ids', 'Lists the address is excluded from'],
	['phone', 'Phone number'],
	['phone_status', 'Subscription status of the phone number'],
	['phone_availability', 'Whether SMS can be delivered to the number'],
	['phone_list_ids', 'Lists the phone number is in'],
	['phone_subscribe_times', 'When the number subscribed'],
	['phone_unsubscribed_list_ids', 'Lists the number unsubscribed from'],
	['phone_excluded_list_ids', 'Lists the number is excluded from'],
	['tags', 'Tags of the contact'],
];

/** Field names for a contact export (`field_names[]` takes names, not ids). */
export async function getContactFieldNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const own = (await fetchFields.call(this))
		.map((field) => ({ name: field.name, value: field.name, description: `Your field #${field.id}` }))
		.sort((a, b) => a.name.localeCompare(b.name));
	const system = CONTACT_SYSTEM_FIELDS.map(([name, description]) => ({ name, value: name, description }));
	return [...system, ...own];
}
