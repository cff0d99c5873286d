'use strict';
// Deterministic contacts for async/exportContacts: every contact is a pure function of (seed, list,
// index), so an export of millions of contacts streams and tests can recompute what it must hold.

const { mix, FIELD_BY_ID, phpJson, byteString, csvCell, TEXT_STYLES, FILE_TYPES, GROUND_TRUTH_ROW_LIMIT } = require('./data');

const { imul } = Math;

/** System fields an export can ask for (`field_names[]`), besides the account's own fields by name. */
const SYSTEM_FIELDS = [
	'email',
	'email_status',
	'email_availability',
	'email_list_ids',
	'email_subscribe_times',
	'email_unsubscribed_list_ids',
	'email_excluded_list_ids',
	'phone',
	'phone_status',
	'phone_availability',
	'phone_list_ids',
	'phone_subscribe_times',
	'phone_unsubscribed_list_ids',
	'phone_excluded_list_ids',
	'tags',
];
/** Selzy exports these when the request names no fields. */
const DEFAULT_FIELDS = ['email', 'email_status', 'phone', 'phone_status'];

// Per 100 contacts.
const EMAIL_STATUSES = [['active', 78], ['new', 5], ['invited', 3], ['unsubscribed', 7], ['inactive', 4], ['blocked', 2], ['activation_requested', 1]];
const PHONE_STATUSES = [['active', 80], ['new', 6], ['unsubscribed', 8], ['inactive', 4], ['blocked', 2]];
const TAGS = ['', '', 'vip', 'webinar', 'vip,webinar', 'Покупатель', 'b2b', ''];
const AVAILABILITY = { active: 'available', new: 'available', invited: 'available', activation_requested: 'available' };
const CUSTOM_BY_NAME = new Map([...FIELD_BY_ID.values()].map((field) => [field.name, field]));

const table = (weights) => weights.flatMap(([value, weight]) => Array(weight).fill(value));
const EMAIL_TABLE = table(EMAIL_STATUSES);
const PHONE_TABLE = table(PHONE_STATUSES);

/** Contact lists: the three of getLists plus any added; `size` contacts each. */
const SEED_LIST_SIZES = { 1: 30, 2: 1000, 3: 7 };

const listBase = (seed, listId) => mix(mix(seed ^ 0x3c0a7ac7) + imul(listId, 0x2545f491));
const contactHash = (base, i) => mix((base + imul(i, 0x9e3779b9)) | 0);

/** Contact `i` of list `listId`: every system field and every custom field, as Selzy writes them. */
function contactAt(seed, listId, i) {
	const h1 = contactHash(listBase(seed, listId), i);
	const h2 = mix(h1 ^ 0x68e31da4);
	const emailStatus = EMAIL_TABLE[h1 % 100];
	const hasPhone = (h2 & 3) !== 0;
	const phoneStatus = hasPhone ? PHONE_TABLE[(h2 >>> 8) % 100] : '';
	const since = `2025-0${1 + (h2 % 5)}-1${h1 % 10} 0${h2 % 10}:1${h1 % 10}:0${h2 % 7}`;
	const contact = {
		email: `${i % 7 === 3 ? 'Кирилл' : 'user'}.${listId}.${i}@example.com`,
		email_status: emailStatus,
		email_availability: AVAILABILITY[emailStatus] ?? 'unavailable',
		email_list_ids: String(listId),
		email_subscribe_times: since,
		email_unsubscribed_list_ids: emailStatus === 'unsubscribed' ? String(listId) : '',
		email_excluded_list_ids: emailStatus === 'blocked' ? String(listId) : '',
		phone: hasPhone ? '+7 9' + String(100000000 + ((h2 >>> 4) % 900000000)) : '',
		phone_status: phoneStatus,
		phone_availability: hasPhone ? (phoneStatus === 'active' || phoneStatus === 'new' ? 'available' : 'unavailable') : '',
		phone_list_ids: hasPhone ? String(listId) : '',
		phone_subscribe_times: hasPhone ? since : '',
		phone_unsubscribed_list_ids: phoneStatus === 'unsubscribed' ? String(listId) : '',
		phone_excluded_list_ids: phoneStatus === 'blocked' ? String(listId) : '',
		tags: TAGS[(h1 >>> 12) & 7],
	};
	const h3 = mix(h2 ^ 0x1b56c4e9);
	for (const [name, field] of CUSTOM_BY_NAME) contact[name] = field.values[(h3 >>> field.shift) & 15];
	return contact;
}

