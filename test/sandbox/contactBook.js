'use strict';
// The account's contacts once something wrote to them. Untouched contacts stay pure functions of
// (seed, list, index) (contacts.js); the first write to one copies it here, and every read (an
// export, getContact) sees this copy. Lookups are by email (and by phone for contacts written
// here), so a list of millions costs nothing until its contacts are written.

const { contactAt, SEED_LIST_SIZES } = require('./contacts');
const { FIELDS } = require('./data');

const USER_FIELDS = new Set(FIELDS.map((field) => field.name));
const AVAILABILITY = { active: 'available', new: 'available', invited: 'available', activation_requested: 'available' };
/** A generated contact's address: `user.<list>.<index>@example.com` (`Кирилл.` every 7th). */
const GENERATED_EMAIL = /^(user|кирилл)\.(\d{1,9})\.(\d{1,10})@example\.com$/;

const emailKey = (email) => String(email).trim().toLowerCase();
const phoneKey = (phone) => String(phone).replace(/\D/g, '');
const idList = (values) => [...values].join(',');

class ContactBook {
	/** `lists()` gives the account's lists (id → {id, size}), `seed` the generated contacts. */
	constructor(seed, lists) {
		this.seed = seed;
		this.lists = lists;
		this.byEmail = new Map();
		this.byPhone = new Map();
		/** Contacts written here in order (deleted ones stay as tombstones). */
		this.written = [];
		this.nextPersonId = 9_000_001;
	}

	clear() {
		this.byEmail.clear();
		this.byPhone.clear();
		this.written = [];
	}

	/**
	 * The contact with this email (or, without one, this phone), or null. A generated contact
	 * comes as a copy that is kept only once it is written (`save`), so reading changes nothing.
	 */
	find({ email, phone }) {
		if (email) {
			const key = emailKey(email);
			const known = this.byEmail.get(key);
			if (known) return known.deleted ? null : known;
			return this.generatedCopy(key);
		}
		const known = phone ? this.byPhone.get(phoneKey(phone)) : undefined;
		return known && !known.deleted ? known : null;
	}

	generatedCopy(key) {
		const match = GENERATED_EMAIL.exec(key);
		if (!match) return null;
		const listId = Number(match[2]);
		const index = Number(match[3]);
		const size = listId === 0 ? 40 : (this.lists().get(listId)?.size ?? SEED_LIST_SIZES[listId] ?? 0);
		if (index >= size) return null;
		const generated = contactAt(this.seed, listId, index);
		if (emailKey(generated.email) !== key) return null;
		return this.fromGenerated(generated, listId, index);
	}

	fromGenerated(g, listId, index) {
		const fields = new Map([...USER_FIELDS].map((name) => [name, g[name]]));
		return {
			email: g.email,
			phone: g.phone,
			email_status: g.email_status,
			phone_status: g.phone_status,
			tags: g.tags ? g.tags.split(',') : [],
			lists: new Map([[listId, g.email_subscribe_times]]),
			unsubscribed: new Set(g.email_unsubscribed_list_ids ? [listId] : []),
			excluded: new Set(g.email_excluded_list_ids ? [listId] : []),
			phoneUnsubscribed: new Set(g.phone_unsubscribed_list_ids ? [listId] : []),
			phoneExcluded: new Set(g.phone_excluded_list_ids ? [listId] : []),
			fields,
			addedAt: g.email_subscribe_times,
			personId: this.nextPersonId++,
			origin: { listId, index },
			deleted: false,
			saved: false,
		};
	}

	/** A new contact with nothing set yet. */
	create({ email = '', phone = '' }, now) {
		const contact = {
			email,
			phone,
			email_status: '',
			phone_status: '',
			tags: [],
			lists: new Map(),
			unsubscribed: new Set(),
			excluded: new Set(),
			phoneUnsubscribed: new Set(),
			phoneExcluded: new Set(),
			fields: new Map(),
			addedAt: now,
			personId: this.nextPersonId++,
			origin: null,
			deleted: false,
			saved: false,
		};
		return contact;
	}

	/** Keeps a contact that was written to (once). */
	save(contact) {
		if (contact.email) this.byEmail.set(emailKey(contact.email), contact);
		if (contact.phone) this.byPhone.set(phoneKey(contact.phone), contact);
		if (contact.saved) return;
		contact.saved = true;
		this.written.push(contact);
	}

	/** A new phone number for a contact (found by it from now on). */
	setPhone(contact, phone) {
		if (contact.phone && this.byPhone.get(phoneKey(contact.phone)) === contact) this.byPhone.delete(phoneKey(contact.phone));
		contact.phone = phone;
	}

	delete(contact) {
		contact.deleted = true;
		this.save(contact);
	}

	/** The contact as an export row holds it: every system column and the user fields by name. */
	static view(contact) {
		const ids = idList(contact.lists.keys());
		const times = idList(contact.lists.values());
		const view = {
			email: contact.email,
			email_status: contact.email_status,
			email_availability: contact.email ? (AVAILABILITY[contact.email_status] ?? 'unavailable') : '',
			email_list_ids: contact.email ? ids : '',
			email_subscribe_times: contact.email ? times : '',
			email_unsubscribed_list_ids: idList(contact.unsubscribed),
			email_excluded_list_ids: idList(contact.excluded),
			phone: contact.phone,
			phone_status: contact.phone_status,
			phone_availability: contact.phone ? (['active', 'new'].includes(contact.phone_status) ? 'available' : 'unavailable') : '',
			phone_list_ids: contact.phone ? ids : '',
			phone_subscribe_times: contact.phone ? times : '',
			phone_unsubscribed_list_ids: idList(contact.phoneUnsubscribed),
			phone_excluded_list_ids: idList(contact.phoneExcluded),
			tags: contact.tags.join(','),
		};
		for (const name of USER_FIELDS) view[name] = contact.fields.get(name) ?? '';
		return view;
	}

	/**
	 * The contacts of `list`, as export rows, in the order an export lists them: its generated
	 * contacts (as they are now), then contacts written here that joined it. `ALL` (id 0) stands
	 * for the account: its own generated contacts, then every contact written here.
	 */
	*contactsOf(list, generated) {
		const all = list.id === 0;
		for (const [index, g] of generated) {
			const known = this.byEmail.get(emailKey(g.email));
			if (!known) {
				yield g;
				continue;
			}
			if (!known.deleted && (all || known.lists.has(list.id)) && sameOrigin(known, list.id, index)) yield ContactBook.view(known);
		}
		for (const contact of this.written) {
			if (contact.deleted || (contact.origin && contact.origin.listId === list.id)) continue;
			if (all || contact.lists.has(list.id)) yield ContactBook.view(contact);
		}
	}
}

/** A written contact that began as generated contact `index` of `listId` (it is listed in that place). */
const sameOrigin = (contact, listId, index) => contact.origin?.listId === listId && contact.origin.index === index;

module.exports = { ContactBook, USER_FIELDS, emailKey, phoneKey };
