'use strict';
// Checks the sandbox itself: other suites trust it to behave like Selzy and to tell the truth.

const http = require('node:http');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { parse } = require('csv-parse/sync');
const { createSandbox } = require('./server');

let sb;
beforeAll(async () => {
	sb = await createSandbox({ seed: 7 });
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

/** Raw HTTP exchange; keeps what arrived even when the connection breaks. */
function request(url, { method = 'GET', headers = {}, body } = {}) {
	return new Promise((resolve) => {
		const chunks = [];
		const done = (res, error) =>
			resolve({ status: res?.statusCode, headers: res?.headers ?? {}, body: Buffer.concat(chunks), error });
		const req = http.request(url, { method, headers, agent: false }, (res) => {
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => done(res, null));
			res.on('error', (err) => done(res, err));
			res.on('aborted', () => done(res, new Error('aborted')));
		});
		req.on('error', (err) => done(null, err));
		req.end(body);
	});
}

/** Calls a Selzy method with a form body (or the query string) and returns the parsed JSON. */
async function call(method, params = {}, { query = '', key = sb.apiKey, headers = {} } = {}) {
	const form = new URLSearchParams(key === null ? [] : [['api_key', key]]);
	for (const [name, value] of Object.entries(params)) {
		for (const v of [].concat(value)) form.append(Array.isArray(value) ? `${name}[]` : name, String(v));
	}
	const body = query ? undefined : form.toString();
	const res = await request(`${sb.url}/en/api/${method}${query}`, {
		method: query ? 'GET' : 'POST',
		headers: body ? { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } : headers,
		body,
	});
	const raw = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(res.body) : res.body;
	return { ...res, json: raw.length ? JSON.parse(raw.toString('utf8')) : null };
}

/** Starts a report and polls it to completion; returns the task result. */
async function finishedReport(params) {
	const start = await call('async/getCampaignDeliveryStats', params);
	let result;
	do result = (await call('async/getTaskResult', { task_uuid: start.json.result.task_uuid })).json.result;
	while (result.status !== 'completed');
	return result;
}

const sha256 = (buffer) => crypto.createHash('sha256').update(buffer).digest('hex');
const waitFor = async (check) => {
	for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
	expect(check()).toBe(true);
};

test('answers like Selzy: result envelope, HTML-encoded errors, gzip, no key in logs', async () => {
	expect((await call('getLists')).json.result).toContainEqual({ id: 2, title: 'Клиенты' });
	expect((await call('getLists', {}, { key: 'wrong' })).json).toMatchObject({ code: 'invalid_api_key', error: expect.stringContaining('&quot;') });
	expect((await call('getLists', {}, { key: sb.accessDeniedKey })).json.code).toBe('access_denied');
	expect((await call('getList')).json.code).toBe('unknown_method');
	expect((await call('getLists', {}, { query: '?format=json' })).json.code).toBe('invalid_api_key'); // key only in a body that is not sent
	const split = await request(`${sb.url}/ru/api/getLists?format=json`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: `api_key=${sb.apiKey}`,
	});
	expect(JSON.parse(split.body)).toEqual({ error: 'Call to a member function getMessage() on boolean', code: 'unspecified' });
	const gz = await call('getFields', {}, { headers: { 'Accept-Encoding': 'gzip' } });
	expect(gz.headers['content-encoding']).toBe('gzip');
	expect(gz.json.result.map((f) => f.name)).toEqual(expect.arrayContaining(['Имя', 'Город', 'customer_id', 'Last order note']));
	await call('getLists', {}, { query: `?api_key=${sb.apiKey}`, key: null });
	expect(sb.requests.map((r) => r.keyInUrl)).toEqual([false, false, false, false, false, false, false, true]);
	expect(sb.requests.map((r) => r.apiKeyPresent)).toEqual([true, true, true, true, false, true, true, true]);
	expect(JSON.stringify(sb.requests)).not.toContain(sb.apiKey);
});

