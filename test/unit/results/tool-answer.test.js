'use strict';

const { rowsAnswer, toolRowLimit, taskToolAnswer, MAX_TOOL_CELL_LENGTH } = require('../../../nodes/Selzy/results/toolAnswer');
const { DELIVERY_REPORT } = require('../../../nodes/Selzy/tasks/kinds');
const { statusGroupsFrom } = require('../../../nodes/Selzy/results/settings');

const row = (email, fields = {}) => ({
	email,
	send_result: 'err_user_unknown',
	status: 'Mailbox does not exist',
	status_group: 'hard_bounce',
	last_update: '2026-05-01T10:00:00Z',
	fields,
});
const task = { task_uuid: 'ff719cf2-0d4b-4b34-9b2f-4c2ea7f3b2a1', campaign_id: 123 };

describe('answers for a model', () => {
	test('rows past the sample are counted and the note says how to get all', () => {
		const answer = rowsAnswer(task, [row('a@example.com')], 54, ' (status groups hard_bounce)', 'report');
		expect(answer).toMatchObject({ task_uuid: task.task_uuid, campaign_id: 123, total_rows: 54, returned_rows: 1 });
		expect(answer.note).toBe(
			'The report has 54 matching rows (status groups hard_bounce); the first 1 are below. To get all of them, run the Selzy node in a workflow (Output: Rows, or File for the unparsed report), or ask for the Summary output for counts and rates.',
		);
	});

	test('a complete answer says so', () => {
		expect(rowsAnswer(task, [row('a@example.com')], 1, '', 'report').note).toBe('All 1 matching rows are below.');
	});

	test('a long value is cut and says how long it was', () => {
		const note = 'x'.repeat(5000);
		const [shown] = rowsAnswer(task, [row('a@example.com', { note })], 1, '', 'report').rows;
		expect(shown.fields.note).toBe(`${'x'.repeat(MAX_TOOL_CELL_LENGTH)}… (5000 characters)`);
	});

	test('Max Rows sets the rows a model gets; unset or 0 means 100', () => {
		expect(toolRowLimit({})).toBe(100);
		expect(toolRowLimit({ maxRows: 0 })).toBe(100);
		expect(toolRowLimit({ maxRows: 7 })).toBe(7);
	});

	test('a failed task says to start a new report, not to ask again', () => {
		const [{ json }] = taskToolAnswer({ task_uuid: task.task_uuid, status: 'failed' }, DELIVERY_REPORT, 0);
		expect(json.ready).toBe(false);
		expect(json.next_step).toBe('Selzy reports the task as "failed" and has no report for it. Start a new one with Campaign → Get Delivery Report.');
	});
});

describe('Status Groups given as text', () => {
	test('names separated by commas, in any case, with spaces or dashes', () => {
		expect(statusGroupsFrom('Hard Bounce, soft-bounce,unsubscribed')).toEqual(['hard_bounce', 'soft_bounce', 'unsubscribed']);
		expect(statusGroupsFrom('["hard_bounce"]')).toEqual(['hard_bounce']);
		expect(statusGroupsFrom(['spam', 'spam'])).toEqual(['spam']);
		expect(statusGroupsFrom('')).toEqual([]);
		expect(statusGroupsFrom(undefined)).toEqual([]);
	});

	test('an unknown name is an error listing the groups', () => {
		expect(() => statusGroupsFrom('hard_bounce, bounced')).toThrow(
			'Status Groups: "bounced" is not a status group; use delivered, opened, clicked, unsubscribed, spam, soft_bounce, hard_bounce, pending, failed',
		);
	});
});
