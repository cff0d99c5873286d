/**
 * The transport speaks Selzy's API correctly: form POST with the key in the body, `{result}` /
 * `{error, code}` envelopes, bounded retries, and errors a user can act on.
 * A tiny probe node (probe.js) calls `selzyApiRequest` inside real n8n-core contexts against the sandbox.
 */
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { apiBaseUrl } = require('../../nodes/Selzy/transport/apiUrl.ts');
const { SelzyApi } = require('../../credentials/SelzyApi.credentials.ts');
const { TransportProbe, probeCall } = require('./probe');

const ALL_CODES = [
	'unspecified',
	'invalid_api_key',
	'access_denied',
	'unknown_method',
	'invalid_arg',
	'not_enough_money',
	'retry_later',
	'api_call_limit_exceeded_for_api_key',
	'api_call_limit_exceeded_for_ip',
];
/** What each code's hint must tell the user: the action that fits that code and no other. */
const HINT_WORDS = {
	unspecified: /its message above says what went wrong/,
	invalid_api_key: /Integrations and API/,
	access_denied: /Enable API access/,
	unknown_method: /Base URL/,
	invalid_arg: /campaign, task ID, field and date/,
	not_enough_money: /Top up the Selzy account balance/,
	retry_later: /temporarily unable/,
	api_call_limit_exceeded_for_api_key: /1200 per minute/,
	api_call_limit_exceeded_for_ip: /IP address/,
};
const RETRYABLE = new Set(['retry_later', 'api_call_limit_exceeded_for_api_key', 'api_call_limit_exceeded_for_ip']);

let sandbox;
let harness;
/** Bounds this file's calls pass to selzyApiRequest; short delays, reset before each test. */
let retry;

async function call(method, params = {}, { startsWork = false, abortSignal, apiKey } = {}) {
	const h = apiKey
		? await createHarness({ credentials: { selzyApi: { apiKey, baseUrl: sandbox.url, language: 'en' } } })
		: harness;
	try {
		return await h.runExecute(TransportProbe, {
			parameters: probeCall(method, { params, startsWork, retry }),
			abortSignal,
		});
	} finally {
		if (apiKey) await h.close();
	}
}

const apiCalls = (method) => sandbox.requests.filter((r) => r.apiMethod === method);

/** Every text n8n would store or show for an error. */
function errorTexts(error) {
	return JSON.stringify({
		message: error.message,
		description: error.description,
		context: error.context,
		errorResponse: error.errorResponse,
		stack: error.stack,
	});
}

beforeAll(async () => {
	sandbox = await createSandbox({ port: 0 });
	harness = await createHarness({
		credentials: { selzyApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, language: 'en' } },
	});
});

afterAll(async () => {
	await harness?.close();
	await sandbox?.close();
});

beforeEach(() => {
	sandbox.reset();
	retry = { baseDelayMs: 20, maxDelayMs: 100 };
});

describe('requests on the wire', () => {
	test('a call is a form POST to {baseUrl}/{lang}/api/{method} with format=json and the key only in the body', async () => {
		const run = await call('getFields');
		expect(run.status).toBe('success');
		expect(run.output[0][0].json.result.map((f) => f.id)).toContain(101);

		const [request] = apiCalls('getFields');
		expect(request.httpMethod).toBe('POST');
		expect(request.path).toBe('/en/api/getFields');
		expect(request.contentType).toMatch(/application\/x-www-form-urlencoded/);
		expect(request.params.format).toBe('json');
		expect(request.apiKeyPresent).toBe(true);
		expect(request.keyInUrl).toBe(false);
		expect(request.acceptEncoding).toMatch(/gzip/);
	});

	test('arrays travel PHP-style, so Selzy reads field_ids as a list', async () => {
		const run = await call('async/getCampaignDeliveryStats', { campaign_id: 1001, field_ids: ['101', '103'] });
		expect(run.status).toBe('success');
		expect(apiCalls('async/getCampaignDeliveryStats')[0].params.field_ids).toEqual(['101', '103']);
	});

	test('a base URL pasted with a trailing slash or /en/api still reaches the API', () => {
		expect(apiBaseUrl({ baseUrl: 'https://api.selzy.com/', language: 'ru' })).toBe('https://api.selzy.com/ru/api');
		expect(apiBaseUrl({ baseUrl: 'https://api.selzy.com/en/api', language: 'en' })).toBe('https://api.selzy.com/en/api');
		expect(apiBaseUrl({ baseUrl: '', language: '' })).toBe('https://api.selzy.com/en/api');
	});
});

