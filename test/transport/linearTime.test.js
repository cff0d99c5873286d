'use strict';
// Checks of outside input take time in proportion to it: a hostile link, callback or Base URL
// built to make a pattern backtrack (long runs of one character) costs milliseconds, not the
// seconds of a frozen event loop. The inputs are sized like the real bounds: a callback body of
// up to 64 KB, a Base URL of the same size.

const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { classifyHost } = require('../../nodes/Selzy/transport/addresses.ts');
const { apiBaseUrl } = require('../../nodes/Selzy/transport/apiUrl.ts');
const { SelzyApi } = require('../../credentials/SelzyApi.credentials.ts');

/** Far above what a linear scan of 64 KB takes, far below what the quadratic patterns took (seconds). */
const BOUND_MS = 250;
const RUN = 63_000;

function millisecondsOf(work) {
	const started = process.hrtime.bigint();
	const result = work();
	return { result, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

describe('the download guard classifies a hostile host at once', () => {
	test('a host of 63,000 dots between two labels (a forged callback’s link)', () => {
		const host = new URL(`https://a${'.'.repeat(RUN)}b/report.csv`).hostname;
		const { result, ms } = millisecondsOf(() => classifyHost(host));
		expect(result).toBe('public');
		expect(ms).toBeLessThan(BOUND_MS);
	});

	test('trailing dots are still ignored, so localhost. is this machine', () => {
		expect(classifyHost(`localhost${'.'.repeat(RUN)}`)).toBe('loopback');
		expect(classifyHost('files.example.com...')).toBe('public');
	});

	test('an IPv6 text with a long zone of percent signs', () => {
		const { result, ms } = millisecondsOf(() => classifyHost(`[::1${'%'.repeat(RUN)}\n]`));
		expect(result).toBe('loopback');
		expect(ms).toBeLessThan(BOUND_MS);
	});
});

describe('the Base URL is read at once however it is written', () => {
	test.each([
		['a run of slashes inside it', `https://api.selzy.com${'/'.repeat(RUN)}x`, `https://api.selzy.com${'/'.repeat(RUN)}x/en/api`],
		['a run of slashes at its end', `https://api.selzy.com${'/'.repeat(RUN)}`, 'https://api.selzy.com/en/api'],
		['pasted /en/api pieces between slashes', `https://api.selzy.com${'/en/api//'.repeat(RUN / 9)}x`, undefined],
	])('%s', (_name, baseUrl, expected) => {
		const { result, ms } = millisecondsOf(() => apiBaseUrl({ baseUrl, language: 'en' }));
		if (expected !== undefined) expect(result).toBe(expected);
		expect(ms).toBeLessThan(BOUND_MS);
	});

	test('a pasted /ru/api/ with its slashes is still dropped', () => {
		expect(apiBaseUrl({ baseUrl: 'https://api.selzy.com//ru/api///', language: 'en' })).toBe('https://api.selzy.com/en/api');
	});

	describe('the credential’s Test builds the same address in n8n’s expression engine', () => {
		let sandbox;
		let harness;
		beforeAll(async () => {
			sandbox = await createSandbox({ port: 0 });
			harness = await createHarness();
		});
		afterAll(async () => {
			await harness?.close();
			await sandbox?.close();
		});

		test('a Base URL with 63,000 slashes in it is tested without freezing n8n', async () => {
			const started = Date.now();
			const result = await harness.runCredentialTest(SelzyApi, {
				apiKey: sandbox.apiKey,
				baseUrl: `${sandbox.url}${'/'.repeat(RUN)}x`,
				language: 'en',
			});
			expect(result.status).toBe('Error'); // the sandbox has nothing at that path
			expect(Date.now() - started).toBeLessThan(4 * BOUND_MS);
		});

		test('trailing slashes are dropped there too, so Test reaches the API', async () => {
			const result = await harness.runCredentialTest(SelzyApi, {
				apiKey: sandbox.apiKey,
				baseUrl: `${sandbox.url}${'/'.repeat(RUN)}`,
				language: 'en',
			});
			expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		});
	});
});
