'use strict';
// Campaign → Get Delivery Report and Task → Get Result deliver exactly what Selzy's report holds,
// as a file, rows or a summary, from every file format Selzy may serve; plus the editor pickers.
const crypto = require('node:crypto');
const {
	Selzy,
	useSelzy,
	reportParams,
	taskParams,
	apiCalls,
	downloads,
	expectedRow,
	comparableRow,
	jsonOf,
	completeTask,
	waitUntil,
} = require('./selzy.support');

const env = useSelzy();
const FORMATS = ['csv', 'csv-crlf-bom', 'csv-semicolon', 'csv-tab', 'csv-cp1251', 'csv-gzip', 'zip', 'json'];
const HARD_BOUNCES = ['err_user_unknown', 'err_user_inactive', 'err_domain_inactive', 'err_dest_invalid', 'err_not_available'];
const UNSUBSCRIBED = ['ok_unsubscribed', 'err_unsubscribed'];

const run = (parameters, options = {}) => env.harness.runExecute(Selzy, { parameters, ...options });
const sha256 = (buffer) => crypto.createHash('sha256').update(buffer).digest('hex');

describe('rows output', () => {
	test('polls until the report is ready, then returns one row per recipient exactly as Selzy reported it', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: 1 });
		const fieldIds = ['104', '101', '103'];
		const { status, error, output } = await run(
			reportParams(1002, { waitMode: 'poll', output: 'rows', options: { additionalFields: fieldIds, pollInterval: 1 } }),
		);

		expect(error).toBeUndefined();
		expect(status).toBe('success');
		expect(sb.tasks).toHaveLength(1);
		expect(sb.tasks[0].polls).toBe(2);
		// The additional fields go out as a PHP array, as Selzy documents.
		const start = env.rawBodies.find((b) => b.path.endsWith('/async/getCampaignDeliveryStats'));
		expect(new URLSearchParams(start.body).getAll('field_ids[]')).toEqual(fieldIds);

		const truth = sb.groundTruth({ campaignId: 1002, fieldIds });
		const rows = jsonOf(output[0]);
		expect(rows).toHaveLength(1000);
		expect(rows.map(comparableRow)).toEqual(truth.rows.map(expectedRow));
		// Field values survive quoting, line breaks, leading zeros and Cyrillic.
		expect(rows.map((r) => r.fields['Last order note'])).toEqual(expect.arrayContaining(['Line one\nLine two', 'Windows line\r\nbreak']));
		expect(rows.map((r) => r.fields.customer_id)).toContain('007');
		for (const row of rows) expect(Object.keys(row).sort()).toEqual(['email', 'fields', 'last_update', 'send_result', 'status', 'status_group']);
	});

	test('each row carries a readable status and its status group', async () => {
		const { output } = await run(reportParams(1002, { waitMode: 'poll', output: 'rows' }));
		const byCode = Object.fromEntries(jsonOf(output[0]).map((r) => [r.send_result, [r.status, r.status_group]]));
		expect(byCode.ok_read).toEqual(['Delivered and opened', 'opened']);
		expect(byCode.ok_link_visited[1]).toBe('clicked');
		expect(byCode.err_user_unknown).toEqual(['Mailbox does not exist', 'hard_bounce']);
		expect(byCode.err_will_retry[1]).toBe('soft_bounce');
		expect(byCode.ok_sent[1]).toBe('pending');
	});

	test('an SMS campaign gives phone rows with the status column and no time', async () => {
		const { output } = await run(reportParams(1003, { waitMode: 'poll', output: 'rows' }));
		const truth = env.sb.groundTruth({ campaignId: 1003 });
		const rows = jsonOf(output[0]);
		expect(rows.map(({ phone, send_result: code, last_update: time, fields }) => ({ phone, code, time, fields }))).toEqual(
			truth.rows.map((r) => ({ phone: r.phone, code: r.send_result, time: null, fields: {} })),
		);
	});

	test('Status Groups and Send Results keep only matching recipients, in report order', async () => {
		const truth = env.sb.groundTruth({ campaignId: 1002 });
		const { output } = await run(
			reportParams(1002, {
				waitMode: 'poll',
				output: 'rows',
				options: { statusGroups: ['hard_bounce', 'unsubscribed'], sendResults: ' err_mailbox_full,ok_fbl ' },
			}),
		);
		const wanted = new Set([...HARD_BOUNCES, ...UNSUBSCRIBED, 'err_mailbox_full', 'ok_fbl']);
		const expected = truth.rows.filter((r) => wanted.has(r.send_result)).map(expectedRow);
		expect(expected.length).toBeGreaterThan(50);
		expect(jsonOf(output[0]).map(comparableRow)).toEqual(expected);
	});

	test('Max Rows returns the first matching rows only', async () => {
		const truth = env.sb.groundTruth({ campaignId: 1002 });
		const { output } = await run(
			reportParams(1002, { waitMode: 'poll', output: 'rows', options: { statusGroups: ['hard_bounce'], maxRows: 7 } }),
		);
		const expected = truth.rows.filter((r) => HARD_BOUNCES.includes(r.send_result)).slice(0, 7).map(expectedRow);
		expect(jsonOf(output[0]).map(comparableRow)).toEqual(expected);
	});

	test('Max Rows stops reading the download: 5 rows of a million-recipient report come back at once', async () => {
		const { sb } = env;
		sb.addCampaign({ id: 7000, rows: 1_000_000 });
		// Counts the bytes the sandbox generates for the download (it only generates what the client takes).
		let served = 0;
		let finished = false;
		const streamBody = sb.streamBody;
		sb.streamBody = async function countingStream(res, chunks, cut) {
			async function* counted() {
				for await (const chunk of chunks) {
					served += chunk.length;
					yield chunk;
				}
			}
			await streamBody.call(this, res, counted(), cut);
			finished = true;
		};
		const started = Date.now();
		let result;
		try {
			result = await run(reportParams(7000, { waitMode: 'poll', output: 'rows', options: { maxRows: 5 } }));
			await waitUntil(() => finished);
		} finally {
			delete sb.streamBody;
		}

		expect(result.error).toBeUndefined();
		expect(result.output[0]).toHaveLength(5);
		expect(Date.now() - started).toBeLessThan(5000);
		// The whole report is 61 MB; the download ended with what socket buffers had taken in (a few MB).
		expect(served).toBeLessThan(40 * 1024 * 1024);
	});
});