test('validates arguments and reads PHP arrays from query or body', async () => {
	const bad = async (params) => (await call('async/getCampaignDeliveryStats', params)).json;
	expect(await bad({})).toMatchObject({ code: 'invalid_arg', error: expect.stringContaining('campaign_id') });
	expect(await bad({ campaign_id: 1001, changed_since: '2025-05-01' })).toMatchObject({ code: 'invalid_arg', error: expect.stringContaining('changed_since') });
	expect(await bad({ campaign_id: 1001, field_ids: [101, 999] })).toMatchObject({ code: 'invalid_arg', error: expect.stringContaining('999') });
	expect(await bad({ campaign_id: 1001, field_ids: '101,102' })).toMatchObject({ code: 'invalid_arg' });
	const viaQuery = await call('async/getCampaignDeliveryStats', {}, {
		query: `?api_key=${sb.apiKey}&campaign_id=1001&field_ids%5B%5D=101&field_ids%5B%5D=103`,
		key: null,
	});
	expect(viaQuery.json.result).toEqual({ task_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'new' });
	expect(sb.tasks[0].params.field_ids).toEqual(['101', '103']);
	expect((await call('async/getTaskResult', { task_uuid: 'nope' })).json.code).toBe('invalid_arg');
	const page = (await call('getCampaigns', { from: '2025-01-01 00:00:00', limit: 2, offset: 1 })).json.result;
	expect(page.map((c) => c.id)).toEqual([1002, 1003]);
});

test('a report task goes new → processing → completed and its CSV is the ground truth', async () => {
	const fieldIds = [104, 101, 103];
	const start = await call('async/getCampaignDeliveryStats', { campaign_id: 1002, field_ids: fieldIds, changed_since: '2025-05-01 00:00:00' });
	const poll = () => call('async/getTaskResult', { task_uuid: start.json.result.task_uuid });
	expect(start.json.result.status).toBe('new');
	expect((await poll()).json.result.status).toBe('processing');
	const done = (await poll()).json.result;
	expect(done).toMatchObject({ task_type: 'getCampaignDeliveryStats', status: 'completed', file_to_download: expect.stringContaining('/files/') });

	const file = await request(done.file_to_download);
	expect(file.headers['content-disposition']).toMatch(/^attachment; filename=".+\.csv"$/);
	expect(Number(file.headers['content-length'])).toBe(file.body.length);
	const [header, ...rows] = parse(file.body, { relax_column_count: false });
	expect(header).toEqual(['email', 'send_result', 'last_update', '104', '101', '103']);
	const truth = sb.groundTruth({ campaignId: 1002, changedSince: '2025-05-01 00:00:00', fieldIds });
	expect(truth.total).toBeLessThan(1000);
	expect(rows).toEqual(truth.rows.map((r) => [r.email, r.send_result, r.last_update, r.fields['Last order note'], r.fields['Имя'], r.fields.customer_id]));
	expect(rows.every((r) => r[2] >= '2025-05-01 00:00:00')).toBe(true);
	const text = file.body.toString('utf8');
	for (const tricky of ['"Line one\nLine two"', '"Said ""call me after 6"""', ',007', 'Комментарий']) expect(text).toContain(tricky);
});

test('every format serves exactly the bytes ground truth hashes, with the same records', async () => {
	const fieldIds = [101, 104];
	sb.addCampaign({ id: 2001, rows: 200 });
	const truth = sb.groundTruth({ campaignId: 2001, fieldIds });
	const records = [['email', 'send_result', 'last_update', '101', '104'], ...truth.rows.map((r) => [r.email, r.send_result, r.last_update, r.fields['Имя'], r.fields['Last order note']])];
	expect(records.flat()).toEqual(expect.arrayContaining(['Tab\tinside', 'Semicolon; inside', 'Windows line\r\nbreak', 'Иванов, Иван']));
	const decode = {
		csv: (b) => parse(b),
		'csv-crlf-bom': (b) => (expect(b.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])), expect(b.toString()).toContain('\r\n'), parse(b, { bom: true })),
		'csv-semicolon': (b) => parse(b, { delimiter: ';' }),
		'csv-tab': (b) => parse(b, { delimiter: '\t' }),
		'csv-cp1251': (b) => parse(new TextDecoder('windows-1251').decode(b)),
		'csv-gzip': (b) => parse(zlib.gunzipSync(b)),
		zip: (b) => {
			expect(b.readUInt32LE(0)).toBe(0x04034b50);
			expect(b.readUInt16LE(6) & 0x08).toBe(0x08);
			expect(b.toString('latin1', 30, 40)).toBe('report.csv');
			const end = b.length - 22;
			const central = b.readUInt32LE(end + 16);
			const packed = b.readUInt32LE(central + 20);
			const csv = zlib.inflateRawSync(b.subarray(40, 40 + packed));
			expect(b.readUInt32LE(central + 16)).toBe(zlib.crc32(csv));
			return parse(csv);
		},
		json: (b) => {
			const { result } = JSON.parse(b);
			return [result.fields, ...result.data];
		},
	};
	for (const [format, read] of Object.entries(decode)) {
		sb.configure({ format });
		const done = await finishedReport({ campaign_id: 2001, field_ids: fieldIds });
		const file = await request(done.file_to_download);
		expect({ format, ...(await truth.sha256AndSize(format)) }).toEqual({ format, sha256: sha256(file.body), size: file.body.length });
		expect(read(file.body)).toEqual(records);
	}
});