describe('Selzy errors become n8n errors a user can act on', () => {
	const CODES_IN_SELZYS_WORDS = ALL_CODES.filter((code) => code !== 'invalid_api_key');
	test.each(CODES_IN_SELZYS_WORDS)('%s carries Selzy’s code, its message and a hint', async (code) => {
		retry.maxAttempts = 1;
		sandbox.fault({ kind: 'code', code, message: `Problem "${code}" here` });
		const run = await call('getLists');
		expect(run.status).toBe('error');
		expect(run.error.name).toBe('NodeApiError');
		expect(run.error.message).toContain(`(${code})`);
		expect(run.error.message).toContain(`Problem "${code}" here`); // HTML entities decoded
		expect(run.error.description).toMatch(HINT_WORDS[code]);
	});

	test('a bad key is said to be not valid, and where to get a new one is said once, with →', async () => {
		const run = await call('getLists', {}, { apiKey: 'wrong-key-0000' });
		expect(run.error.message).toBe('Selzy getLists: the API key is not valid (invalid_api_key)');
		expect(run.error.description).toBe(
			'Check the API key in the Selzy credential: copy it again from Selzy under Settings → Integrations and API.',
		);
		// n8n shows both texts; Selzy's own text (which gives the same advice as "Settings > …") is not among them.
		expect(`${run.error.message} ${run.error.description}`.match(/Integrations and API/g)).toHaveLength(1);
	});

	test('an HTML 502 page from a proxy gives a readable error with the status, not a JSON parse failure', async () => {
		retry.maxAttempts = 2;
		sandbox.fault({ kind: 'html502', times: 2 });
		const run = await call('getLists');
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/HTTP 502/);
		expect(run.error.message).toMatch(/HTML page/);
		expect(run.error.message).not.toMatch(/Unexpected token|JSON\.parse|SyntaxError/);
		expect(apiCalls('getLists')).toHaveLength(2);
	});

	test('an empty answer is reported as such', async () => {
		retry.maxAttempts = 1;
		sandbox.fault({ kind: 'empty' });
		const run = await call('getLists');
		expect(run.error.message).toMatch(/empty answer/);
	});
});

describe('retries', () => {
	test.each([...RETRYABLE])('%s is retried with backoff until it succeeds', async (code) => {
		sandbox.fault({ kind: 'code', code, times: 2 });
		const run = await call('getLists');
		expect(run.status).toBe('success');
		expect(apiCalls('getLists')).toHaveLength(3);
	});

	test.each([429, 500, 503])('HTTP %i is retried', async (status) => {
		sandbox.fault({ kind: 'http', status, times: 1 });
		const run = await call('getLists');
		expect(run.status).toBe('success');
		expect(apiCalls('getLists')).toHaveLength(2);
	});

	test('a dropped connection is retried for a read-only call', async () => {
		sandbox.fault({ kind: 'drop', method: 'async/getTaskResult', times: 1 });
		const start = await call('async/getCampaignDeliveryStats', { campaign_id: 1001 }, { startsWork: true });
		const uuid = start.output[0][0].json.result.task_uuid;
		const run = await call('async/getTaskResult', { task_uuid: uuid });
		expect(run.status).toBe('success');
		expect(apiCalls('async/getTaskResult')).toHaveLength(2);
	});

	test('retries are bounded: a lasting rate limit ends after maxAttempts with the count in the message', async () => {
		retry.maxAttempts = 4;
		sandbox.fault({ kind: 'code', code: 'api_call_limit_exceeded_for_ip', times: 10 });
		const run = await call('getLists');
		expect(run.status).toBe('error');
		expect(apiCalls('getLists')).toHaveLength(4);
		expect(run.error.message).toMatch(/after 4 attempts/);
	});

	test('retries are bounded in total time as well', async () => {
		Object.assign(retry, { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 100, maxTotalMs: 350 });
		sandbox.fault({ kind: 'code', code: 'retry_later', times: 50 });
		const started = Date.now();
		const run = await call('getLists');
		expect(run.status).toBe('error');
		expect(Date.now() - started).toBeLessThan(2000);
		expect(apiCalls('getLists').length).toBeLessThan(10);
	});

	test.each(['invalid_api_key', 'access_denied', 'invalid_arg', 'unknown_method', 'not_enough_money'])(
		'%s is never retried',
		async (code) => {
			sandbox.fault({ kind: 'code', code, times: 3 });
			const run = await call('getLists');
			expect(run.status).toBe('error');
			expect(apiCalls('getLists')).toHaveLength(1);
		},
	);

	test('a report request whose connection broke after Selzy processed it is not sent again (no second task)', async () => {
		sandbox.fault({ kind: 'dropAfterProcessing', method: 'async/getCampaignDeliveryStats' });
		const run = await call('async/getCampaignDeliveryStats', { campaign_id: 1001 }, { startsWork: true });
		expect(run.status).toBe('error');
		expect(run.error.description).toMatch(/may already have started/);
		expect(sandbox.tasks).toHaveLength(1);
		expect(apiCalls('async/getCampaignDeliveryStats')).toHaveLength(1);
	});

	test('a report request answered with retry_later or HTTP 503 is sent again (Selzy did not take it)', async () => {
		sandbox.fault({ kind: 'code', code: 'retry_later', method: 'async/getCampaignDeliveryStats' });
		sandbox.fault({ kind: 'http', status: 503, method: 'async/getCampaignDeliveryStats' });
		const run = await call('async/getCampaignDeliveryStats', { campaign_id: 1001 }, { startsWork: true });
		expect(run.status).toBe('success');
		expect(apiCalls('async/getCampaignDeliveryStats')).toHaveLength(3);
		expect(sandbox.tasks).toHaveLength(1);
	});

	test('a refused connection is retried even for a report request, since nothing was sent', async () => {
		const refused = await createHarness({
			credentials: { selzyApi: { apiKey: sandbox.apiKey, baseUrl: 'http://127.0.0.1:9', language: 'en' } },
		});
		try {
			retry.maxAttempts = 3;
			const run = await refused.runExecute(TransportProbe, {
				parameters: probeCall('async/getCampaignDeliveryStats', { params: { campaign_id: 1 }, startsWork: true, retry }),
			});
			expect(run.status).toBe('error');
			expect(run.error.message).toMatch(/connection was refused/);
			expect(run.error.message).toMatch(/after 3 attempts/);
		} finally {
			await refused.close();
		}
	});

	test('cancelling the execution ends a retry wait at once', async () => {
		Object.assign(retry, { maxAttempts: 5, baseDelayMs: 20_000, maxDelayMs: 20_000, maxTotalMs: 600_000 });
		sandbox.fault({ kind: 'code', code: 'retry_later', times: 5 });
		const controller = new AbortController();
		const started = Date.now();
		const running = call('getLists', {}, { abortSignal: controller.signal });
		while (apiCalls('getLists').length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		await new Promise((resolve) => setTimeout(resolve, 100));
		controller.abort();
		const run = await running;
		expect(run.status).not.toBe('success');
		expect(Date.now() - started).toBeLessThan(3000);
		expect(apiCalls('getLists')).toHaveLength(1);
	});
});

describe('the API key stays secret', () => {
	test('no URL the sandbox saw carried the key, over a run of successes and failures', async () => {
		retry.maxAttempts = 2;
		await call('getLists');
		sandbox.fault({ kind: 'code', code: 'retry_later' });
		await call('getFields');
		await call('getLists', {}, { apiKey: 'another-secret-key-1234' });
		expect(sandbox.requests.length).toBeGreaterThanOrEqual(4);
		expect(sandbox.requests.every((r) => r.keyInUrl === false)).toBe(true);
	});

	test('an error message that echoes the key never shows it', async () => {
		retry.maxAttempts = 1;
		sandbox.fault({ kind: 'code', code: 'invalid_arg', message: `bad request with api_key=${sandbox.apiKey}` });
		const run = await call('getLists');
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/\*\*\*/);
		expect(errorTexts(run.error)).not.toContain(sandbox.apiKey);
	});

	test('network failures do not carry the request (whose body holds the key) into the error', async () => {
		retry.maxAttempts = 1;
		sandbox.fault({ kind: 'drop' });
		const run = await call('getLists');
		expect(run.status).toBe('error');
		expect(errorTexts(run.error)).not.toContain(sandbox.apiKey);
		expect(run.error.cause).toBeUndefined();
	});

	test('nothing the node logged contains the key', async () => {
		retry.maxAttempts = 3;
		sandbox.fault({ kind: 'code', code: 'retry_later', times: 2, message: `echo ${sandbox.apiKey}` });
		await call('getLists');
		expect(JSON.stringify(harness.logs)).not.toContain(sandbox.apiKey);
	});
});

