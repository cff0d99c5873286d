'use strict';
/**
 * Proves the harness: a throwaway node and trigger (defined below, not part of
 * the package) run inside n8n-core's contexts against a tiny local HTTP server,
 * over real sockets.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { NodeOperationError } = require('n8n-workflow');
const { createHarness } = require('./index');

// ---------------------------------------------------------------------------
// A tiny stand-in server: records every request and answers per path.
// ---------------------------------------------------------------------------

const CSV_ROWS = 5000;
const CSV = ['email,status', ...Array.from({ length: CSV_ROWS }, (_, i) => `user${i}@example.com,delivered`)].join('\n');

function startServer() {
	const requests = [];
	const slowSockets = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const record = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() };
			requests.push(record);
			route(record, req, res);
		});
	});

	function route(record, req, res) {
		const form = new URLSearchParams(record.body);
		const json = (status, body) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (record.url === '/en/api/exportReport') {
			return json(200, { result: { campaign_id: form.get('campaign_id'), key_seen: form.get('api_key') } });
		}
		if (record.url === '/en/api/getLists') {
			if (!['good-key', 'secret-key'].includes(form.get('api_key'))) {
				return json(200, { error: 'Invalid API key', code: 'invalid_api_key' });
			}
			return json(200, { result: [{ id: 1, title: 'Newsletter' }, { id: 2, title: 'Promo' }] });
		}
		if (record.url === '/en/api/broken') return json(500, { error: 'boom' });
		if (record.url === '/en/api/remember') return json(200, { result: { remembered: form.get('notify_url') } });
		if (record.url === '/download/report.csv') {
			res.writeHead(200, { 'content-type': 'text/csv' });
			// Several writes so the body really arrives as a stream.
			const lines = CSV.split('\n');
			const step = 1000;
			for (let i = 0; i < lines.length; i += step) {
				res.write(lines.slice(i, i + step).join('\n') + (i + step < lines.length ? '\n' : ''));
			}
			return res.end();
		}
		if (record.url === '/en/api/slow') {
			// Headers now, body never: only an abort can end this request.
			res.writeHead(200, { 'content-type': 'application/json' });
			res.write('{"partial":');
			const entry = { closed: false };
			req.socket.on('close', () => (entry.closed = true));
			slowSockets.push(entry);
			return undefined;
		}
		return json(404, { error: 'not found' });
	}

	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			resolve({
				url: `http://127.0.0.1:${server.address().port}`,
				requests,
				slowSockets,
				close: () => {
					server.closeAllConnections();
					return new Promise((done) => server.close(done));
				},
			});
		});
	});
}

// ---------------------------------------------------------------------------
// Throwaway nodes exercising each capability.
// ---------------------------------------------------------------------------

class HarnessProbe {
	description = {
		displayName: 'Harness Probe',
		name: 'harnessProbe',
		group: ['transform'],
		version: 1,
		description: 'Test-only node',
		defaults: { name: 'Harness Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'selzyApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Auth Post', value: 'authPost' },
					{ name: 'Download', value: 'download' },
					{ name: 'Read Back', value: 'readBack' },
					{ name: 'Slow', value: 'slow' },
					{ name: 'Broken', value: 'broken' },
					{ name: 'Dedup', value: 'dedup' },
					{ name: 'Context', value: 'context' },
				],
				default: 'authPost',
			},
			{ displayName: 'Campaign ID', name: 'campaignId', type: 'number', default: 0 },
			{ displayName: 'List', name: 'list', type: 'resourceLocator', default: { mode: 'list', value: '' }, modes: [
				{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchLists' } },
				{ displayName: 'ID', name: 'id', type: 'string' },
			] },
		],
	};

	methods = {
		listSearch: {
			async searchLists(filter) {
				const { baseUrl } = await this.getCredentials('selzyApi');
				const response = await this.helpers.httpRequestWithAuthentication.call(this, 'selzyApi', {
					method: 'POST',
					url: `${baseUrl}/en/api/getLists`,
					headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
					body: { format: 'json' },
				});
				const results = response.result
					.filter((list) => !filter || list.title.toLowerCase().includes(filter.toLowerCase()))
					.map((list) => ({ name: list.title, value: String(list.id) }));
				return { results };
			},
		},
		loadOptions: {
			async getOperationsCount() {
				return [{ name: `current operation: ${this.getCurrentNodeParameter('operation')}`, value: 1 }];
			},
		},
	};

	async execute() {
		const operation = this.getNodeParameter('operation', 0);
		const items = this.getInputData();
		const { baseUrl } = await this.getCredentials('selzyApi');
		const out = [];
		for (let i = 0; i < items.length; i++) {
			try {
				out.push(await HarnessProbe.runOne.call(this, operation, i, items[i], baseUrl));
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: error.message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}

	static async runOne(operation, i, item, baseUrl) {
		if (operation === 'authPost') {
			const response = await this.helpers.httpRequestWithAuthentication.call(this, 'selzyApi', {
				method: 'POST',
				url: `${baseUrl}/en/api/exportReport`,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: { campaign_id: this.getNodeParameter('campaignId', i) },
			});
			return { json: response, pairedItem: { item: i } };
		}
		if (operation === 'download') {
			const response = await this.helpers.httpRequest({
				method: 'GET',
				url: `${baseUrl}/download/report.csv`,
				encoding: 'stream',
				returnFullResponse: true,
				abortSignal: this.getExecutionCancelSignal(),
			});
			const binary = await this.helpers.prepareBinaryData(response.body, 'r.csv', 'text/csv');
			return { json: { statusCode: response.statusCode }, binary: { data: binary }, pairedItem: { item: i } };
		}
		if (operation === 'readBack') {
			const stream = await this.helpers.getBinaryStream(item.binary.data.id);
			let bytes = 0;
			for await (const chunk of stream) bytes += chunk.length;
			const metadata = await this.helpers.getBinaryMetadata(item.binary.data.id);
			return { json: { bytes, metadata }, pairedItem: { item: i } };
		}
		if (operation === 'slow') {
			// httpRequestWithAuthentication sets abortSignal to the execution's cancel signal.
			const response = await this.helpers.httpRequestWithAuthentication.call(this, 'selzyApi', {
				method: 'POST',
				url: `${baseUrl}/en/api/slow`,
				body: {},
			});
			return { json: { response }, pairedItem: { item: i } };
		}
		if (operation === 'broken') {
			await this.helpers.httpRequestWithAuthentication.call(this, 'selzyApi', {
				method: 'POST',
				url: `${baseUrl}/en/api/broken`,
				body: {},
			});
			throw new NodeOperationError(this.getNode(), 'unreachable');
		}
		if (operation === 'dedup') {
			const staticData = this.getWorkflowStaticData('node');
			const seen = new Set(staticData.seen ?? []);
			const id = item.json.id;
			const isNew = !seen.has(id);
			seen.add(id);
			staticData.seen = [...seen];
			return { json: { id, isNew }, pairedItem: { item: i } };
		}
		// 'context': expression resolution, timezone, cancel signal, logger.
		this.logger.info('probe context', { item: i });
		return {
			json: {
				campaignId: this.getNodeParameter('campaignId', i),
				timezone: this.getTimezone(),
				hasCancelSignal: this.getExecutionCancelSignal() instanceof AbortSignal,
				mode: this.getMode(),
			},
			pairedItem: { item: i },
		};
	}
}

class HarnessProbeTrigger {
	description = {
		displayName: 'Harness Probe Trigger',
		name: 'harnessProbeTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Test-only trigger',
		defaults: { name: 'Harness Probe Trigger' },
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'selzyApi', required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'selzy-callback' },
		],
		properties: [
			{ displayName: 'Answer Myself', name: 'answerMyself', type: 'boolean', default: false },
			{ displayName: 'Claim No Response', name: 'claimNoResponse', type: 'boolean', default: true },
		],
	};

	webhookMethods = {
		default: {
			async checkExists() {
				return this.getWorkflowStaticData('node').registeredUrl === this.getNodeWebhookUrl('default');
			},
			async create() {
				this.getWorkflowStaticData('node').registeredUrl = this.getNodeWebhookUrl('default');
				return true;
			},
			async delete() {
				delete this.getWorkflowStaticData('node').registeredUrl;
				return true;
			},
		},
	};

	async webhook() {
		const req = this.getRequestObject();
		const body = this.getBodyData();
		if (this.getHeaderData()['x-fail'] === 'yes') throw new Error('webhook failed on purpose');
		const staticData = this.getWorkflowStaticData('node');
		staticData.calls = (staticData.calls ?? 0) + 1;

		const json = {
			body: body ?? null,
			query: this.getQueryData(),
			contentType: req.contentType ?? null,
			rawBodyLength: req.rawBody?.length ?? null,
			credentialKey: (await this.getCredentials('selzyApi')).apiKey,
		};
		const item = { json };
		if (req.contentType === 'text/csv') {
			item.binary = { data: await this.helpers.prepareBinaryData(req.rawBody, 'callback.csv', 'text/csv') };
		}
		if (this.getNodeParameter('answerMyself')) {
			this.getResponseObject().status(202).json({ accepted: true });
			if (!this.getNodeParameter('claimNoResponse')) return { workflowData: [[item]] };
			return { noWebhookResponse: true, workflowData: [[item]] };
		}
		return { workflowData: [[item]], webhookResponse: { received: true } };
	}
}

/** Waits in execute() and is resumed by a POST to its resume URL (restartWebhook). */
class HarnessWaiter {
	description = {
		displayName: 'Harness Waiter',
		name: 'harnessWaiter',
		group: ['transform'],
		version: 1,
		description: 'Test-only waiting node',
		defaults: { name: 'Harness Waiter' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'selzyApi', required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: '', restartWebhook: true },
		],
		properties: [{ displayName: 'Label', name: 'label', type: 'string', default: 'waiter' }],
	};

	async execute() {
		const resumeUrl = this.evaluateExpression('{{ $execution.resumeUrl }}', 0);
		const { baseUrl } = await this.getCredentials('selzyApi');
		await this.helpers.httpRequestWithAuthentication.call(this, 'selzyApi', {
			method: 'POST',
			url: `${baseUrl}/en/api/remember`,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: { notify_url: resumeUrl },
		});
		// A callback that arrives while the execution still runs is refused (409), as in n8n.
		const tooEarly = await this.helpers.httpRequest({
			method: 'POST', url: resumeUrl, body: { ready: true }, ignoreHttpStatusErrors: true, returnFullResponse: true,
		});
		const items = this.getInputData();
		for (const item of items) Object.assign(item.json, { waiting: true, tooEarlyStatus: tooEarly.statusCode });
		await this.putExecutionToWait(new Date(Date.now() + 60_000));
		return [items];
	}

	async webhook() {
		const body = this.getBodyData();
		if (body?.ready !== true) return { webhookResponse: { stillWaiting: true } };
		return {
			workflowData: [[{ json: { resumedWith: body, label: this.getNodeParameter('label'), executionId: this.getExecutionId() } }]],
		};
	}
}