describe('file output', () => {
	test('stores the exact bytes Selzy serves in n8n’s binary store', async () => {
		const { sb, harness } = env;
		const { output, error } = await run(reportParams(1002, { waitMode: 'poll', output: 'file' }));
		expect(error).toBeUndefined();
		const item = output[0][0];
		const stored = harness.binaries(item).data;
		const truth = await sb.groundTruth({ campaignId: 1002 }).sha256AndSize('csv');

		expect({ sha256: sha256(stored.bytes()), size: stored.size }).toEqual(truth);
		expect(stored.mode).toBe('filesystem-v2');
		expect(await stored.metadata()).toMatchObject({ fileName: 'campaign-1002-delivery-stats.csv', mimeType: 'text/csv', fileSize: truth.size });
		expect(item.json).toMatchObject({
			task_uuid: sb.tasks[0].uuid,
			status: 'completed',
			fileName: 'campaign-1002-delivery-stats.csv',
			fileSize: truth.size,
			mimeType: 'text/csv',
		});
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('Binary Property and File Name decide where and under which name the file is stored', async () => {
		const { output } = await run(
			reportParams(1001, { waitMode: 'poll', output: 'file', options: { binaryPropertyName: 'report', fileName: 'april.csv' } }),
		);
		const item = output[0][0];
		expect(Object.keys(item.binary)).toEqual(['report']);
		expect(item.binary.report).toMatchObject({ fileName: 'april.csv', mimeType: 'text/csv' });
		expect(item.json.fileName).toBe('april.csv');
	});
});

describe('summary output', () => {
	test('totals and counts per send_result equal the report’s', async () => {
		const { sb } = env;
		const { output, error } = await run(reportParams(1004, { waitMode: 'poll', output: 'summary' }));
		expect(error).toBeUndefined();
		expect(output[0]).toHaveLength(1);
		const summary = output[0][0].json;
		const truth = sb.groundTruth({ campaignId: 1004 });

		expect(summary.total).toBe(100_000);
		expect(summary.total).toBe(truth.total);
		expect(summary.bySendResult).toEqual(truth.bySendResult);
		expect(Object.values(summary.byGroup).reduce((a, b) => a + b, 0)).toBe(truth.total);
		const hard = HARD_BOUNCES.reduce((sum, code) => sum + (truth.bySendResult[code] ?? 0), 0);
		expect(summary.byGroup.hard_bounce).toBe(hard);
		expect(summary.report).toMatchObject({ format: 'csv', compression: 'none', bytes: (await truth.sha256AndSize('csv')).size });
		expect(summary).toMatchObject({ task_uuid: sb.tasks[0].uuid, status: 'completed' });
	});
});

describe('every report format Selzy may serve', () => {
	const fieldIds = ['101', '104', '102'];
	let reference;
	beforeAll(() => {
		env.sb.addCampaign({ id: 7100, rows: 400 });
		reference = env.sb.groundTruth({ campaignId: 7100, fieldIds }).rows.map(expectedRow);
	});

	test.each(FORMATS)('%s gives the same rows and is stored byte for byte', async (format) => {
		const { sb, harness } = env;
		sb.configure({ format });
		const rows = await run(reportParams(7100, { waitMode: 'poll', output: 'rows', options: { additionalFields: fieldIds } }));
		expect(rows.error).toBeUndefined();
		expect(jsonOf(rows.output[0]).map(comparableRow)).toEqual(reference);

		const file = await run(reportParams(7100, { waitMode: 'poll', output: 'file', options: { additionalFields: fieldIds } }));
		const stored = harness.binaries(file.output[0][0]).data;
		const truth = await sb.groundTruth({ campaignId: 7100, fieldIds }).sha256AndSize(format);
		expect({ sha256: sha256(stored.bytes()), size: stored.size }).toEqual(truth);
	});
});

describe('Task → Get Result', () => {
	test('without waiting it reports the task as not ready, then delivers the report once Selzy finished it', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: 2 });
		const started = await run(reportParams(1001, { waitMode: 'none' }));
		const taskUuid = started.output[0][0].json.task_uuid;

		const early = await run(taskParams(taskUuid, { waitMode: 'none', output: 'rows' }));
		expect(jsonOf(early.output[0])).toEqual([
			{ task_uuid: taskUuid, task_type: 'getCampaignDeliveryStats', status: 'new', ready: false },
		]);
		expect(downloads(sb)).toHaveLength(0);

		const finished = await completeTask(sb, taskUuid);
		const status = await run(taskParams(taskUuid, { waitMode: 'none', output: 'status' }));
		expect(jsonOf(status.output[0])).toEqual([{ ...finished, ready: true }]);
		expect(downloads(sb)).toHaveLength(0);

		const rows = await run(taskParams(taskUuid, { waitMode: 'none', output: 'rows' }));
		expect(jsonOf(rows.output[0]).map(comparableRow)).toEqual(sb.groundTruth({ campaignId: 1001 }).rows.map(expectedRow));
	});

	test('Poll Until Ready waits for the task and returns its summary', async () => {
		const { sb } = env;
		sb.configure({ readyAfterPolls: 1 });
		const started = await run(reportParams(1002, { waitMode: 'none' }));
		const taskUuid = started.output[0][0].json.task_uuid;
		const { output, error } = await run(taskParams(taskUuid, { waitMode: 'poll', output: 'summary', options: { pollInterval: 1 } }));
		expect(error).toBeUndefined();
		expect(output[0][0].json).toMatchObject({ task_uuid: taskUuid, total: 1000, bySendResult: sb.groundTruth({ campaignId: 1002 }).bySendResult });
		expect(apiCalls(sb, 'async/getTaskResult')).toHaveLength(2);
	});
});

