'use strict';
// The trigger reads the file in the execution its callback starts: a decompression bomb behind a
// genuine callback must end in a clear error there, not in an out-of-memory crash.
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { useTriggerSandbox, completedTask, selzyCalls } = require('./trigger-support');

const MIB = 1024 * 1024;
let sb;
let harness;

useTriggerSandbox(12, (ready) => ({ sb, harness } = ready));

describe('a callback whose report is a decompression bomb', () => {
	test.each(['rows', 'summary'])('is answered, then fails naming Max Unpack Ratio with little memory used (%s output)', async (output) => {
		const task = await completedTask(sb, 1001);
		sb.fault({ kind: 'bomb', format: 'gzip', size: 2048 * MIB });
		global.gc?.();
		const before = process.memoryUsage().heapUsed;
		let peak = before;
		const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
		let call;
		try {
			call = await harness.runWebhook(SelzyTrigger, { parameters: { output }, request: { body: { result: task } } });
		} finally {
			clearInterval(timer);
		}
		expect(call.response.statusCode).toBe(200);
		const { error } = call.execution;
		expect(error.message).toMatch(/was not returned: The report unpacks to more than 100 times its compressed size \(Max Unpack Ratio\)/);
		expect(error.message).toContain(task.task_uuid);
		expect(call.execution.status).toBe('error');
		expect(peak - before).toBeLessThan(400 * MIB);
		expect(selzyCalls(sb, 'download')).toHaveLength(1);
	});

	test('with Row Safety Limit lowered, a big genuine report is refused in Rows output', async () => {
		const task = await completedTask(sb, 1004);
		const call = await harness.runWebhook(SelzyTrigger, {
			parameters: { output: 'rows', options: { rowSafetyLimit: 1000 } },
			request: { body: { result: task } },
		});
		expect(call.execution.error.message).toMatch(/more than 1,000 rows to return \(Row Safety Limit\)/);
		expect(call.execution.error.description).toMatch(/Set Max Rows/);
	});
});