test('send_result follows a realistic distribution; SMS reports use phone and status', async () => {
	const { total, bySendResult: n } = sb.groundTruth({ campaignId: 1004 });
	const share = (...codes) => codes.reduce((sum, c) => sum + (n[c] ?? 0), 0) / total;
	expect(total).toBe(100000);
	expect(share('ok_delivered', 'ok_read')).toBeGreaterThan(0.7);
	expect(share('err_user_unknown', 'err_domain_inactive', 'err_user_inactive', 'err_dest_invalid')).toBeCloseTo(0.05, 2);
	expect(share('err_user_unknown')).toBeGreaterThan(0.03);
	expect(share('err_user_unknown')).toBeLessThan(0.04);
	expect(Object.keys(n)).toEqual(expect.arrayContaining(['not_sent', 'ok_sent', 'ok_fbl', 'ok_spam_folder', 'err_will_retry', 'err_resend', 'err_lost', 'err_internal']));

	const sms = await request((await finishedReport({ campaign_id: 1003 })).file_to_download);
	const [header, first] = parse(sms.body);
	expect(header).toEqual(['phone', 'status']);
	expect(first[0]).toMatch(/^7\d{10}$/);
});

test('callbacks reach notify_url as JSON or form, once or twice, and a timer completes unpolled tasks', async () => {
	const received = [];
	const receiver = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			received.push({ url: req.url, type: req.headers['content-type'], body });
			res.writeHead(received.length === 1 ? 500 : 200).end();
		});
	});
	await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
	const notifyUrl = `http://127.0.0.1:${receiver.address().port}/hook?workflow=1&x=%20`;
	try {
		sb.configure({ readyAfterMs: 20, readyAfterPolls: null, callbackTimes: 2 });
		const { json } = await call('async/getCampaignDeliveryStats', { campaign_id: 1001, notify_url: notifyUrl });
		await waitFor(() => sb.callbacks.length === 2 && sb.callbacks.every((c) => c.status));
		expect(sb.callbacks.map((c) => c.status)).toEqual([500, 200]);
		expect(received.map((r) => r.url)).toEqual(['/hook?workflow=1&x=%20', '/hook?workflow=1&x=%20']);
		expect(JSON.parse(received[0].body).result).toMatchObject({ task_uuid: json.result.task_uuid, status: 'completed', file_to_download: expect.any(String) });
		expect(sb.tasks[0]).toMatchObject({ status: 'completed', polls: 0 });

		sb.configure({ readyAfterMs: null, readyAfterPolls: 0, callbackFormat: 'form', callbackTimes: 1 });
		await finishedReport({ campaign_id: 1001, notify_url: notifyUrl });
		await waitFor(() => received.length === 3);
		expect(received[2].type).toBe('application/x-www-form-urlencoded');
		expect(new URLSearchParams(received[2].body).get('result[task_type]')).toBe('getCampaignDeliveryStats');
	} finally {
		receiver.close();
	}
});

