/**
 * Contact exports (async/exportContacts): the file holds the columns the request named
 * (`field_names[]`), in that order. Rows are the file's own columns (fileRows.ts); the summary
 * counts contacts per `email_status` and per `phone_status`, the columns Selzy fills with a
 * contact's subscription state. Nothing else is derived.
 */
import { ReportFormatError } from './errors';

export interface ContactSummary {
	total: number;
	/** Contacts with an email address / a phone number (a non-empty `email` / `phone` cell). */
	withEmail?: number;
	withPhone?: number;
	/** Count per email_status value, most frequent first; absent when the file has no such column. */
	byEmailStatus?: Record<string, number>;
	byPhoneStatus?: Record<string, number>;
}

/** Count key for an empty status cell (contacts without a phone have no phone status). */
export const NO_STATUS = '(none)';

/** Selzy documents a handful of statuses; a column with more distinct values is not a status. */
export const MAX_STATUS_VALUES = 1_000;

const normalise = (name: string): string => name.replace(/^\uFEFF/, '').trim().toLowerCase();

function createCounter(column: string): { add(value: string): void; result(): Record<string, number> } {
	const counts = new Map<string, number>();
	return {
		add(raw) {
			const value = raw === '' ? NO_STATUS : raw;
			const count = counts.get(value);
			if (count === undefined && counts.size >= MAX_STATUS_VALUES) {
				throw new ReportFormatError(
					`The contact export has more than ${MAX_STATUS_VALUES.toLocaleString('en-US')} different ${column} values`,
					'Check that the file is a Selzy contact export and that the CSV delimiter is right.',
				);
			}
			counts.set(value, (count ?? 0) + 1);
		},
		result() {
			return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
		},
	};
}

/** Summary of a contact export's record batches; the first record is the header. */
export async function summarizeContactBatches(batches: AsyncIterable<string[][]>): Promise<ContactSummary> {
	let columns: { email: number; phone: number; emailStatus: number; phoneStatus: number } | undefined;
	const emailStatuses = createCounter('email_status');
	const phoneStatuses = createCounter('phone_status');
	let total = 0;
	let withEmail = 0;
	let withPhone = 0;
	for await (const batch of batches) {
		let k = 0;
		if (!columns) {
			if (batch.length === 0) continue;
			const names = batch[0].map(normalise);
			columns = {
				email: names.indexOf('email'),
				phone: names.indexOf('phone'),
				emailStatus: names.indexOf('email_status'),
				phoneStatus: names.indexOf('phone_status'),
			};
			k = 1;
		}
		const { email, phone, emailStatus, phoneStatus } = columns;
		for (; k < batch.length; k++) {
			const record = batch[k];
			total++;
			if (email >= 0 && record[email]) withEmail++;
			if (phone >= 0 && record[phone]) withPhone++;
			if (emailStatus >= 0) emailStatuses.add(record[emailStatus] ?? '');
			if (phoneStatus >= 0) phoneStatuses.add(record[phoneStatus] ?? '');
		}
	}
	const summary: ContactSummary = { total };
	if (columns && columns.email >= 0) summary.withEmail = withEmail;
	if (columns && columns.phone >= 0) summary.withPhone = withPhone;
	if (columns && columns.emailStatus >= 0) summary.byEmailStatus = emailStatuses.result();
	if (columns && columns.phoneStatus >= 0) summary.byPhoneStatus = phoneStatuses.result();
	return summary;
}

/** Number of records after the header (a file of a task type this package does not know). */
export async function countRecordBatches(batches: AsyncIterable<string[][]>): Promise<{ total: number }> {
	let total = -1;
	for await (const batch of batches) total += batch.length;
	return { total: Math.max(0, total) };
}