describe('several input items', () => {
	test('each item starts its own report and every output item points back at its input item', async () => {
		const { sb } = env;
		const inputItems = [{ json: { campaign: 1001 } }, { json: { campaign: 1003 } }, { json: { campaign: 1001 } }];
		const { output, error } = await run(
			reportParams('={{ $json.campaign }}', { waitMode: 'poll', output: 'rows' }),
			{ inputItems },
		);
		expect(error).toBeUndefined();
		expect(sb.tasks.map((t) => t.campaignId)).toEqual([1001, 1003, 1001]);

		const byItem = [0, 1, 2].map((index) => output[0].filter((item) => item.pairedItem?.item === index));
		expect(byItem.reduce((n, items) => n + items.length, 0)).toBe(output[0].length);
		expect(jsonOf(byItem[0]).map((r) => r.email)).toEqual(sb.groundTruth({ campaignId: 1001 }).rows.map((r) => r.email));
		expect(jsonOf(byItem[1]).map((r) => r.phone)).toEqual(sb.groundTruth({ campaignId: 1003 }).rows.map((r) => r.phone));
		expect(jsonOf(byItem[2])).toEqual(jsonOf(byItem[0]));
	});

	test('summaries and files are paired with their items too', async () => {
		const inputItems = [{ json: { campaign: 1002 } }, { json: { campaign: 1001 } }];
		for (const output of ['summary', 'file']) {
			const result = await run(reportParams('={{ $json.campaign }}', { waitMode: 'poll', output }), { inputItems });
			expect(result.output[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		}
	});
});

describe('editor pickers', () => {
	test('the campaign list shows every campaign, newest first, and the search filters it', async () => {
		const { sb, harness } = env;
		// More than one page of campaigns; id 8645 starts earlier than the seeded ones.
		for (let id = 8000; id < 8150; id++) sb.addCampaign({ id, rows: 1, subject: `Bulk ${id}` });
		sb.addCampaign({ id: 8645, rows: 1, subject: 'Early bird' });

		const { results } = await harness.runLoadOptions(Selzy, 'searchCampaigns', {});
		const expected = [...sb.campaigns.values()]
			.sort((a, b) => b.startTime.localeCompare(a.startTime) || b.id - a.id)
			.map((c) => String(c.id));
		expect(results.map((r) => r.value)).toEqual(expected);
		expect(results.at(-1).value).toBe('8645');
		expect(results.find((r) => r.value === '1002').name).toBe(`Новинки апреля (#1002 · ${sb.campaigns.get(1002).startTime} UTC)`);

		const found = await harness.runLoadOptions(Selzy, 'searchCampaigns', { filter: 'НОВИНКИ' });
		expect(found.results.map((r) => r.value)).toEqual(['1002']);
		const byNumber = await harness.runLoadOptions(Selzy, 'searchCampaigns', { filter: '#8645' });
		expect(byNumber.results.map((r) => r.value)).toEqual(['8645']);
	});

	test('Additional Fields lists the account’s contact fields by name, valued by id', async () => {
		const options = await env.harness.runLoadOptions(Selzy, 'getFields', {});
		expect(options.map(({ name, value }) => ({ name, value }))).toEqual([
			{ name: 'birthday', value: '105' },
			{ name: 'customer_id', value: '103' },
			{ name: 'Last order note', value: '104' },
			{ name: 'orders_count', value: '107' },
			{ name: 'vip', value: '106' },
			{ name: 'Город', value: '102' },
			{ name: 'Имя', value: '101' },
		]);
	});
});