test('API faults: codes, HTTP errors, empty and dropped answers, a task created before the drop', async () => {
	sb.fault({ method: 'getLists', kind: 'code', code: 'retry_later', times: 2 });
	sb.fault({ kind: 'http', status: 429, retryAfter: 3 });
	sb.fault({ kind: 'http', status: 503, body: 'empty' });
	sb.fault({ kind: 'html502' });
	sb.fault({ kind: 'empty' });
	sb.fault({ kind: 'drop' });
	sb.fault({ kind: 'slow', ms: 100 });
	expect((await call('getLists')).json.code).toBe('retry_later');
	expect((await call('getLists')).json.code).toBe('retry_later');
	const limited = await call('getFields');
	expect([limited.status, limited.headers['retry-after'], limited.json.code]).toEqual([429, '3', 'api_call_limit_exceeded_for_api_key']);
	expect(await call('getFields')).toMatchObject({ status: 503, json: null });
	const gateway = await request(`${sb.url}/en/api/getFields`);
	expect([gateway.status, gateway.headers['content-type']]).toEqual([502, 'text/html']);
	expect(await call('getFields')).toMatchObject({ status: 200, json: null });
	expect((await request(`${sb.url}/en/api/getFields`)).error).toBeTruthy();
	const began = Date.now();
	expect((await call('getLists')).json.result).toBeDefined();
	expect(Date.now() - began).toBeGreaterThanOrEqual(90);
	expect(sb.requests.map((r) => r.fault)).toEqual(['code', 'code', 'http', 'http', 'html502', 'empty', 'drop', 'slow']);

	sb.fault({ method: 'async/getCampaignDeliveryStats', kind: 'dropAfterProcessing' });
	expect((await request(`${sb.url}/en/api/async/getCampaignDeliveryStats`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: `api_key=${sb.apiKey}&campaign_id=1001`,
	})).error).toBeTruthy();
	expect(sb.tasks).toHaveLength(1);
});

test('download faults: truncated, reset, stalled, expired and broken gzip files', async () => {
	const url = (await finishedReport({ campaign_id: 1002 })).file_to_download;
	const full = await request(url);
	expect(full.error).toBeNull();

	sb.fault({ kind: 'truncate', bytes: 1000 });
	const truncated = await request(url);
	expect([Number(truncated.headers['content-length']), truncated.body.length, Boolean(truncated.error)]).toEqual([full.body.length, 1000, true]);

	sb.fault({ kind: 'dropMidway', bytes: 5000 });
	expect((await request(url)).error).toBeTruthy();

	sb.fault({ kind: 'stall', bytes: 100, ms: 150 });
	const began = Date.now();
	expect((await request(url)).body.equals(full.body)).toBe(true);
	expect(Date.now() - began).toBeGreaterThanOrEqual(140);

	sb.fault({ kind: 'brokenGzip' });
	const broken = await request(url);
	expect(broken.headers['content-type']).toBe('application/gzip');
	expect(() => zlib.gunzipSync(broken.body)).toThrow();

	sb.fault({ kind: 'expired' });
	const expired = await request(url);
	expect([expired.status, expired.body.toString()]).toEqual([403, expect.stringContaining('<Code>AccessDenied</Code><Message>Request has expired</Message>')]);
	expect((await request(url)).status).toBe(200);
	sb.expireFiles();
	expect((await request(url)).status).toBe(403);
	expect((await request(url.replace(/files\/\w+/, 'files/' + '0'.repeat(32)))).status).toBe(404);
});

test('the control API works over HTTP for a sandbox in another process', async () => {
	const control = async (action, input) => {
		const res = await request(`${sb.url}/_sandbox/${action}`, { method: 'POST', body: input && JSON.stringify(input) });
		return { status: res.status, json: JSON.parse(res.body) };
	};
	expect((await control('configure', { fieldHeader: 'name', readyAfterPolls: 0 })).json).toMatchObject({ fieldHeader: 'name', readyAfterPolls: 0 });
	expect((await control('configure', { nope: 1 })).status).toBe(400);
	expect((await control('addCampaign', { id: 77, rows: 3, format: 'json' })).json).toMatchObject({ id: 77, rows: 3 });
	await control('fault', { method: 'getLists', kind: 'code', code: 'not_enough_money' });
	expect((await call('getLists')).json.code).toBe('not_enough_money');
	const done = await finishedReport({ campaign_id: 77, field_ids: [102] });
	const file = await request(done.file_to_download);
	expect(JSON.parse(file.body).result.fields).toEqual(['email', 'send_result', 'last_update', 'Город']);
	expect((await control('tasks')).json).toHaveLength(1);
	expect((await control('requests')).json.map((r) => r.apiMethod)).toContain('download');
	const truth = (await control('groundTruth', { campaignId: 77, fieldIds: [102], fieldHeader: 'name', format: 'json' })).json;
	expect(truth).toMatchObject({ total: 3, sha256: sha256(file.body), size: file.body.length });
	await control('reset');
	expect(sb.tasks).toHaveLength(0);
});

