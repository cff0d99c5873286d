/**
 * The columns of an import and the checks every row passes before anything is sent: Selzy's
 * rules for importContacts (email or phone, at most 50 user fields, at most 10 tags, statuses an
 * import may set), so a bad row is found on this side instead of half-way through an import.
 */
import {
	DELETE_COLUMN,
	IMPORT_STATUSES,
	IMPORT_SYSTEM_COLUMNS,
	LIST_ID_COLUMNS,
	MAX_CONTACT_TAGS,
	MAX_IMPORT_USER_FIELDS,
	STATUS_COLUMNS,
} from '../../transport/contactFields';

export interface ImportColumns {
	/** `field_names` as sent, in this order; every row's values follow it. */
	names: string[];
	/** Columns of the input that are neither Selzy's nor the account's fields: left out. */
	ignored: string[];
	/** Lists every contact is added to (the option Add to Lists), merged into the list columns. */
	addToLists: string[];
}

/** One contact to send: its values in `ImportColumns.names` order, and where it came from. */
export interface ImportRow {
	/** Its place among all rows of the input (results keep this order). */
	place: number;
	/** The input item it belongs to. */
	item: number;
	/** Its place for a user: "item 3", "row 17 of the file", "contact 2 of item 0". */
	label: string;
	/** A file's row number or a JSON list's position (1 = the first contact), when not an item of its own. */
	row?: number;
	values: string[];
}

/**
 * The import's columns from the names the input carries (`userFields`: the account's fields;
 * undefined when every name not Selzy's is one). Returns a problem text instead when the input
 * cannot be imported at all.
 */
export function importColumns(given: string[], userFields: ReadonlySet<string> | undefined, addToLists: string[]): ImportColumns | string {
	const names: string[] = [];
	const ignored: string[] = [];
	const seen = new Set<string>();
	for (const name of given) {
		if (seen.has(name)) return `The column "${name}" appears twice`;
		seen.add(name);
		if (IMPORT_SYSTEM_COLUMNS.has(name) || !userFields || userFields.has(name)) names.push(name);
		else ignored.push(name);
	}
	if (!seen.has('email') && !seen.has('phone')) {
		return `Map the column "email" or "phone": Selzy finds contacts by them${given.length ? ` (the input has ${quoteSome(given)})` : ''}`;
	}
	const own = names.filter((name) => !IMPORT_SYSTEM_COLUMNS.has(name));
	if (own.length > MAX_IMPORT_USER_FIELDS) {
		return `${own.length} of your own fields are mapped; Selzy imports at most ${MAX_IMPORT_USER_FIELDS} at once. Import the others in a second node`;
	}
	if (addToLists.length) {
		// Each contact's lists column takes the chosen lists (merged per row in checkRow).
		if (seen.has('email') && !seen.has('email_list_ids')) names.push('email_list_ids');
		if (seen.has('phone') && !seen.has('phone_list_ids')) names.push('phone_list_ids');
	}
	return { names, ignored, addToLists };
}

/** A value from n8n as Selzy's text: lists joined by commas, booleans as 1 or 0; undefined for an object. */
export function cellText(value: unknown): string | undefined {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'boolean') return value ? '1' : '0';
	if (typeof value === 'number' || typeof value === 'bigint') return String(value);
	if (Array.isArray(value)) {
		const parts = value.map(cellText);
		return parts.every((part) => part !== undefined) ? parts.join(',') : undefined;
	}
	if (value instanceof Date) return value.toISOString();
	return undefined;
}

/**
 * Checks one row (values in `columns.names` order) and completes it: the lists of Add to Lists
 * joined in, `delete` as 1 or 0. Returns what is wrong with it, or undefined.
 */
export function checkRow(columns: ImportColumns, values: string[]): string | undefined {
	const { names } = columns;
	let hasContact = false;
	for (let at = 0; at < names.length; at++) {
		const name = names[at];
		const value = values[at] ?? '';
		values[at] = value;
		if ((name === 'email' || name === 'phone') && value.trim()) hasContact = true;
		else if (STATUS_COLUMNS.includes(name) && value.trim() && !IMPORT_STATUSES.includes(value.trim())) {
			return `${name} "${short(value)}" is not a status an import can set (${IMPORT_STATUSES.join(', ')})`;
		} else if (name === 'tags') {
			const tags = value.split(',').filter((tag) => tag.trim()).length;
			if (tags > MAX_CONTACT_TAGS) return `${tags} tags; Selzy keeps at most ${MAX_CONTACT_TAGS} per contact`;
		} else if (name === DELETE_COLUMN) {
			const flag = deleteFlag(value);
			if (flag === undefined) return `delete is "${short(value)}"; use 1 (delete the contact) or 0`;
			values[at] = flag;
		} else if (LIST_ID_COLUMNS.includes(name)) {
			const ids = value.split(',').map((id) => id.trim()).filter(Boolean);
			if (ids.some((id) => !/^\d{1,12}$/.test(id))) return `${name} "${short(value)}" must be list IDs separated by commas`;
			if (columns.addToLists.length && (name === 'email_list_ids' || name === 'phone_list_ids')) {
				values[at] = [...new Set([...ids, ...columns.addToLists])].join(',');
			}
		}
	}
	return hasContact ? undefined : 'it has neither an email address nor a phone number';
}

function deleteFlag(value: string): string | undefined {
	const text = value.trim().toLowerCase();
	if (text === '' || text === '0' || text === 'false') return '0';
	if (text === '1' || text === 'true') return '1';
	return undefined;
}

/** The contact a row is about, for results and messages. */
export function contactOf(columns: ImportColumns, values: string[]): string {
	const email = columns.names.indexOf('email');
	const phone = columns.names.indexOf('phone');
	return (email >= 0 ? values[email]?.trim() : '') || (phone >= 0 ? values[phone]?.trim() : '') || '';
}

/** Whether a row asks to delete its contact. */
export function deletesContact(columns: ImportColumns, values: string[]): boolean {
	const at = columns.names.indexOf(DELETE_COLUMN);
	return at >= 0 && values[at] === '1';
}

const short = (value: string) => (value.length > 60 ? `${value.slice(0, 60)}…` : value);

function quoteSome(names: string[]): string {
	const shown = names.slice(0, 8).map((name) => `"${short(name)}"`).join(', ');
	return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}
