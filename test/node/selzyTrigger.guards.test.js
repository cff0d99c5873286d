'use strict';
// What the Selzy Trigger refuses or ignores before anything runs: secrets, unsafe links without
// verification, other task types, unfinished tasks, bodies that are not Selzy callbacks. Plus the
// webhook lifecycle methods, which have nothing to register at Selzy.

const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { startRecorder, completedTask, selzyCalls, randomTaskUuid, startedItems } = require('./trigger-support');

let sb;
let harness;
let recorder;
let sandboxCredential;

beforeAll(async () => {
	sb = await createSandbox({ seed: 12 });
	sandboxCredential = { apiKey: sb.apiKey, baseUrl: sb.url, language: 'en' };
	harness = await createHarness({ credentials: { selzyApi: sandboxCredential } });
	recorder = await startRecorder();
});
afterAll(async () => {
	await harness.close();
	await recorder.close();
	await sb.close();
});
beforeEach(() => {
	sb.reset();
	recorder.requests.length = 0;
	harness.setStaticData(SelzyTrigger, undefined);
});

/** A callback body as Selzy sends it, for a fresh task id. */
const callback = (fields = {}) => ({
	result: { task_uuid: randomTaskUuid(), task_type: 'getCampaignDeliveryStats', status: 'completed', ...fields },
});

const post = (parameters, request) => harness.runWebhook(SelzyTrigger, { parameters, request });

describe('shared secret', () => {
	const parameters = { token: 'n0t-guessable', output: 'task' };

	test('a callback without the token or with a wrong one gets 401 and never reaches Selzy', async () => {
		const task = await completedTask(sb);
		const before = sb.requests.length;
		for (const query of [undefined, { token: 'wrong' }, { token: 'n0t-guessable-but-longer' }, { token: '' }]) {
			const call = await post(parameters, { query, body: { result: task } });
			expect(call.response.statusCode).toBe(401);
			expect(call.response.body).toEqual({ error: 'Missing or wrong token' });
			expect(startedItems(call)).toBeUndefined();
		}
		expect(sb.requests.length).toBe(before);
	});

	test('a callback carrying the right token is verified and starts the workflow', async () => {
		const task = await completedTask(sb);
		const call = await post(parameters, { query: { token: 'n0t-guessable' }, body: { result: task } });
		expect(call.response.statusCode).toBe(200);
		expect(startedItems(call)[0].json).toMatchObject({ task_uuid: task.task_uuid, status: 'completed' });
	});
});

describe('without verification', () => {
	const parameters = { verify: false, output: 'file' };

	test('downloads the callback’s own http link when the credential’s API is plain http (local test server)', async () => {
		const link = `${recorder.url}/files/report.csv`;
		const call = await post(parameters, { body: callback({ file_to_download: link }) });
		expect(call.response.statusCode).toBe(200);
		expect(recorder.requests).toEqual([expect.objectContaining({ method: 'GET', url: '/files/report.csv' })]);
		expect(sb.requests).toHaveLength(0); // nothing asked of Selzy
		const [item] = startedItems(call);
		expect(item.json.file_to_download).toBe(link);
		expect(harness.binaries(item).data.text()).toContain('forged@example.com,ok_read');
	});

	describe('with an https Selzy API in the credential', () => {
		beforeAll(() => harness.credentialsHelper.setCredential('selzyApi', { ...sandboxCredential, baseUrl: 'https://api.selzy.invalid' }, { id: 'cred-https-api' }));
		afterAll(() => harness.credentialsHelper.setCredential('selzyApi', sandboxCredential));

		test.each([
			['an http link', () => `${recorder.url}/files/report.csv`, 'file_to_download points to 127.0.0.1, an address of this n8n server'],
			['a file: link', () => 'file:///etc/passwd', 'file_to_download must be an https link'],
			['something that is not a URL', () => 'report.csv', 'file_to_download is not a URL'],
		])('refuses %s with 400 and sends no request anywhere', async (_name, link, message) => {
			const call = await post(parameters, { body: callback({ file_to_download: link() }) });
			expect(call.response.statusCode).toBe(400);
			expect(call.response.body).toEqual({ error: message });
			expect(startedItems(call)).toBeUndefined();
			expect(recorder.requests).toHaveLength(0);
			expect(sb.requests).toHaveLength(0);
		});
	});
});

