'use strict';
// Selzy's contact-writing methods and getContact, as section 7 of the API notes describes them:
// importContacts (at most 500 rows and 50 user fields a call; rows refused one by one into `log`;
// role-based addresses refused; an existing contact's status changes only while it is active or
// inactive), subscribe (double opt-in and overwrite modes), exclude and unsubscribe ("not found"
// as an error with an empty result), getContact (lists and fields inside or beside `email`).
// The log codes are the sandbox's own: Selzy does not document them.

const { ApiError, invalidArg } = require('./apiError');
const { ContactBook, USER_FIELDS } = require('./contactBook');

const IMPORT_SYSTEM_FIELDS = new Set([
	'email', 'email_status', 'email_availability', 'email_list_ids', 'email_subscribe_times', 'email_unsubscribed_list_ids', 'email_excluded_list_ids',
	'phone', 'phone_status', 'phone_availability', 'phone_list_ids', 'phone_subscribe_times', 'phone_unsubscribed_list_ids', 'phone_excluded_list_ids',
	'tags', 'delete',
]);
const IMPORT_STATUSES = ['new', 'active', 'inactive', 'unsubscribed'];
/** Statuses an import may change (the notes: only while active or inactive). */
const CHANGEABLE = new Set(['active', 'inactive']);
const ROLE_LOCAL_PARTS = new Set(['info', 'sales', 'no-reply', 'noreply', 'all', 'postmaster', 'abuse', 'mailer-daemon', 'webmaster', 'hostmaster']);
const MAX_IMPORT_ROWS = 500;
const MAX_USER_FIELDS = 50;
const MAX_TAGS = 10;
/** Selzy's per-key limits for these methods: calls per 60 s. */
const LIMITS = { subscribe: 300, importContacts: 1200 };
const EMAIL = /^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$/;
const PHONE = /^\+?\d{10,15}$/;

const listOf = (text) => String(text ?? '').split(',').map((part) => part.trim()).filter(Boolean);
const isRoleAddress = (email) => ROLE_LOCAL_PARTS.has(email.slice(0, email.indexOf('@')).toLowerCase());
const nowUtc = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

class ContactMethods {
	/** `sandbox` gives config, lists and the book; calls are counted per method for the limits. */
	constructor(sandbox) {
		this.sandbox = sandbox;
		this.calls = new Map();
	}

	get book() {
		return this.sandbox.book;
	}

	clear() {
		this.calls.clear();
	}

	/** Selzy's limit: more calls of `method` than allowed within 60 s are refused. */
	checkRate(method) {
		const limit = LIMITS[method];
		if (!limit) return;
		const times = this.calls.get(method) ?? [];
		const now = Date.now();
		while (times.length && times[0] <= now - 60_000) times.shift();
		if (times.length >= limit) throw new ApiError('api_call_limit_exceeded_for_api_key', `Too many ${method} calls for this API key (${limit} per minute), slow down`);
		times.push(now);
		this.calls.set(method, times);
	}

	listIds(text, argument) {
		const ids = listOf(text);
		for (const id of ids) {
			if (!/^\d+$/.test(id) || !this.sandbox.lists.has(Number(id))) throw invalidArg(`Argument "${argument}": list "${id}" not found`);
		}
		return ids.map(Number);
	}

	// ── importContacts ───────────────────────────────────────────────────────