/** A credential with a declarative test, independent of the package's own. */
class ProbeCredential {
	name = 'probeApi';
	displayName = 'Probe API';
	properties = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:9' },
	];
	authenticate = { type: 'generic', properties: { body: { api_key: '={{$credentials.apiKey}}' } } };
	test = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/en/api/getLists',
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: { format: 'json' },
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 'invalid_api_key', message: 'Bad key' } },
		],
	};
}

// ---------------------------------------------------------------------------

let server;
let harness;

beforeAll(async () => {
	server = await startServer();
	harness = await createHarness({
		credentials: { selzyApi: { apiKey: 'secret-key', baseUrl: server.url, language: 'en' } },
	});
});

afterAll(async () => {
	await harness?.close();
	await server?.close();
});

describe('execute()', () => {
	test('authenticated POST puts api_key in the form body, never in the URL', async () => {
		const { output, error, status } = await harness.runExecute(HarnessProbe, {
			parameters: { operation: 'authPost', campaignId: 42 },
		});

		expect(error).toBeUndefined();
		expect(status).toBe('success');
		expect(output[0][0].json).toEqual({ result: { campaign_id: '42', key_seen: 'secret-key' } });
		const request = server.requests.findLast((r) => r.url.endsWith('/api/exportReport'));
		expect(request.url).toBe('/en/api/exportReport');
		expect(request.url).not.toContain('secret-key');
		expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(request.body).toBe('campaign_id=42&api_key=secret-key');
	});

	test('a streamed download is written to disk by the filesystem binary store', async () => {
		const { output, error } = await harness.runExecute(HarnessProbe, { parameters: { operation: 'download' } });

		expect(error).toBeUndefined();
		const item = output[0][0];
		expect(item.binary.data).toMatchObject({ data: 'filesystem-v2', fileName: 'r.csv', mimeType: 'text/csv', bytes: CSV.length });
		const stored = harness.binaries(item).data;
		expect(stored.path.startsWith(path.join(harness.binaryDir, 'workflows'))).toBe(true);
		expect(stored.path).toContain(`/executions/`);
		expect(fs.existsSync(stored.path)).toBe(true);
		expect(stored.size).toBe(CSV.length);
		expect(stored.text()).toBe(CSV);
		expect(await stored.metadata()).toMatchObject({ fileName: 'r.csv', mimeType: 'text/csv', fileSize: CSV.length });

		// A later run reads it back through helpers.getBinaryStream / getBinaryMetadata.
		const readBack = await harness.runExecute(HarnessProbe, { parameters: { operation: 'readBack' }, inputItems: [item] });
		expect(readBack.error).toBeUndefined();
		expect(readBack.output[0][0].json).toMatchObject({ bytes: CSV.length, metadata: { fileName: 'r.csv' } });
	});

	test('aborting the signal stops the execution and closes the socket', async () => {
		const controller = new AbortController();
		const before = server.slowSockets.length;
		const started = Date.now();
		const running = harness.runExecute(HarnessProbe, { parameters: { operation: 'slow' }, abortSignal: controller.signal });
		await waitFor(() => server.slowSockets.length > before);
		controller.abort();
		const result = await running;

		expect(Date.now() - started).toBeLessThan(3000);
		expect(result.status).toBe('canceled');
		expect(result.output).toBeUndefined();
		await waitFor(() => server.slowSockets[before].closed);
	});

	test('HTTP errors become NodeApiError; continueOnFail lets the node report them as items', async () => {
		const failing = await harness.runExecute(HarnessProbe, { parameters: { operation: 'broken' } });
		expect(failing.status).toBe('error');
		expect(failing.error.name).toBe('NodeApiError');
		expect(failing.error.httpCode).toBe('500');

		const tolerant = await harness.runExecute(HarnessProbe, { parameters: { operation: 'broken' }, continueOnFail: true });
		expect(tolerant.status).toBe('success');
		expect(tolerant.output[0][0].json.error).toBe('The service was not able to process your request');
	});

	test('static data persists across runs (except manual runs, as in n8n)', async () => {
		harness.setStaticData(HarnessProbe, undefined);
		const first = await harness.runExecute(HarnessProbe, {
			parameters: { operation: 'dedup' },
			inputItems: [{ json: { id: 'a' } }, { json: { id: 'b' } }],
		});
		expect(first.output[0].map((i) => i.json.isNew)).toEqual([true, true]);
		expect(harness.getStaticData(HarnessProbe)).toEqual({ seen: ['a', 'b'] });

		const second = await harness.runExecute(HarnessProbe, {
			parameters: { operation: 'dedup' },
			inputItems: [{ json: { id: 'b' } }, { json: { id: 'c' } }],
		});
		expect(second.output[0].map((i) => i.json.isNew)).toEqual([false, true]);

		await harness.runExecute(HarnessProbe, { parameters: { operation: 'dedup' }, inputItems: [{ json: { id: 'z' } }], mode: 'manual' });
		expect(harness.getStaticData(HarnessProbe)).toEqual({ seen: ['a', 'b', 'c'] });
	});

	test('expressions, timezone, cancel signal and logger come from n8n', async () => {
		const { output, error } = await harness.runExecute(HarnessProbe, {
			parameters: { operation: 'context', campaignId: '={{ $json.n * 2 }}' },
			inputItems: [{ json: { n: 21 } }],
			timezone: 'Europe/Berlin',
		});
		expect(error).toBeUndefined();
		expect(output[0][0].json).toEqual({ campaignId: 42, timezone: 'Europe/Berlin', hasCancelSignal: true, mode: 'trigger' });
		expect(harness.logs.some((entry) => entry.message === 'probe context')).toBe(true);
	});
});