test('a million-row report starts streaming at once; ground truth counts it without arrays', async () => {
	sb.addCampaign({ id: 9001, rows: 1000000 });
	const url = (await finishedReport({ campaign_id: 9001, field_ids: [101] })).file_to_download;
	const cpu = process.cpuUsage();
	const firstBytes = await new Promise((resolve, reject) => {
		const req = http.get(url, { agent: false }, (res) => {
			res.once('data', (chunk) => {
				resolve({ chunk, chunked: res.headers['transfer-encoding'] });
				req.destroy();
			});
		});
		req.on('error', reject);
	});
	// Counted in CPU time, which a busy machine does not stretch as it does the wall clock: the
	// first chunk costs about 50 ms of it, going through the whole report first about 400 ms.
	const { user, system } = process.cpuUsage(cpu);
	expect((user + system) / 1000).toBeLessThan(200);
	expect(firstBytes.chunked).toBe('chunked');
	expect(firstBytes.chunk.toString().startsWith('email,send_result,last_update,101\n')).toBe(true);
	const truth = sb.groundTruth({ campaignId: 9001, changedSince: '2025-05-02 00:00:00' });
	expect(truth.rows).toBeUndefined();
	expect(truth.total).toBeGreaterThan(480000);
	expect(truth.total).toBeLessThan(520000);
});

test('close() ends sockets and timers so the process can exit', async () => {
	const script = `
		const { createSandbox } = require(${JSON.stringify(require.resolve('./server'))});
		const http = require('node:http');
		(async () => {
			const sb = await createSandbox();
			sb.configure({ readyAfterMs: 60000 });
			sb.fault({ method: 'getLists', kind: 'slow', ms: 60000 });
			http.get(sb.url + '/en/api/getLists').on('error', () => {});
			await new Promise((r) => http.get(sb.url + '/en/api/async/getCampaignDeliveryStats?api_key=' + sb.apiKey + '&campaign_id=1001', (res) => res.resume().on('end', r)));
			await sb.close();
		})();`;
	const began = Date.now();
	const code = await new Promise((resolve) => spawn(process.execPath, ['-e', script], { stdio: 'inherit' }).on('exit', resolve));
	expect(code).toBe(0);
	expect(Date.now() - began).toBeLessThan(5000);
});