describe('task types', () => {
	const exportDone = () => callback({ task_type: 'exportContacts' });

	test('a finished contact export is acknowledged with 200 but starts nothing by default', async () => {
		const call = await post({ verify: false, output: 'task' }, { body: exportDone() });
		expect(call.response.statusCode).toBe(200);
		expect(call.response.body).toEqual({ received: true, ignored: 'task type exportContacts' });
		expect(startedItems(call)).toBeUndefined();
	});

	test('a type the package does not know is ignored, also when Task Types name another unknown type', async () => {
		// Task Types from an expression can name a type this package has no kind for.
		const body = callback({ task_type: 'somethingElseEntirely' });
		const call = await post({ verify: false, output: 'task', taskTypes: ['getCampaignDeliveryStats', 'importContacts'] }, { body });
		expect(call.response.statusCode).toBe(200);
		expect(call.response.body).toEqual({ received: true, ignored: 'task type somethingElseEntirely' });
		expect(startedItems(call)).toBeUndefined();
	});

	test.each([[['*']], [['exportContacts']], [['getCampaignDeliveryStats', 'exportContacts']]])(
		'with Task Types %j a contact export starts the workflow',
		async (taskTypes) => {
			const body = exportDone();
			const call = await post({ verify: false, output: 'task', taskTypes }, { body });
			expect(call.response.statusCode).toBe(200);
			expect(startedItems(call).map((item) => item.json)).toEqual([body.result]);
		},
	);

	test('only contact exports wanted: a delivery report is acknowledged and ignored', async () => {
		const call = await post({ verify: false, output: 'task', taskTypes: ['exportContacts'] }, { body: callback() });
		expect(call.response.body).toEqual({ received: true, ignored: 'task type getCampaignDeliveryStats' });
		expect(startedItems(call)).toBeUndefined();
	});
});

describe('tasks that are not completed', () => {
	const processing = () => callback({ status: 'processing', file_to_download: `${recorder.url}/partial.csv` });

	test('are acknowledged with 200 and ignored by default', async () => {
		const call = await post({ verify: false, output: 'file' }, { body: processing() });
		expect(call.response.statusCode).toBe(200);
		expect(call.response.body).toEqual({ received: true, ignored: 'status processing' });
		expect(startedItems(call)).toBeUndefined();
		expect(recorder.requests).toHaveLength(0);
	});

	test('with Include Unfinished Tasks start the workflow with their status and no download', async () => {
		const body = processing();
		const call = await post({ verify: false, output: 'file', includeUnfinished: true }, { body });
		expect(call.response.statusCode).toBe(200);
		const [item] = startedItems(call);
		expect(item.json).toMatchObject({ task_uuid: body.result.task_uuid, status: 'processing' });
		expect(item.binary).toBeUndefined();
		expect(recorder.requests).toHaveLength(0);
	});
});

describe('bodies that are not Selzy callbacks get 400 and start nothing', () => {
	const big = JSON.stringify({ ...callback(), padding: 'x'.repeat(64 * 1024) });
	test.each([
		['text/plain garbage', { 'content-type': 'text/plain' }, 'hello, is it me you are looking for?', /not JSON or form data/],
		['an empty body', { 'content-type': 'application/json' }, '', /not JSON or form data/],
		['a JSON array', { 'content-type': 'application/json' }, '[{"task_uuid":"x"}]', /not JSON or form data/],
		['bytes of an unknown type', { 'content-type': 'application/octet-stream' }, Buffer.from([0, 159, 146, 150]), /not JSON or form data/],
		['JSON without "result"', {}, JSON.stringify({ task_uuid: randomTaskUuid(), status: 'completed' }), /no "result" object/],
		['a result without task_uuid', {}, JSON.stringify({ result: { status: 'completed' } }), /no result\.task_uuid/],
		['a form without task_uuid', { 'content-type': 'application/x-www-form-urlencoded' }, 'result[status]=completed', /no result\.task_uuid/],
		['a malformed task_uuid', {}, JSON.stringify({ result: { task_uuid: '../../admin', status: 'completed' } }), /not a task ID/],
		['a body over 64 KiB', {}, big, /\d+ bytes; a Selzy callback is much smaller/],
	])('%s', async (_name, headers, rawBody, message) => {
		const call = await post({}, { headers: { 'content-type': 'application/json', ...headers }, rawBody });
		expect(call.response.statusCode).toBe(400);
		expect(call.response.answeredBy).toBe('node');
		expect(call.response.body.error).toMatch(/^Not a Selzy callback: /);
		expect(call.response.body.error).toMatch(message);
		expect(startedItems(call)).toBeUndefined();
		expect(sb.requests).toHaveLength(0);
	});
});