describe('webhook()', () => {
	test('JSON body, qs-style query and the automatic onReceived answer', async () => {
		harness.setStaticData(HarnessProbeTrigger, undefined);
		const call = await harness.runWebhook(HarnessProbeTrigger, {
			request: { query: { x: '1', arr: ['a', 'b'] }, body: { task_uuid: 't-1', nested: { a: 1 } } },
		});

		expect(call.error).toBeUndefined();
		expect(call.response.statusCode).toBe(200);
		expect(call.response.body).toEqual({ received: true });
		expect(call.response.answeredBy).toBe('harness');
		expect(call.webhookResult.workflowData[0][0].json).toEqual({
			body: { task_uuid: 't-1', nested: { a: 1 } },
			query: { x: '1', arr: ['a', 'b'] },
			contentType: 'application/json',
			rawBodyLength: JSON.stringify({ task_uuid: 't-1', nested: { a: 1 } }).length,
			credentialKey: 'secret-key',
		});
		// n8n 2.40 loses static-data changes made on this path: changed, not saved.
		expect(call.staticData).toEqual({ changed: true, saved: false, value: { calls: 1 } });
		expect(harness.getStaticData(HarnessProbeTrigger)).toBeUndefined();
	});

	test('form bodies keep flat PHP-style keys; unknown types leave body undefined', async () => {
		const form = await harness.runWebhook(HarnessProbeTrigger, {
			request: {
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				rawBody: 'result[task_uuid]=t&ids[]=1&ids[]=2',
			},
		});
		expect(form.webhookResult.workflowData[0][0].json.body).toEqual({ 'result[task_uuid]': 't', 'ids[]': ['1', '2'] });

		const vendor = await harness.runWebhook(HarnessProbeTrigger, {
			request: { headers: { 'content-type': 'application/vnd.api+json' }, rawBody: '{"a":1}' },
		});
		expect(vendor.webhookResult.workflowData[0][0].json).toMatchObject({ body: null, rawBodyLength: 7 });
	});

	test('a node that answers itself keeps its response, and its static data is saved', async () => {
		harness.setStaticData(HarnessProbeTrigger, { calls: 5 });
		const call = await harness.runWebhook(HarnessProbeTrigger, {
			parameters: { answerMyself: true },
			request: { body: { n: 1 } },
		});
		expect(call.response.statusCode).toBe(202);
		expect(call.response.body).toEqual({ accepted: true });
		expect(call.response.answeredBy).toBe('node');
		expect(call.lateResponseAttempt).toBe(false);
		expect(call.staticData).toEqual({ changed: true, saved: true, value: { calls: 6 } });
		expect(harness.getStaticData(HarnessProbeTrigger)).toEqual({ calls: 6 });
	});

	test('answering without noWebhookResponse makes n8n try to answer a second time', async () => {
		const call = await harness.runWebhook(HarnessProbeTrigger, {
			parameters: { answerMyself: true, claimNoResponse: false },
			request: { body: {} },
		});
		expect(call.response.statusCode).toBe(202);
		expect(call.response.answeredBy).toBe('node');
		expect(call.lateResponseAttempt).toBe(true);
	});

	test('binaries written in webhook() go to the temp execution folder', async () => {
		const call = await harness.runWebhook(HarnessProbeTrigger, {
			request: { headers: { 'content-type': 'text/csv' }, rawBody: 'a,b\n1,2\n' },
		});
		const item = call.webhookResult.workflowData[0][0];
		expect(item.json.body).toBeNull();
		const stored = harness.binaries(item).data;
		expect(stored.path).toContain('/executions/temp/binary_data/');
		expect(stored.text()).toBe('a,b\n1,2\n');
	});

	test('bad JSON is refused with 422 before the node runs; a throwing node gives 500', async () => {
		const bad = await harness.runWebhook(HarnessProbeTrigger, {
			request: { headers: { 'content-type': 'application/json' }, rawBody: '{nope' },
		});
		expect(bad.response.statusCode).toBe(422);
		expect(bad.webhookResult).toBeUndefined();

		const failing = await harness.runWebhook(HarnessProbeTrigger, {
			request: { headers: { 'x-fail': 'yes' }, body: {} },
		});
		expect(failing.response.statusCode).toBe(500);
		expect(failing.error.message).toBe('webhook failed on purpose');
	});

	test('wrong path or method gets 404, like an unregistered n8n webhook', async () => {
		const hook = await harness.startWebhook(HarnessProbeTrigger);
		const response = await fetch(`${hook.baseUrl}/webhook/not-there`, { method: 'POST' });
		expect(response.status).toBe(404);
		const wrongMethod = await fetch(hook.url(), { method: 'GET' });
		expect(wrongMethod.status).toBe(404);
		await hook.close();
	});

	test('webhookMethods see the live server URL and their static data is saved', async () => {
		harness.setStaticData(HarnessProbeTrigger, undefined);
		const hook = await harness.startWebhook(HarnessProbeTrigger);
		expect(hook.url()).toBe(`${hook.baseUrl}/webhook/5e1c7a2b-9d4f-4c3e-8a6b-0f2d4e6a8c10/selzy-callback`);

		expect((await harness.runWebhookMethod(HarnessProbeTrigger, 'checkExists', { server: hook })).result).toBe(false);
		await harness.runWebhookMethod(HarnessProbeTrigger, 'create', { server: hook });
		expect(harness.getStaticData(HarnessProbeTrigger)).toEqual({ registeredUrl: hook.url() });
		expect((await harness.runWebhookMethod(HarnessProbeTrigger, 'checkExists', { server: hook })).result).toBe(true);

		// Anything can now call the registered URL; nextCall() hands over the record.
		const nextCall = hook.nextCall();
		await fetch(hook.url(), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'ping' });
		expect((await nextCall).webhookResult.workflowData[0][0].json.body).toBe('ping');
		await hook.close();
	});
});

