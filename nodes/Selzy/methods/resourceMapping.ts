import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { fetchFields } from '../transport/catalog';
import { CONTACT_SYSTEM_FIELDS, DELETE_COLUMN, IMPORT_STATUSES, STATUS_COLUMNS } from '../transport/contactFields';

/** Shown at first; the other system columns can be added from the list. */
const SHOWN = new Set(['email', 'phone', 'email_status', 'tags']);
/** Selzy computes these; an import does not set them. */
const COMPUTED = new Set(['email_availability', 'phone_availability']);

const column = (id: string, extra: Partial<ResourceMapperField> = {}): ResourceMapperField => ({
	id,
	displayName: id,
	required: false,
	defaultMatch: false,
	canBeUsedToMatch: false,
	display: true,
	type: 'string',
	...extra,
});

/** Contact → Import: Selzy's system columns, then the account's own fields by name. */
export async function getContactColumns(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const statusOptions = IMPORT_STATUSES.map((status) => ({ name: status, value: status }));
	const system = CONTACT_SYSTEM_FIELDS.filter(([name]) => !COMPUTED.has(name)).map(([name]) =>
		column(name, {
			removed: !SHOWN.has(name),
			...(STATUS_COLUMNS.includes(name) ? { type: 'options' as const, options: statusOptions } : {}),
		}),
	);
	const own = (await fetchFields.call(this)).map((field) => column(field.name));
	return {
		fields: [...system, column(DELETE_COLUMN, { displayName: `${DELETE_COLUMN} (on: delete the contact)`, type: 'boolean', removed: true }), ...own],
		emptyFieldsNotice: 'Selzy sent no fields; check the credential',
	};
}