describe('a body nested thousands of levels deep', () => {
	test.each([[true], [false]])('gets 400 and starts nothing (Verify With Selzy %s)', async (verify) => {
		const task = await completedTask(sb);
		const depth = 30_000;
		const rawBody = `{"result":{"task_uuid":"${task.task_uuid}","status":"completed","extra":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
		const before = sb.requests.length;
		const call = await post({ verify, output: 'task' }, { headers: { 'content-type': 'application/json' }, rawBody });
		expect(call.error).toBeUndefined();
		expect(call.response.statusCode).toBe(400);
		expect(call.response.body).toEqual({ error: 'Not a Selzy callback: The body is nested more than 32 levels deep' });
		expect(startedItems(call)).toBeUndefined();
		expect(sb.requests.length).toBe(before);
	});
});

describe('every callback shape Selzy’s lineage uses is verified and starts the workflow', () => {
	const form = { 'content-type': 'application/x-www-form-urlencoded' };
	test.each([
		['JSON inside a form field named "data"', (task) => `data=${encodeURIComponent(JSON.stringify({ result: task }))}`],
		['JSON of the task alone in a field named "payload"', (task) => `payload=${encodeURIComponent(JSON.stringify(task))}`],
		['JSON in one field among others', (task) => `source=selzy&notification=${encodeURIComponent(JSON.stringify({ result: task }))}&attempt=1`],
		['a JSON body sent with the form content type', (task) => JSON.stringify({ result: task })],
		['flat form keys', (task) => `result%5Btask_uuid%5D=${task.task_uuid}&result%5Bstatus%5D=completed`],
	])('%s', async (_name, bodyFor) => {
		const task = await completedTask(sb);
		const call = await post({ output: 'task' }, { headers: form, rawBody: bodyFor(task) });
		expect(call.response.statusCode).toBe(200);
		expect(startedItems(call)[0].json).toMatchObject({ task_uuid: task.task_uuid, status: 'completed', file_to_download: task.file_to_download });
		expect(selzyCalls(sb, 'async/getTaskResult').at(-1).params.task_uuid).toBe(task.task_uuid);
	});
});

describe('bodies n8n cannot parse but that are Selzy callbacks', () => {
	test.each([
		['an unusual JSON content type', { 'content-type': 'application/vnd.selzy+json' }],
		['no content type at all', {}],
		['text/plain', { 'content-type': 'text/plain; charset=utf-8' }],
	])('%s: read from the raw bytes and verified', async (_name, headers) => {
		const task = await completedTask(sb);
		const call = await post({ output: 'task' }, { headers, rawBody: Buffer.from(JSON.stringify({ result: task })) });
		expect(call.request.headers['content-type']).toBe(headers['content-type']);
		expect(call.request.body === undefined || typeof call.request.body === 'string').toBe(true);
		expect(call.response.statusCode).toBe(200);
		expect(startedItems(call)[0].json).toMatchObject({ task_uuid: task.task_uuid, status: 'completed' });
	});

	test('a form posted with an unknown content type is read from the raw bytes too', async () => {
		const task = await completedTask(sb);
		const rawBody = `result%5Btask_uuid%5D=${task.task_uuid}&result%5Bstatus%5D=completed`;
		const call = await post({ output: 'task' }, { headers: { 'content-type': 'application/x-selzy-form' }, rawBody });
		expect(call.response.statusCode).toBe(200);
		expect(startedItems(call)[0].json.task_uuid).toBe(task.task_uuid);
	});
});

describe('webhook lifecycle', () => {
	test('the Production URL is the trigger’s own path, ready to paste as Notify URL', async () => {
		const hook = await harness.startWebhook(SelzyTrigger);
		expect(hook.url()).toMatch(/\/webhook\/[0-9a-f-]{36}\/selzy$/);
		await hook.close();
	});
});