	importContacts(params) {
		this.checkRate('importContacts');
		const names = params.field_names;
		if (!Array.isArray(names) || names.length === 0) throw invalidArg('Argument "field_names" is required: field_names[0]=email&field_names[1]=…');
		const unknown = names.find((name) => !IMPORT_SYSTEM_FIELDS.has(name) && !USER_FIELDS.has(name));
		if (unknown !== undefined) throw invalidArg(`Argument "field_names": unknown field "${unknown}"`);
		if (new Set(names).size !== names.length) throw invalidArg('Argument "field_names" names a field twice');
		if (!names.includes('email') && !names.includes('phone')) throw invalidArg('Argument "field_names" must include "email" or "phone"');
		const userFields = names.filter((name) => USER_FIELDS.has(name));
		if (userFields.length > MAX_USER_FIELDS) throw invalidArg(`Argument "field_names": at most ${MAX_USER_FIELDS} user fields`);
		const data = params.data;
		if (!Array.isArray(data) || data.length === 0) throw invalidArg('Argument "data" is required: data[0][0]=…');
		const rows = Object.keys(data).map(Number);
		if (rows.length > MAX_IMPORT_ROWS) throw invalidArg(`Argument "data": ${rows.length} contacts in one call, at most ${MAX_IMPORT_ROWS}`);
		const options = { overwriteTags: flag(params, 'overwrite_tags'), overwriteLists: flag(params, 'overwrite_lists') };
		const column = new Map(names.map((name, index) => [name, index]));
		const read = (row) => (name) => (column.has(name) ? String(data[row][column.get(name)] ?? '') : undefined);
		// Unknown lists fail the call before any row is written.
		for (const row of rows) {
			if (!Array.isArray(data[row])) throw invalidArg(`Argument "data[${row}]" must be a row of values`);
			for (const name of ['email_list_ids', 'phone_list_ids', 'email_unsubscribed_list_ids', 'email_excluded_list_ids']) this.listIds(read(row)(name), name);
		}
		const answer = { total: rows.length, inserted: 0, updated: 0, deleted: 0, new_emails: 0, invalid: 0, log: [] };
		for (const row of rows) {
			const problem = this.importRow(read(row), userFields, options, answer);
			if (problem) {
				answer.invalid++;
				answer.log.push({ index: row, code: problem[0], message: problem[1] });
			}
		}
		this.sandbox.importLog.push({ fieldNames: names, rows: this.sandbox.config.keepContacts ? rows.map((row) => names.map((_, c) => String(data[row][c] ?? ''))) : rows.length, answer });
		return answer;
	}

	/** One row: refused ([code, message]) or written, counted in `answer`. */
	importRow(get, userFields, { overwriteTags, overwriteLists }, answer) {
		const email = (get('email') ?? '').trim();
		const phone = (get('phone') ?? '').trim();
		const emailStatus = (get('email_status') ?? '').trim();
		const phoneStatus = (get('phone_status') ?? '').trim();
		const tags = get('tags') === undefined ? undefined : listOf(get('tags'));
		const remove = (get('delete') ?? '').trim();
		if (!email && !phone) return ['no_contact', 'The row has neither an email address nor a phone number'];
		if (email && !EMAIL.test(email)) return ['invalid_email', `Invalid email address "${email}"`];
		if (email && isRoleAddress(email)) return ['role_address', `The role-based address "${email}" is not imported`];
		if (phone && !PHONE.test(phone.replace(/[\s()-]/g, ''))) return ['invalid_phone', `Invalid phone number "${phone}"`];
		for (const status of [emailStatus, phoneStatus]) {
			if (status && !IMPORT_STATUSES.includes(status)) return ['invalid_status', `Invalid status "${status}": one of ${IMPORT_STATUSES.join(', ')}`];
		}
		if (tags && tags.length > MAX_TAGS) return ['too_many_tags', `${tags.length} tags, at most ${MAX_TAGS}`];
		if (!['', '0', '1'].includes(remove)) return ['invalid_delete', `"delete" must be 1 or 0, not "${remove}"`];
		if (!this.sandbox.config.keepContacts) {
			if (remove !== '1') answer.inserted++;
			if (remove !== '1' && email) answer.new_emails++;
			return null;
		}
		const existing = this.book.find({ email, phone });
		if (remove === '1') {
			if (existing) {
				this.book.delete(existing);
				answer.deleted++;
			}
			return null;
		}
		let contact = existing;
		if (!contact) {
			contact = this.book.create({ email, phone }, nowUtc());
			contact.email_status = email ? emailStatus || 'new' : '';
			contact.phone_status = phone ? phoneStatus || 'active' : '';
			answer.inserted++;
			if (email) answer.new_emails++;
		} else {
			answer.updated++;
			if (phone && phone !== contact.phone) this.book.setPhone(contact, phone);
			if (email && !contact.email) contact.email = email;
			if (emailStatus && CHANGEABLE.has(contact.email_status)) contact.email_status = emailStatus;
			if (phoneStatus && CHANGEABLE.has(contact.phone_status)) contact.phone_status = phoneStatus;
		}
		if (tags) contact.tags = overwriteTags ? tags : [...new Set([...contact.tags, ...tags])];
		const listIds = get('email_list_ids') ?? get('phone_list_ids');
		if (listIds !== undefined) {
			const times = listOf(get('email_subscribe_times') ?? get('phone_subscribe_times'));
			const given = new Map(listOf(listIds).map((id, i) => [Number(id), times[i] ?? nowUtc()]));
			if (overwriteLists) contact.lists = given;
			else for (const [id, at] of given) if (!contact.lists.has(id)) contact.lists.set(id, at);
		}
		for (const id of listOf(get('email_unsubscribed_list_ids'))) contact.unsubscribed.add(Number(id));
		for (const id of listOf(get('email_excluded_list_ids'))) {
			contact.lists.delete(Number(id));
			contact.excluded.add(Number(id));
		}
		if (contact.email_status === 'unsubscribed') for (const id of contact.lists.keys()) contact.unsubscribed.add(id);
		for (const name of userFields) contact.fields.set(name, get(name));
		this.book.save(contact);
		return null;
	}

