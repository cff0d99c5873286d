/**
 * Summary of a delivery report: counts per send_result code and per status group, and the
 * rates an email marketer reads. Only the send_result column is looked at.
 *
 * Terms (counts of recipients):
 * - pending: group `pending` (not sent yet, or no delivery result yet);
 * - attempted = total − pending;
 * - delivered: every `ok_` code except `ok_sent` (delivered, opened, clicked, unsubscribed
 *   through this email, spam folder / spam report, and unknown `ok_` codes);
 * - opened: `ok_read`, `ok_link_visited`, `ok_unsubscribed` (Selzy records these only
 *   after an open);
 * - clicked: `ok_link_visited`.
 *
 * Rates are fractions rounded to 4 decimals, 0 when the denominator is 0:
 * - delivery = delivered / attempted
 * - open = opened / delivered
 * - click = clicked / delivered
 * - bounce = (soft_bounce + hard_bounce groups) / attempted
 * - hardBounce = hard_bounce group / attempted
 * - unsubscribe = `ok_unsubscribed` / delivered (people who unsubscribed from this email;
 *   `err_unsubscribed` addresses were never sent to)
 * - spam = (`ok_spam_folder` + `ok_fbl`) / delivered (delivered, then filed or reported as spam)
 */
import { ReportFormatError } from './errors';
import { resolveColumns } from './rows';
import { describeSendResult, STATUS_GROUPS, type StatusGroup } from './statuses';

export interface ReportRates {
	delivery: number;
	open: number;
	click: number;
	bounce: number;
	hardBounce: number;
	unsubscribe: number;
	spam: number;
}

export interface ReportSummary {
	total: number;
	/** Count per send_result code, most frequent first. */
	bySendResult: Record<string, number>;
	byGroup: Record<StatusGroup, number>;
	rates: ReportRates;
}

export interface SummaryAccumulator {
	add(sendResult: string): void;
	result(): ReportSummary;
}

const OPENED = new Set(['ok_read', 'ok_link_visited', 'ok_unsubscribed']);
const SPAM_AFTER_DELIVERY = new Set(['ok_spam_folder', 'ok_fbl']);

/** Selzy documents about 40 codes; a column with more distinct values is not send_result. */
export const MAX_SEND_RESULT_CODES = 1_000;

const rate = (part: number, whole: number): number =>
	whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;

export function createSummaryAccumulator(): SummaryAccumulator {
	const counts = new Map<string, number>();
	let total = 0;
	return {
		add(sendResult: string): void {
			total++;
			const count = counts.get(sendResult);
			if (count === undefined && counts.size >= MAX_SEND_RESULT_CODES) {
				throw new ReportFormatError(
					`The report has more than ${MAX_SEND_RESULT_CODES.toLocaleString('en-US')} different send_result values`,
					'Check that the file is a Selzy campaign delivery report and that the CSV delimiter is right.',
				);
			}
			counts.set(sendResult, (count ?? 0) + 1);
		},
		result(): ReportSummary {
			const byGroup = Object.fromEntries(STATUS_GROUPS.map((group) => [group, 0])) as Record<
				StatusGroup,
				number
			>;
			let delivered = 0;
			let opened = 0;
			let clicked = 0;
			let unsubscribed = 0;
			let spam = 0;
			for (const [raw, count] of counts) {
				const { group } = describeSendResult(raw);
				byGroup[group] += count;
				const code = raw.trim().toLowerCase();
				if (!code.startsWith('ok_') || group === 'pending') continue;
				delivered += count;
				if (OPENED.has(code)) opened += count;
				if (code === 'ok_link_visited') clicked += count;
				if (code === 'ok_unsubscribed') unsubscribed += count;
				if (SPAM_AFTER_DELIVERY.has(code)) spam += count;
			}
			const attempted = total - byGroup.pending;
			const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
			return {
				total,
				bySendResult: Object.fromEntries(sorted),
				byGroup,
				rates: {
					delivery: rate(delivered, attempted),
					open: rate(opened, delivered),
					click: rate(clicked, delivered),
					bounce: rate(byGroup.soft_bounce + byGroup.hard_bounce, attempted),
					hardBounce: rate(byGroup.hard_bounce, attempted),
					unsubscribe: rate(unsubscribed, delivered),
					spam: rate(spam, delivered),
				},
			};
		},
	};
}

/**
 * Summary of record batches (the fast path). Without `header`, the first record is the
 * header; with it, every record is data.
 */
export async function summarizeRecordBatches(
	batches: AsyncIterable<string[][]>,
	header?: string[],
): Promise<ReportSummary> {
	const summary = createSummaryAccumulator();
	let column = header ? resolveColumns(header).sendResult : -1;
	for await (const batch of batches) {
		let k = 0;
		if (column < 0) {
			if (batch.length === 0) continue;
			column = resolveColumns(batch[0]).sendResult;
			k = 1;
		}
		for (; k < batch.length; k++) summary.add(batch[k][column] ?? '');
	}
	return summary.result();
}

/** Summary of records one by one; header handling as in `summarizeRecordBatches`. */
export async function summarizeRecords(
	records: AsyncIterable<string[]>,
	header?: string[],
): Promise<ReportSummary> {
	const summary = createSummaryAccumulator();
	let column = header ? resolveColumns(header).sendResult : -1;
	for await (const record of records) {
		if (column < 0) {
			column = resolveColumns(record).sendResult;
			continue;
		}
		summary.add(record[column] ?? '');
	}
	return summary.result();
}
