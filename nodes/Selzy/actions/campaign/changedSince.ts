import { DateTime } from 'luxon';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

function incrementalState(context: IExecuteFunctions): IncrementalState {
	return context.getWorkflowStaticData('node') as IncrementalState;
}

/**
 * The changed_since to ask for: with Only Changes Since Last Run, when the last report this node
 * returned for the campaign was requested; otherwise the Changed Since option, checked.
 */
export function resolveChangedSince(
	context: IExecuteFunctions,
	campaignId: string,
	options: IDataObject,
	itemIndex: number,
): string | undefined {
	if (options.sinceLastRun) {
		const remembered = incrementalState(context).reportRequestedAt?.[campaignId];
		if (remembered) return remembered;
	}
	const moment = toSelzyUtc(options.changedSince, context.getTimezone());
	if (!moment) return undefined;
	if (!moment.isValid) {
		throw new NodeOperationError(context.getNode(), `Changed Since: "${String(options.changedSince)}" is not a date and time`, {
			itemIndex,
		});
	}
	if (moment.toMillis() > Date.now() + 60_000) {
		throw new NodeOperationError(context.getNode(), 'Changed Since is in the future, so the report would be empty', {
			itemIndex,
			description: `It resolves to ${formatSelzyUtc(moment)} UTC. Check the date and the workflow’s time zone.`,
		});
	}
	return formatSelzyUtc(moment);
}

/** Advanced only after the report was returned, so a failed run asks for the same changes again. */
export function rememberReport(context: IExecuteFunctions, campaignId: string, requestedAt: string): void {
	const state = incrementalState(context);
	state.reportRequestedAt = { ...(state.reportRequestedAt ?? {}), [campaignId]: requestedAt };
}
