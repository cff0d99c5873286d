'use strict';

const { describeSendResult, STATUS_GROUPS, STATUS_GROUP_OPTIONS } = require('../../../nodes/Selzy/report/statuses');

/** Every send_result value in the API notes (section 4), with the group a marketer expects. */
const DOCUMENTED = {
	not_sent: 'pending',
	ok_sent: 'pending',
	ok_delivered: 'delivered',
	ok_read: 'opened',
	ok_link_visited: 'clicked',
	ok_unsubscribed: 'unsubscribed',
	ok_spam_folder: 'spam',
	ok_fbl: 'spam',
	err_user_unknown: 'hard_bounce',
	err_user_inactive: 'hard_bounce',
	err_mailbox_full: 'soft_bounce',
	err_spam_rejected: 'spam',
	err_spam_folder: 'spam',
	err_delivery_failed: 'failed',
	err_will_retry: 'soft_bounce',
	err_resend: 'soft_bounce',
	err_domain_inactive: 'hard_bounce',
	err_skip_letter: 'failed',
	err_spam_skipped: 'spam',
	err_spam_retry: 'soft_bounce',
	err_unsubscribed: 'unsubscribed',
	err_src_invalid: 'failed',
	err_dest_invalid: 'hard_bounce',
	err_not_allowed: 'failed',
	err_not_available: 'hard_bounce',
	err_lost: 'failed',
	err_internal: 'failed',
	// Seen only in third-party clients, as non-final codes.
	err_no_dns: 'soft_bounce',
	err_no_smtp: 'soft_bounce',
	err_destination_misconfigured: 'soft_bounce',
	err_spam_may_retry: 'soft_bounce',
};

describe('send_result codes', () => {
	test.each(Object.entries(DOCUMENTED))('%s is described in words and grouped as %s', (code, group) => {
		const description = describeSendResult(code);
		expect(description.group).toBe(group);
		expect(description.status).toMatch(/^[A-Z][a-z]/);
		expect(description.status).not.toContain('_');
	});

	test('statuses that Selzy may still change are not final', () => {
		const notFinal = Object.keys(DOCUMENTED).filter((code) => !describeSendResult(code).final);
		expect(notFinal.sort()).toEqual(
			['not_sent', 'ok_sent', 'err_will_retry', 'err_resend', 'err_spam_retry', 'err_spam_may_retry', 'err_no_dns', 'err_no_smtp', 'err_destination_misconfigured'].sort(),
		);
	});

	test('readable wording for common codes', () => {
		expect(describeSendResult('err_user_unknown').status).toBe('Mailbox does not exist');
		expect(describeSendResult('ok_delivered').status).toBe('Delivered');
		expect(describeSendResult('err_mailbox_full').status).toBe('Mailbox is full');
	});

	test('codes Selzy adds later are classified by prefix', () => {
		expect(describeSendResult('ok_something_new')).toMatchObject({ group: 'delivered', final: true });
		expect(describeSendResult('err_something_new')).toMatchObject({ group: 'failed', final: true });
		expect(describeSendResult('queued')).toMatchObject({ group: 'pending', final: false });
		expect(describeSendResult('')).toMatchObject({ group: 'pending', status: 'No status' });
		expect(describeSendResult('err_something_new').status).toContain('err_something_new');
	});

	test('case and surrounding spaces do not matter', () => {
		expect(describeSendResult(' OK_READ ').group).toBe('opened');
	});

	test('object keys inherited from Object.prototype are not mistaken for codes', () => {
		expect(describeSendResult('constructor').group).toBe('pending');
		expect(describeSendResult('__proto__').group).toBe('pending');
	});

	test('descriptions are memoised (the same object for the same code)', () => {
		expect(describeSendResult('ok_read')).toBe(describeSendResult('ok_read'));
	});

	test('UI options cover every group once, sorted by name', () => {
		expect(STATUS_GROUP_OPTIONS.map((option) => option.value).sort()).toEqual([...STATUS_GROUPS].sort());
		const names = STATUS_GROUP_OPTIONS.map((option) => option.name);
		expect(names).toEqual([...names].sort());
		for (const option of STATUS_GROUP_OPTIONS) expect(option.description.length).toBeGreaterThan(10);
	});
});