describe('waiting and resuming (restartWebhook)', () => {
	const post = (url, body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

	test('a waiting run is resumed through its live resume URL', async () => {
		const waiting = await harness.runExecute(HarnessWaiter, { inputItems: [{ json: { n: 1 } }] });
		expect(waiting.status).toBe('waiting');
		expect(waiting.waitTill.getTime()).toBeGreaterThan(Date.now());
		expect(waiting.output[0][0].json).toEqual({ n: 1, waiting: true, tooEarlyStatus: 409 });
		const { resumeUrl } = waiting;
		expect(resumeUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/webhook-waiting/${waiting.executionId}\\?signature=\\w+`));
		// The node really handed the URL to the server.
		expect(server.requests.findLast((r) => r.url === '/en/api/remember').body).toContain(encodeURIComponent(resumeUrl));

		const unsigned = await post(resumeUrl.replace(/\?signature=.*/, ''), { ready: true });
		expect(unsigned.status).toBe(401);
		expect(await unsigned.json()).toEqual({ error: 'Invalid token' });

		const early = await post(resumeUrl, { ready: false });
		expect(early.status).toBe(200);
		expect(await early.json()).toEqual({ stillWaiting: true });

		const resumed = harness.waitForResume(waiting);
		const final = await post(resumeUrl, { ready: true });
		expect(final.status).toBe(200);
		expect(await final.json()).toEqual({ message: 'Workflow was started' });

		const result = await resumed;
		expect(result.status).toBe('success');
		expect(result.output).toEqual([[{
			json: { resumedWith: { ready: true }, label: 'waiter', executionId: waiting.executionId },
			pairedItem: { item: 0 },
		}]]);
		expect(result.call.response.statusCode).toBe(200);
		expect(harness.resumeCalls(waiting).map((call) => call.response.statusCode)).toEqual([200, 200]);

		expect((await post(resumeUrl, { ready: true })).status).toBe(409);
	});

	test('when the wait time is over the original input passes through', async () => {
		const waiting = await harness.runExecute(HarnessWaiter, { inputItems: [{ json: { n: 2 } }] });
		const result = await harness.expireWait(waiting);
		expect(result.status).toBe('success');
		expect(result.output[0].map((item) => item.json)).toEqual([{ n: 2, waiting: true, tooEarlyStatus: 409 }]);
	});
});

describe('load options and credential test', () => {
	test('listSearch and loadOptions run in a LoadOptionsContext with credentials', async () => {
		const search = await harness.runLoadOptions(HarnessProbe, 'searchLists', { filter: 'promo' });
		expect(search).toEqual({ results: [{ name: 'Promo', value: '2' }] });
		expect(server.requests.findLast((r) => r.url.endsWith('/api/getLists')).body).toBe('format=json&api_key=secret-key');

		const options = await harness.runLoadOptions(HarnessProbe, 'getOperationsCount', {
			parameters: { operation: 'download' },
			path: 'parameters.campaignId',
		});
		expect(options).toEqual([{ name: 'current operation: download', value: 1 }]);
	});

	test('declarative credential test: OK, body rule, non-2xx and connection errors', async () => {
		expect(await harness.runCredentialTest(ProbeCredential, { apiKey: 'good-key', baseUrl: server.url }))
			.toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(server.requests.findLast((r) => r.url.endsWith('/api/getLists')).body).toBe('format=json&api_key=good-key');

		expect(await harness.runCredentialTest(ProbeCredential, { apiKey: 'wrong', baseUrl: server.url }))
			.toEqual({ status: 'Error', message: 'Bad key' });

		const notFound = await harness.runCredentialTest(ProbeCredential, { apiKey: 'good-key', baseUrl: `${server.url}/nowhere` });
		expect(notFound.status).toBe('Error');
		expect(notFound.message).toMatch(/Not Found|404/);

		expect(await harness.runCredentialTest(ProbeCredential, { apiKey: 'x' }))
			.toEqual({ status: 'Error', message: 'ECONNREFUSED' });
	});
});

async function waitFor(predicate, timeoutMs = 3000) {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error('waitFor timed out');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
