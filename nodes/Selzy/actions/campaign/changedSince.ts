import { DateTime } from 'luxon';

/**
 * Selzy expects `changed_since` as `YYYY-MM-DD hh:mm:ss` in UTC. A value without an offset means
 * the workflow's time zone (as n8n's date picker shows it); one with an offset keeps it.
 */
export function toSelzyUtc(value: unknown, workflowZone: string): DateTime | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let parsed: DateTime;
	if (value instanceof Date) {
		parsed = DateTime.fromJSDate(value);
	} else if (typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		// A Luxon DateTime from an expression such as {{ $now.minus({ days: 1 }) }}
		parsed = DateTime.fromISO(String((value as { toISO(): string }).toISO()), { setZone: true });
	} else {
		const text = String(value).trim();
		parsed = DateTime.fromISO(text, { zone: workflowZone });
		if (!parsed.isValid) parsed = DateTime.fromSQL(text, { zone: workflowZone });
		if (!parsed.isValid && /^\d{10,13}$/.test(text)) {
			parsed = DateTime.fromMillis(text.length === 13 ? Number(text) : Number(text) * 1000);
		}
	}
	return parsed.isValid ? parsed.toUTC() : DateTime.invalid('unparseable');
}

export function formatSelzyUtc(moment: DateTime): string {
	return moment.toUTC().toFormat('yyyy-LL-dd HH:mm:ss');
}

/** Where the incremental mode keeps, per campaign, when the last delivered report was requested. */
export interface IncrementalState {
	reportRequestedAt?: Record<string, string>;
}
