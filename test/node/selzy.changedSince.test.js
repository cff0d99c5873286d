'use strict';
// Changed Since is read in the workflow's time zone and sent to Selzy in UTC, whatever the server's
// own zone; Only Changes Since Last Run remembers, per campaign, what the last delivered report covered.
const path = require('node:path');
const { execFile } = require('node:child_process');
const { Selzy, useSelzy, reportParams, apiCalls, expectedRow, comparableRow, jsonOf } = require('./selzy.support');

const env = useSelzy();
const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });
const sentChangedSince = () => apiCalls(env.sb, 'async/getCampaignDeliveryStats').map((r) => r.params.changed_since);
const SELZY_UTC = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** [value as typed, workflow time zone, what Selzy must receive] */
const ZONE_CASES = [
	['2025-05-20T09:00:00', 'Asia/Tokyo', '2025-05-20 00:00:00'],
	['2025-05-20T09:00:00', 'America/New_York', '2025-05-20 13:00:00'],
	['2025-01-20T09:00:00', 'America/New_York', '2025-01-20 14:00:00'],
	['2025-05-20T09:00:00', 'UTC', '2025-05-20 09:00:00'],
	['2025-05-20 09:00:00', 'Europe/Berlin', '2025-05-20 07:00:00'],
	['2025-05-20T09:00:00+02:00', 'Asia/Tokyo', '2025-05-20 07:00:00'],
	['2025-05-20T09:00:00.000Z', 'America/New_York', '2025-05-20 09:00:00'],
	["={{ DateTime.fromISO('2025-05-20T09:00:00', { zone: 'Asia/Tokyo' }) }}", 'America/New_York', '2025-05-20 00:00:00'],
];

describe('Changed Since', () => {
	test.each(ZONE_CASES)('%s in workflow zone %s is sent as %s UTC', async (value, timezone, expected) => {
		const { status, output } = await run(reportParams(1001, { waitMode: 'none', options: { changedSince: value } }), { timezone });
		expect(status).toBe('success');
		expect(sentChangedSince()).toEqual([expected]);
		expect(output[0][0].json.changed_since).toBe(expected);
	});

	test('the server’s own time zone makes no difference', async () => {
		// The same cases in a process whose clock runs 14 hours ahead of UTC.
		const cases = ZONE_CASES.map(([value, timezone]) => ({ value, timezone }));
		const child = path.join(__dirname, 'selzy.tz-child.js');
		const result = await new Promise((resolve, reject) => {
			const options = { env: { ...process.env, TZ: 'Pacific/Kiritimati' }, timeout: 50_000 };
			execFile(process.execPath, [child, JSON.stringify(cases)], options, (error, stdout, stderr) =>
				error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
			);
		});
		expect(result.offsetMinutes).toBe(-840);
		expect(result.offsetMinutes).not.toBe(new Date(2025, 4, 20).getTimezoneOffset());
		expect(result.wire).toEqual(ZONE_CASES.map(([, , wire]) => wire));
	}, 60_000);

	test('only recipients changed since then are reported', async () => {
		const { sb } = env;
		const { output } = await run(
			reportParams(1002, { waitMode: 'poll', output: 'rows', options: { changedSince: '2025-05-20T09:00:00' } }),
			{ timezone: 'Asia/Tokyo' },
		);
		const truth = sb.groundTruth({ campaignId: 1002, changedSince: '2025-05-20 00:00:00' });
		expect(truth.total).toBeGreaterThan(100);
		expect(truth.total).toBeLessThan(1000);
		expect(jsonOf(output[0]).map(comparableRow)).toEqual(truth.rows.map(expectedRow));
	});

	test('a moment in the future is refused before anything is sent', async () => {
		const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
		for (const [value, timezone] of [[tomorrow, 'UTC'], ['={{ $now.plus({ hours: 2 }) }}', 'Asia/Tokyo']]) {
			const { status, error } = await run(reportParams(1001, { waitMode: 'poll', options: { changedSince: value } }), { timezone });
			expect(status).toBe('error');
			expect(error.message).toBe('Changed Since is in the future, so the report would be empty');
			expect(error.description).toMatch(/^It resolves to \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
		}
		expect(env.sb.requests).toHaveLength(0);
	});

	test('a value that is not a date is named in the error', async () => {
		const { error } = await run(reportParams(1001, { waitMode: 'poll', options: { changedSince: '20 May 2025' } }));
		expect(error.message).toBe('Changed Since: "20 May 2025" is not a date and time');
		expect(env.sb.requests).toHaveLength(0);
	});
});

describe('Only Changes Since Last Run', () => {
	const incremental = (campaign, options = {}) =>
		reportParams(campaign, { waitMode: 'poll', output: 'summary', options: { sinceLastRun: true, ...options } });
	const remembered = () => env.harness.getStaticData(Selzy)?.reportRequestedAt ?? {};

	beforeEach(() => env.harness.setStaticData(Selzy, undefined));

	test('the first run gets the whole report, the next one only what changed after the first was requested', async () => {
		const before = new Date().toISOString().slice(0, 19).replace('T', ' ');
		const first = await run(incremental(1001));
		expect(first.output[0][0].json.total).toBe(25);
		expect(sentChangedSince()).toEqual([undefined]);
		const firstRequestedAt = remembered()['1001'];
		expect(firstRequestedAt).toMatch(SELZY_UTC);
		expect(firstRequestedAt >= before).toBe(true);

		const second = await run(incremental(1001));
		expect(sentChangedSince()).toEqual([undefined, firstRequestedAt]);
		expect(second.output[0][0].json.total).toBe(0);
		expect(remembered()['1001'] >= firstRequestedAt).toBe(true);
	});

	test('the first run starts from Changed Since when it is set; campaigns are remembered separately', async () => {
		await run(incremental(1002, { changedSince: '2025-05-20T00:00:00Z' }));
		expect(sentChangedSince()).toEqual(['2025-05-20 00:00:00']);
		await run(incremental(1001));
		expect(sentChangedSince()).toEqual(['2025-05-20 00:00:00', undefined]);
		expect(Object.keys(remembered()).sort()).toEqual(['1001', '1002']);
	});

	test('a run whose download fails does not move the mark, so the next run asks again', async () => {
		const { sb, harness } = env;
		harness.setStaticData(Selzy, { reportRequestedAt: { 1002: '2025-05-20 00:00:00' } });
		sb.fault({ kind: 'dropMidway' });
		const failed = await run(incremental(1002));
		expect(failed.status).toBe('error');
		expect(remembered()).toEqual({ 1002: '2025-05-20 00:00:00' });

		const retriedAt = new Date().toISOString().slice(0, 19).replace('T', ' ');
		const retried = await run(incremental(1002));
		expect(sentChangedSince()).toEqual(['2025-05-20 00:00:00', '2025-05-20 00:00:00']);
		expect(retried.output[0][0].json.total).toBe(sb.groundTruth({ campaignId: 1002, changedSince: '2025-05-20 00:00:00' }).total);
		// Once delivered, the mark moves to when that report was requested.
		expect(remembered()['1002'] >= retriedAt).toBe(true);
	});

	test('manual runs from the editor do not move the mark (n8n saves it for active workflows only)', async () => {
		await run(incremental(1001), { mode: 'manual' });
		expect(remembered()).toEqual({});
	});
});
