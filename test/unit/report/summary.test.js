'use strict';

const { createSummaryAccumulator, summarizeRecords, summarizeRecordBatches } = require('../../../nodes/Selzy/report/summary');
const { source } = require('./support');

/** 100 recipients of a typical campaign. */
const CAMPAIGN = {
	ok_delivered: 40,
	ok_read: 20,
	ok_link_visited: 8,
	ok_unsubscribed: 2,
	ok_spam_folder: 3,
	ok_fbl: 1,
	err_user_unknown: 6,
	err_mailbox_full: 3,
	err_will_retry: 2,
	err_spam_rejected: 2,
	err_unsubscribed: 3,
	err_internal: 2,
	ok_sent: 5,
	not_sent: 3,
};

function codes() {
	const list = [];
	for (const [code, count] of Object.entries(CAMPAIGN)) for (let i = 0; i < count; i++) list.push(code);
	return list;
}

describe('report summary', () => {
	test('counts per code (most frequent first) and per group, every group present', () => {
		const summary = createSummaryAccumulator();
		for (const code of codes()) summary.add(code);
		const result = summary.result();
		expect(result.total).toBe(100);
		expect(Object.entries(result.bySendResult)[0]).toEqual(['ok_delivered', 40]);
		expect(result.bySendResult).toEqual(CAMPAIGN);
		expect(result.byGroup).toEqual({
			delivered: 40,
			opened: 20,
			clicked: 8,
			unsubscribed: 5,
			spam: 6,
			soft_bounce: 5,
			hard_bounce: 6,
			pending: 8,
			failed: 2,
		});
	});

	test('rates follow the documented definitions', () => {
		const summary = createSummaryAccumulator();
		for (const code of codes()) summary.add(code);
		// attempted = 100 − 8 pending = 92; delivered = 40+20+8+2+3+1 = 74
		expect(summary.result().rates).toEqual({
			delivery: Math.round((74 / 92) * 1e4) / 1e4, // 0.8043
			open: Math.round((30 / 74) * 1e4) / 1e4, // read + clicked + unsubscribed
			click: Math.round((8 / 74) * 1e4) / 1e4,
			bounce: Math.round((11 / 92) * 1e4) / 1e4,
			hardBounce: Math.round((6 / 92) * 1e4) / 1e4,
			unsubscribe: Math.round((2 / 74) * 1e4) / 1e4,
			spam: Math.round((4 / 74) * 1e4) / 1e4,
		});
		expect(summary.result().rates.delivery).toBe(0.8043);
	});

	test('an empty or all-pending report has zero rates, not NaN', () => {
		expect(createSummaryAccumulator().result()).toMatchObject({ total: 0, rates: { delivery: 0, open: 0, bounce: 0 } });
		const pending = createSummaryAccumulator();
		pending.add('not_sent');
		expect(Object.values(pending.result().rates)).toEqual([0, 0, 0, 0, 0, 0, 0]);
	});

	test('summarising records reads only the send_result column, header first or given', async () => {
		const header = ['email', 'last_update', 'send_result'];
		const records = codes().map((code, i) => [`u${i}@x.io`, '', code]);
		const fromRecords = await summarizeRecords(source([header, ...records]));
		const withHeader = await summarizeRecords(source(records), header);
		const fromBatches = await summarizeRecordBatches(source([[header, ...records.slice(0, 10)], [], records.slice(10)]));
		expect(fromRecords.bySendResult).toEqual(CAMPAIGN);
		expect(withHeader).toEqual(fromRecords);
		expect(fromBatches).toEqual(fromRecords);
	});
});