describe('contact exports', () => {
	/** Starts an export and polls it to completion; returns the task result. */
	async function finishedExport(params) {
		const start = await call('async/exportContacts', params);
		expect(start.json.result).toEqual({ task_uuid: expect.any(String), status: 'new' });
		let result;
		do result = (await call('async/getTaskResult', { task_uuid: start.json.result.task_uuid })).json.result;
		while (result.status !== 'completed');
		return result;
	}

	test('serve the requested columns of a list, parseable by an independent CSV parser, as the ground truth says', async () => {
		const fieldNames = ['email', 'Город', 'Last order note', 'tags', 'phone_status'];
		const result = await finishedExport({ list_id: 2, field_names: fieldNames });
		expect(result.task_type).toBe('exportContacts');
		const file = await request(result.file_to_download);
		expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
		const [header, ...records] = parse(file.body.toString('utf8'), { relax_column_count: false });
		expect(header).toEqual(fieldNames);
		const truth = sb.contactsTruth({ listId: 2, fieldNames });
		expect(records.map((record) => Object.fromEntries(fieldNames.map((name, i) => [name, record[i]])))).toEqual(truth.rows);
		expect(truth.total).toBe(1000);
		expect(Object.keys(truth.byEmailStatus)).toEqual(expect.arrayContaining(['active', 'unsubscribed', 'blocked']));
	});

	test('filters are exact; unknown lists, fields and statuses are invalid_arg', async () => {
		const result = await finishedExport({ list_id: 2, email_status: 'blocked', field_names: ['email', 'email_status'] });
		const text = (await request(result.file_to_download)).body.toString('utf8');
		const lines = text.trim().split('\n').slice(1);
		expect(lines.length).toBe(sb.contactsTruth({ listId: 2, filters: { email_status: 'blocked' } }).total);
		expect(lines.every((line) => line.endsWith(',blocked'))).toBe(true);
		expect((await call('async/exportContacts', { list_id: 77 })).json).toEqual({ error: 'Argument &quot;list_id&quot;: list &quot;77&quot; not found', code: 'invalid_arg' });
		expect((await call('async/exportContacts', { field_names: ['nope'] })).json.code).toBe('invalid_arg');
		expect((await call('async/exportContacts', { field_names: 'email' })).json.code).toBe('invalid_arg');
		expect((await call('async/exportContacts', { phone_status: 'sleepy' })).json.code).toBe('invalid_arg');
	});

	test('a big list streams chunked, and download faults apply to exports too', async () => {
		sb.addList({ id: 50, size: 300000 });
		const big = await finishedExport({ list_id: 50, field_names: ['email'] });
		const file = await request(big.file_to_download);
		expect(file.headers['content-length']).toBeUndefined();
		expect(file.headers['transfer-encoding']).toBe('chunked');
		expect(file.body.toString('utf8').split('\n').length).toBe(300002);

		const small = await finishedExport({ list_id: 1 });
		sb.fault({ kind: 'truncate' });
		const cut = await request(small.file_to_download);
		expect(cut.body.length).toBeLessThan(Number(cut.headers['content-length']));
		expect((await call('getLists')).json.result).toEqual(expect.arrayContaining([{ id: 50, title: 'List 50' }]));
	});
});