	// ── subscribe ────────────────────────────────────────────────────────────

	subscribe(params) {
		this.checkRate('subscribe');
		const listIds = this.listIds(required(params, 'list_ids'), 'list_ids');
		if (listIds.length === 0) throw invalidArg('Argument "list_ids" is required');
		const fields = fieldsArg(params);
		const email = (fields.email ?? '').trim();
		const phone = (fields.phone ?? '').trim();
		if (!email && !phone) throw invalidArg('Argument "fields[email]" or "fields[phone]" is required');
		if (email && !EMAIL.test(email)) throw invalidArg(`Argument "fields[email]": invalid email address "${email}"`);
		if (email && isRoleAddress(email)) throw invalidArg(`Argument "fields[email]": the role-based address "${email}" cannot be subscribed`);
		if (phone && !PHONE.test(phone.replace(/[\s()-]/g, ''))) throw invalidArg(`Argument "fields[phone]": invalid phone number "${phone}"`);
		const own = Object.keys(fields).filter((name) => name !== 'email' && name !== 'phone');
		const unknown = own.find((name) => !USER_FIELDS.has(name));
		if (unknown !== undefined) throw invalidArg(`Argument "fields[${unknown}]": unknown field`);
		const tags = params.tags === undefined ? undefined : listOf(params.tags);
		if (tags && tags.length > MAX_TAGS) throw invalidArg(`Argument "tags": at most ${MAX_TAGS} tags`);
		const doubleOptin = choice(params, 'double_optin', ['0', '3', '4'], '0');
		const overwrite = choice(params, 'overwrite', ['0', '1', '2'], '0');
		const now = nowUtc();

		let contact = this.book.find({ email, phone });
		const isNew = !contact;
		if (isNew) contact = this.book.create({ email, phone }, now);
		if (phone && phone !== contact.phone) this.book.setPhone(contact, phone);
		// Added at once: without an email (3), or already new/active (4, or 0 for an active contact).
		const direct = doubleOptin === '3' || (doubleOptin === '4' && ['new', 'active'].includes(contact.email_status)) || (doubleOptin === '0' && contact.email_status === 'active');
		if (isNew) contact.email_status = email ? (doubleOptin === '3' ? 'new' : direct ? 'active' : 'invited') : '';
		else if (!direct && email && !['unsubscribed', 'blocked'].includes(contact.email_status)) contact.email_status = 'invited';
		if (isNew && phone) contact.phone_status = 'active';
		if (email && !direct) this.sandbox.confirmations.push({ email, listIds, time: Date.now() });

		if (overwrite === '1') contact.lists = new Map();
		for (const id of listIds) {
			if (!contact.lists.has(id)) contact.lists.set(id, now);
			contact.excluded.delete(id);
		}
		if (overwrite === '1') {
			contact.fields = new Map(own.map((name) => [name, fields[name]]));
			contact.tags = tags ?? [];
		} else {
			for (const name of own) if (overwrite === '2' || !contact.fields.get(name)) contact.fields.set(name, fields[name]);
			if (tags) contact.tags = overwrite === '2' ? tags : [...new Set([...contact.tags, ...tags])];
		}
		this.book.save(contact);
		return { person_id: contact.personId };
	}

