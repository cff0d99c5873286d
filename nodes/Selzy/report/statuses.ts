/**
 * Selzy `send_result` codes → readable status and status group.
 *
 * `final` answers "will Selzy still try to deliver this message?": it is false while the
 * message waits or is scheduled for another attempt. Engagement (open, click, unsubscribe,
 * spam report) can still replace a final `ok_` code later.
 * Codes Selzy adds in future are classified by prefix, as its documentation asks.
 */

export type StatusGroup =
	| 'delivered'
	| 'opened'
	| 'clicked'
	| 'unsubscribed'
	| 'spam'
	| 'soft_bounce'
	| 'hard_bounce'
	| 'pending'
	| 'failed';

export const STATUS_GROUPS: StatusGroup[] = [
	'delivered',
	'opened',
	'clicked',
	'unsubscribed',
	'spam',
	'soft_bounce',
	'hard_bounce',
	'pending',
	'failed',
];

export interface SendResultDescription {
	status: string;
	group: StatusGroup;
	final: boolean;
}

type Known = [status: string, group: StatusGroup, final: boolean];

const KNOWN_SEND_RESULTS: Record<string, Known> = {
	not_sent: ['Not sent yet', 'pending', false],
	ok_sent: ['Sent, waiting for the delivery result', 'pending', false],
	ok_delivered: ['Delivered', 'delivered', true],
	ok_read: ['Delivered and opened', 'opened', true],
	ok_link_visited: ['Delivered, opened and a link clicked', 'clicked', true],
	ok_unsubscribed: ['Unsubscribed using the link in this email', 'unsubscribed', true],
	ok_spam_folder: ['Delivered to the spam folder', 'spam', true],
	ok_fbl: ['Reported as spam by the recipient', 'spam', true],
	err_user_unknown: ['Mailbox does not exist', 'hard_bounce', true],
	err_user_inactive: ['Mailbox is disabled', 'hard_bounce', true],
	err_domain_inactive: ['Domain does not accept mail', 'hard_bounce', true],
	err_dest_invalid: ['Recipient address is invalid', 'hard_bounce', true],
	err_not_available: ['Address is unreachable after earlier failures', 'hard_bounce', true],
	err_mailbox_full: ['Mailbox is full', 'soft_bounce', true],
	err_will_retry: ['Delivery failed, Selzy will retry', 'soft_bounce', false],
	err_resend: ['Delivery failed, Selzy will resend', 'soft_bounce', false],
	err_spam_retry: ['Held as suspected spam, will be resent', 'soft_bounce', false],
	err_spam_may_retry: ['Held as suspected spam, may be resent', 'soft_bounce', false],
	err_no_dns: ['Recipient domain could not be resolved', 'soft_bounce', false],
	err_no_smtp: ['Recipient mail server not reachable', 'soft_bounce', false],
	err_destination_misconfigured: ['Recipient mail server is misconfigured', 'soft_bounce', false],
	err_unsubscribed: ['Not sent: the address had unsubscribed earlier', 'unsubscribed', true],
	err_spam_folder: ['Filed as spam by the mail service', 'spam', true],
	err_spam_rejected: ['Rejected as spam by the recipient server', 'spam', true],
	err_spam_skipped: ['Not sent: most of the campaign was rejected as spam', 'spam', true],
	err_delivery_failed: ['Delivery failed', 'failed', true],
	err_skip_letter: ['Not sent: the recipient is not active', 'failed', true],
	err_src_invalid: ['Sender address is invalid', 'failed', true],
	err_not_allowed: ['Sending is not allowed', 'failed', true],
	err_lost: ['Message lost, it has to be sent again', 'failed', true],
	err_internal: ['Internal Selzy error', 'failed', true],
};

const described = new Map<string, SendResultDescription>();

/** Readable status, group and finality of a `send_result` code (memoised: it runs per row). */
export function describeSendResult(code: string): SendResultDescription {
	let description = described.get(code);
	if (description === undefined) {
		description = classify(code);
		// Codes form a small closed set; the cap only guards against a broken column.
		if (described.size < 10_000) described.set(code, description);
	}
	return description;
}

function classify(code: string): SendResultDescription {
	const normalised = code.trim().toLowerCase();
	const known = Object.prototype.hasOwnProperty.call(KNOWN_SEND_RESULTS, normalised)
		? KNOWN_SEND_RESULTS[normalised]
		: undefined;
	if (known) return { status: known[0], group: known[1], final: known[2] };
	if (normalised === '') return { status: 'No status', group: 'pending', final: false };
	if (normalised.startsWith('ok_')) {
		return { status: `Delivered (unrecognised status ${normalised})`, group: 'delivered', final: true };
	}
	if (normalised.startsWith('err_')) {
		return { status: `Failed (unrecognised status ${normalised})`, group: 'failed', final: true };
	}
	return { status: `Unrecognised status ${normalised}`, group: 'pending', final: false };
}

/** Status groups for a multi-select in the node UI, sorted by name. */
export const STATUS_GROUP_OPTIONS: Array<{ name: string; value: StatusGroup; description: string }> =
	[
		{
			name: 'Clicked',
			value: 'clicked',
			description: 'Delivered, opened and a link was clicked (ok_link_visited)',
		},
		{
			name: 'Delivered',
			value: 'delivered',
			description: 'Accepted by the recipient server, no open recorded (ok_delivered)',
		},
		{
			name: 'Failed',
			value: 'failed',
			description: 'Not delivered for another reason: skipped, blocked, lost or internal error',
		},
		{
			name: 'Hard Bounce',
			value: 'hard_bounce',
			description: 'Permanent failure: the address or domain does not exist or is disabled',
		},
		{
			name: 'Opened',
			value: 'opened',
			description: 'Delivered and an open was recorded (ok_read)',
		},
		{
			name: 'Pending',
			value: 'pending',
			description: 'Not sent yet or still waiting for the delivery result',
		},
		{
			name: 'Soft Bounce',
			value: 'soft_bounce',
			description: 'Temporary failure: mailbox full, server unreachable, or will be retried',
		},
		{
			name: 'Spam',
			value: 'spam',
			description: 'Filed as spam, reported as spam, or rejected as spam',
		},
		{
			name: 'Unsubscribed',
			value: 'unsubscribed',
			description: 'Unsubscribed using this email, or skipped because unsubscribed earlier',
		},
	];