describe('contact writes', () => {
	/** An importContacts call as Selzy reads it: field_names[i] and data[row][column]. */
	function importCall(fieldNames, rows, extra = {}) {
		const params = { ...extra };
		fieldNames.forEach((name, i) => (params[`field_names[${i}]`] = name));
		rows.forEach((row, r) => row.forEach((value, c) => (params[`data[${r}][${c}]`] = value)));
		return call('importContacts', params);
	}
	const contactOf = (listId, index) => require('./contacts').contactAt(7, listId, index);

	test('importContacts takes at most 500 rows, needs email or phone, and knows its fields and lists', async () => {
		const rows = (n) => Array.from({ length: n }, (_, i) => [`c${i}@example.org`]);
		expect((await importCall(['email'], rows(500))).json.result.inserted).toBe(500);
		expect((await importCall(['email'], rows(501))).json).toEqual({ error: 'Argument &quot;data&quot;: 501 contacts in one call, at most 500', code: 'invalid_arg' });
		expect((await importCall(['Имя'], [['x']])).json.error).toMatch(/must include &quot;email&quot; or &quot;phone&quot;/);
		expect((await importCall(['email', 'nickname'], [['a@example.org', 'x']])).json.error).toMatch(/unknown field &quot;nickname&quot;/);
		expect((await importCall(['email', 'email_list_ids'], [['a@example.org', '77']])).json.error).toMatch(/list &quot;77&quot; not found/);
		expect(sb.requests.at(-1).params.data).toBe('1 rows');
	});

	test('rows Selzy refuses go into log by their index; the others are counted inserted, updated or deleted', async () => {
		const existing = contactOf(1, 4).email;
		const { json } = await importCall(
			['email', 'email_status', 'tags', 'delete'],
			[
				['new@example.org', 'active', 'a', '0'],
				['info@example.org', '', '', '0'],
				[existing, '', 'b', '0'],
				['broken', '', '', '0'],
				['x@example.org', 'blocked', '', '0'],
				['y@example.org', '', 'a,b,c,d,e,f,g,h,i,j,k', '0'],
				[contactOf(1, 6).email, '', '', '1'],
			],
		);
		expect(json.result).toEqual({
			total: 7,
			inserted: 1,
			updated: 1,
			deleted: 1,
			new_emails: 1,
			invalid: 4,
			log: [
				{ index: 1, code: 'role_address', message: 'The role-based address "info@example.org" is not imported' },
				{ index: 3, code: 'invalid_email', message: 'Invalid email address "broken"' },
				{ index: 4, code: 'invalid_status', message: 'Invalid status "blocked": one of new, active, inactive, unsubscribed' },
				{ index: 5, code: 'too_many_tags', message: '11 tags, at most 10' },
			],
		});
		const emails = sb.contactsTruth({ listId: 1 }).rows.map((row) => row.email);
		expect(emails).not.toContain(contactOf(1, 6).email);
		expect(sb.contact({ email: existing }).tags.split(',')).toContain('b');
	});

	test('an existing contact’s status changes only while it is active or inactive; exports show what imports wrote', async () => {
		const index = [...Array(30).keys()].find((i) => contactOf(1, i).email_status === 'unsubscribed');
		const active = [...Array(30).keys()].find((i) => contactOf(1, i).email_status === 'active');
		await importCall(['email', 'email_status', 'Город'], [[contactOf(1, index).email, 'active', 'Riga'], [contactOf(1, active).email, 'inactive', 'Oslo']]);
		const rows = sb.contactsTruth({ listId: 1, fieldNames: ['email', 'email_status', 'Город'] }).rows;
		expect(rows[index]).toEqual({ email: contactOf(1, index).email, email_status: 'unsubscribed', Город: 'Riga' });
		expect(rows[active]).toEqual({ email: contactOf(1, active).email, email_status: 'inactive', Город: 'Oslo' });
		// Getting a contact changes nothing; the account's export lists the contacts written to.
		await call('getContact', { email: contactOf(2, 1).email });
		expect(sb.contactsTruth({}).total).toBe(40 + 2);
	});

	test('subscribe: 300 calls a minute per key, then api_call_limit_exceeded_for_api_key', async () => {
		for (let i = 0; i < 300; i++) expect((await call('subscribe', { list_ids: '1', 'fields[email]': `s${i}@example.org`, double_optin: '3' })).json.result.person_id).toBeGreaterThan(0);
		expect((await call('subscribe', { list_ids: '1', 'fields[email]': 'late@example.org' })).json.code).toBe('api_call_limit_exceeded_for_api_key');
	});

	test('exclude and unsubscribe answer {} or "not found" with an empty result; getContact puts lists and fields inside or beside email', async () => {
		const email = contactOf(1, 4).email;
		expect((await call('exclude', { contact_type: 'email', contact: email, list_ids: '1' })).json).toEqual({ result: {} });
		expect((await call('unsubscribe', { contact_type: 'email', contact: email, list_ids: '1' })).json).toEqual({
			error: `Contact &quot;${email}&quot; not found`,
			code: 'unspecified',
			result: '',
		});
		const other = contactOf(1, 6).email;
		const inside = (await call('getContact', { email: other, include_lists: 1, include_fields: 1 })).json.result;
		sb.configure({ contactAnswer: 'beside' });
		const beside = (await call('getContact', { email: other, include_lists: 1, include_fields: 1 })).json.result;
		expect(beside).toEqual({ email: { email: other, added_at: expect.any(String), status: expect.any(String), availability: expect.any(String) }, lists: inside.email.lists, fields: inside.email.fields });
		expect(inside.email.lists).toEqual([{ id: 1, status: expect.any(String), added_at: expect.any(String) }]);
	});

	test('latencyMs delays every answer; a hang fault never answers; without keepContacts imports are only counted', async () => {
		sb.configure({ latencyMs: 300 });
		const started = Date.now();
		await call('getLists');
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		sb.configure({ latencyMs: 0, keepContacts: false });
		expect((await importCall(['email'], [['gone@example.org']])).json.result.inserted).toBe(1);
		expect(sb.contact({ email: 'gone@example.org' })).toBeNull();
		sb.fault({ kind: 'hang', method: 'getLists' });
		const hung = request(`${sb.url}/en/api/getLists`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `api_key=${sb.apiKey}` });
		const first = await Promise.race([hung.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 500))]);
		expect(first).toBe('waiting');
	});
});
