'use strict';
// Row Format of delivery reports (Enriched / As in the File) and the order of a summary's columns.
const { Selzy, useSelzy, reportParams, jsonOf } = require('./selzy.support');

const env = useSelzy();
const run = (parameters) => env.harness.runExecute(Selzy, { parameters });

describe('Row Format “As in the File”', () => {
	test('gives the report’s own columns, values exactly as written, no derived fields', async () => {
		const { sb } = env;
		const fieldIds = ['103', '101'];
		const { output, error } = await run(
			reportParams(1002, { waitMode: 'poll', output: 'rows', options: { rowFormat: 'asInFile', additionalFields: fieldIds } }),
		);
		expect(error).toBeUndefined();
		const truth = sb.groundTruth({ campaignId: 1002, fieldIds });
		const rows = jsonOf(output[0]);
		expect(rows).toEqual(
			truth.rows.map((row) => ({ email: row.email, send_result: row.send_result, last_update: row.last_update, 103: row.fields.customer_id, 101: row.fields['Имя'] })),
		);
		// JavaScript lists number-like keys first, whatever the file's order.
		expect(Object.keys(rows[0])).toEqual(['101', '103', 'email', 'send_result', 'last_update']);
		// Field ids stay ids: no getFields call is needed.
		expect(sb.requests.filter((r) => r.apiMethod === 'getFields')).toHaveLength(0);
	});

	test('Status Groups, Send Results and Max Rows still apply while the file streams', async () => {
		const { sb } = env;
		const { output } = await run(
			reportParams(1002, {
				waitMode: 'poll',
				output: 'rows',
				options: { rowFormat: 'asInFile', statusGroups: ['hard_bounce'], sendResults: 'ok_fbl', maxRows: 20 },
			}),
		);
		const truth = sb.groundTruth({ campaignId: 1002 });
		const HARD = ['err_user_unknown', 'err_user_inactive', 'err_domain_inactive', 'err_dest_invalid', 'err_not_available'];
		const expected = truth.rows.filter((r) => HARD.includes(r.send_result) || r.send_result === 'ok_fbl').slice(0, 20);
		expect(jsonOf(output[0])).toEqual(expected.map(({ email, send_result: code, last_update: time }) => ({ email, send_result: code, last_update: time })));
	});

	test('Enriched stays the default', async () => {
		const { output } = await run(reportParams(1001, { waitMode: 'poll', output: 'rows' }));
		expect(Object.keys(jsonOf(output[0])[0])).toEqual(['email', 'send_result', 'status', 'status_group', 'last_update', 'fields']);
	});
});

describe('a delivery report summary', () => {
	test('leads with the total, the rates and the counts; the task and the file come after', async () => {
		const { output } = await run(reportParams(1001, { waitMode: 'poll', output: 'summary' }));
		const [summary] = jsonOf(output[0]);
		expect(Object.keys(summary)).toEqual(['total', 'rates', 'byGroup', 'bySendResult', 'task_uuid', 'task_type', 'status', 'file_to_download', 'campaign_status', 'report']);
		expect(summary.total).toBe(25);
	});
});
