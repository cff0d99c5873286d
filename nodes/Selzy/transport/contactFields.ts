/**
 * Selzy's contact vocabulary, as its API documents it: the system columns an export writes and
 * an import reads, the statuses an import accepts, and the bounds of the contact methods.
 */

/** System columns of a contact (Selzy's names), with what they hold. */
export const CONTACT_SYSTEM_FIELDS: ReadonlyArray<readonly [name: string, description: string]> = [
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

/** An import's own column: 1 deletes the contact. */
export const DELETE_COLUMN = 'delete';

/** Every system column an import may carry. */
export const IMPORT_SYSTEM_COLUMNS: ReadonlySet<string> = new Set([...CONTACT_SYSTEM_FIELDS.map(([name]) => name), DELETE_COLUMN]);

/** Statuses an import may set; others (blocked, invited…) only Selzy sets. */
export const IMPORT_STATUSES: readonly string[] = ['new', 'active', 'inactive', 'unsubscribed'];

export const STATUS_COLUMNS: readonly string[] = ['email_status', 'phone_status'];

/** Columns holding list IDs separated by commas. */
export const LIST_ID_COLUMNS: readonly string[] = ['email_list_ids', 'email_unsubscribed_list_ids', 'email_excluded_list_ids', 'phone_list_ids', 'phone_unsubscribed_list_ids', 'phone_excluded_list_ids'];

/** importContacts: contacts per call, user fields per call. */
export const MAX_IMPORT_ROWS = 500;
export const MAX_IMPORT_USER_FIELDS = 50;
/** Tags per contact. */
export const MAX_CONTACT_TAGS = 10;

/** importContacts answers within 30 s; without an answer a batch goes again, at most twice more. */
export const IMPORT_ANSWER_TIMEOUT_SECONDS = 30;
export const IMPORT_ATTEMPTS = 3;

/** subscribe: Selzy's limit per key. */
export const SUBSCRIBE_CALLS_PER_MINUTE = 300;