describe('credential test', () => {
	test('a good key passes', async () => {
		const result = await harness.runCredentialTest(SelzyApi, {
			apiKey: sandbox.apiKey,
			baseUrl: sandbox.url,
			language: 'en',
		});
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(apiCalls('getLists')).toHaveLength(1);
		expect(apiCalls('getLists')[0].keyInUrl).toBe(false);
	});

	test('a wrong key fails with the invalid-key verdict', async () => {
		const result = await harness.runCredentialTest(SelzyApi, {
			apiKey: 'not-a-real-key',
			baseUrl: `${sandbox.url}/`,
			language: 'en',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/invalid_api_key/);
	});

	test.each([
		['as shown', (url) => url, 'en'],
		['with a trailing slash', (url) => `${url}/`, 'en'],
		['pasted with /en/api', (url) => `${url}/en/api`, 'en'],
		['pasted with /ru/api/ for Russian', (url) => `${url}/ru/api/`, 'ru'],
	])('Test calls the same address as the nodes do, with the Base URL %s', async (_, baseUrlOf, language) => {
		const credentials = { apiKey: sandbox.apiKey, baseUrl: baseUrlOf(sandbox.url), language };
		const result = await harness.runCredentialTest(SelzyApi, credentials);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const [request] = apiCalls('getLists');
		expect(request.path).toBe(`/${language}/api/getLists`);
		expect(`${sandbox.url}${request.path}`).toBe(`${apiBaseUrl(credentials)}/getLists`);
	});

	test('a key without API access fails with the access-denied verdict', async () => {
		const result = await harness.runCredentialTest(SelzyApi, {
			apiKey: sandbox.accessDeniedKey,
			baseUrl: sandbox.url,
			language: 'en',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/access_denied/);
	});
});