	// ── exclude, unsubscribe ─────────────────────────────────────────────────

	/** The contact and the lists of it the call names (all its lists when none); "not found" otherwise. */
	membership(params) {
		const type = choice(params, 'contact_type', ['email', 'phone']);
		const value = required(params, 'contact').trim();
		const named = params.list_ids === undefined || params.list_ids === '' ? null : this.listIds(params.list_ids, 'list_ids');
		const contact = this.book.find(type === 'email' ? { email: value } : { phone: value });
		const lists = contact ? (named ?? [...contact.lists.keys()]).filter((id) => contact.lists.has(id)) : [];
		if (!contact || lists.length === 0) throw new ApiError('unspecified', `Contact "${value}" not found`, { result: '' });
		return { contact, type, lists, all: named === null };
	}

	exclude(params) {
		const { contact, type, lists } = this.membership(params);
		for (const id of lists) {
			contact.lists.delete(id);
			(type === 'email' ? contact.excluded : contact.phoneExcluded).add(id);
		}
		this.book.save(contact);
		return {};
	}

	unsubscribe(params) {
		const { contact, type, lists, all } = this.membership(params);
		for (const id of lists) (type === 'email' ? contact.unsubscribed : contact.phoneUnsubscribed).add(id);
		if (all) contact[type === 'email' ? 'email_status' : 'phone_status'] = 'unsubscribed';
		this.book.save(contact);
		return {};
	}

	// ── getContact ───────────────────────────────────────────────────────────

	getContact(params) {
		const email = required(params, 'email').trim();
		const contact = this.book.find({ email });
		if (!contact) throw new ApiError('unspecified', `Contact "${email}" not found`, { result: '' });
		const view = ContactBook.view(contact);
		const person = { email: contact.email, added_at: contact.addedAt, status: contact.email_status, availability: view.email_availability };
		const extra = {};
		if (flag(params, 'include_lists')) {
			extra.lists = [...contact.lists].map(([id, at]) => ({ id, status: contact.unsubscribed.has(id) ? 'unsubscribed' : contact.email_status === 'invited' ? 'invited' : 'active', added_at: at }));
		}
		if (flag(params, 'include_fields')) extra.fields = Object.fromEntries([...contact.fields].filter(([, value]) => value !== ''));
		return this.sandbox.config.contactAnswer === 'beside' ? { email: person, ...extra } : { email: { ...person, ...extra } };
	}
}

function required(params, name) {
	const value = params[name];
	if (value === undefined || value === '') throw invalidArg(`Argument "${name}" is required`);
	if (typeof value !== 'string') throw invalidArg(`Argument "${name}" must be a single value`);
	return value;
}

function choice(params, name, allowed, fallback) {
	const value = params[name] ?? fallback;
	if (value === undefined) throw invalidArg(`Argument "${name}" is required`);
	if (!allowed.includes(value)) throw invalidArg(`Argument "${name}" must be one of ${allowed.join(', ')}`);
	return value;
}

function flag(params, name) {
	const value = params[name];
	if (value === undefined || value === '' || value === '0') return false;
	if (value === '1') return true;
	throw invalidArg(`Argument "${name}" must be 1 or 0`);
}

/** `fields[email]=…&fields[Имя]=…` → { email, Имя }. */
function fieldsArg(params) {
	const fields = {};
	for (const [key, value] of Object.entries(params)) {
		const match = /^fields\[(.+)\]$/.exec(key);
		if (match && typeof value === 'string') fields[match[1]] = value;
	}
	return fields;
}

module.exports = { ContactMethods, IMPORT_SYSTEM_FIELDS, IMPORT_STATUSES, MAX_IMPORT_ROWS, LIMITS };