/** Checks and normalises the export's `field_names[]`; throws a message naming the bad one. */
function fieldNamesArg(value) {
	if (value === undefined) return DEFAULT_FIELDS;
	if (!Array.isArray(value)) return { error: 'Argument "field_names" must be an array: field_names[]=email&field_names[]=phone' };
	const unknown = value.find((name) => !SYSTEM_FIELDS.includes(name) && !CUSTOM_BY_NAME.has(name));
	if (unknown !== undefined) return { error: `Argument "field_names" has an unknown field "${unknown}"` };
	return [...new Set(value)];
}

/** Whether a contact passes the export's filters (exact matches; a tag is one of the contact's tags). */
function matches(contact, filters) {
	if (filters.email && contact.email.toLowerCase() !== filters.email.toLowerCase()) return false;
	if (filters.phone && contact.phone.replace(/\D/g, '') !== filters.phone.replace(/\D/g, '')) return false;
	if (filters.tag && !contact.tags.split(',').includes(filters.tag)) return false;
	if (filters.email_status && contact.email_status !== filters.email_status) return false;
	if (filters.phone_status && contact.phone_status !== filters.phone_status) return false;
	return true;
}

/** The list's generated contacts, [index, contact], as they were before anything wrote to them. */
function* generatedContacts(seed, list) {
	for (let i = 0; i < list.size; i++) yield [i, contactAt(seed, list.id, i)];
}

/** The contacts an export holds, one by one, as they stand now (`spec.book`: what writes changed). */
function* exportedContacts(spec) {
	const generated = generatedContacts(spec.seed, spec.list);
	const all = spec.book ? spec.book.contactsOf(spec.list, generated) : (function* () {
		for (const [, contact] of generated) yield contact;
	})();
	for (const contact of all) if (matches(contact, spec.filters)) yield contact;
}

/** The export as ~64 KB byte strings, in any of the sandbox's text formats. */
function* exportByteStrings(spec) {
	const style = TEXT_STYLES[spec.format];
	const enc = (text) => byteString(text, style);
	const line = style.json
		? (values) => phpJson(values)
		: (values) => values.map((value) => csvCell(value, style.delimiter)).join(style.delimiter) + style.eol;
	let text = style.json
		? enc('{"result":{"fields":' + phpJson(spec.fieldNames) + ',"data":[')
		: enc((style.bom ? '\ufeff' : '') + line(spec.fieldNames));
	let first = true;
	for (const contact of exportedContacts(spec)) {
		text += enc((style.json && !first ? ',' : '') + line(spec.fieldNames.map((name) => contact[name])));
		first = false;
		if (text.length >= 64 * 1024) {
			yield text;
			text = '';
		}
	}
	yield text + (style.json ? ']}}' : '');
}

function exportFileName(spec) {
	return `contacts-list-${spec.list.id}.${FILE_TYPES[spec.format].ext}`;
}

/** What an export must contain: total, counts per status, and the rows when there are at most 10,000. */
function exportFacts(spec) {
	let total = 0;
	const byEmailStatus = {};
	const byPhoneStatus = {};
	let rows = [];
	for (const contact of exportedContacts(spec)) {
		total++;
		byEmailStatus[contact.email_status] = (byEmailStatus[contact.email_status] ?? 0) + 1;
		byPhoneStatus[contact.phone_status] = (byPhoneStatus[contact.phone_status] ?? 0) + 1;
		if (rows && total > GROUND_TRUTH_ROW_LIMIT) rows = null;
		if (rows) rows.push(Object.fromEntries(spec.fieldNames.map((name) => [name, contact[name]])));
	}
	return rows ? { total, byEmailStatus, byPhoneStatus, rows } : { total, byEmailStatus, byPhoneStatus };
}

module.exports = {
	SYSTEM_FIELDS,
	DEFAULT_FIELDS,
	EMAIL_STATUSES: EMAIL_STATUSES.map(([status]) => status),
	PHONE_STATUSES: PHONE_STATUSES.map(([status]) => status),
	SEED_LIST_SIZES,
	contactAt,
	fieldNamesArg,
	exportByteStrings,
	exportFileName,
	exportFacts,
};
