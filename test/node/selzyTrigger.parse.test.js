'use strict';
// callback/parse.ts and callback/duplicates.ts on their own: every body shape a Selzy callback can
// reach the trigger in, and the bounded memory of deliveries.

const querystring = require('node:querystring');
const { parseCallback, MAX_CALLBACK_BYTES, MAX_CALLBACK_DEPTH } = require('../../nodes/Selzy/callback/parse.ts');
const { claimTask, isClaimed, releaseTask, taskKey } = require('../../nodes/Selzy/callback/duplicates.ts');

const UUID = '0f8e2a1c-4b7d-4e6f-9a3b-2c1d0e9f8a7b';
const LINK = 'https://files.selzy.example/r/abc/campaign-1001.csv?sig=x%2By';
const completed = { task_uuid: UUID, task_type: 'getCampaignDeliveryStats', status: 'completed', file_to_download: LINK };

/** What n8n hands the node for a form body: querystring.parse's flat, null-prototype object. */
const asN8nForm = (text) => querystring.parse(text);
const raw = (text) => Buffer.from(text, 'utf8');

describe('shapes Selzy may send', () => {
	test('nested JSON, as n8n parsed it', () => {
		const body = { result: completed };
		expect(parseCallback(body, raw(JSON.stringify(body)))).toEqual({ task: completed });
	});

	test('a form with flat keys result[task_uuid], as n8n parsed it', () => {
		const text = Object.entries(completed)
			.map(([key, value]) => `${encodeURIComponent(`result[${key}]`)}=${encodeURIComponent(value)}`)
			.join('&');
		expect(parseCallback(asN8nForm(text), raw(text))).toEqual({ task: completed });
	});

	test('a form key sent twice counts once (the first value)', () => {
		const text = `result[task_uuid]=${UUID}&result[status]=completed&result[status]=processing`;
		expect(parseCallback(asN8nForm(text), raw(text)).task.status).toBe('completed');
	});

	test('a JSON string inside a form field, with or without its own "result"', () => {
		for (const inner of [completed, { result: completed }]) {
			const text = `result=${encodeURIComponent(JSON.stringify(inner))}`;
			expect(parseCallback(asN8nForm(text), raw(text))).toEqual({ task: completed });
		}
	});

	test('a JSON string as the value of "result" in a JSON body', () => {
		const body = { result: JSON.stringify(completed) };
		expect(parseCallback(body, undefined)).toEqual({ task: completed });
	});

	test('JSON inside one form field, whatever its name', () => {
		for (const field of ['data', 'payload', 'json', 'notification']) {
			for (const inner of [completed, { result: completed }]) {
				const text = `${field}=${encodeURIComponent(JSON.stringify(inner))}`;
				expect(parseCallback(asN8nForm(text), raw(text))).toEqual({ task: completed });
			}
		}
		const withOthers = `source=selzy&data=${encodeURIComponent(JSON.stringify({ result: completed }))}&sent_at=2026-01-01`;
		expect(parseCallback(asN8nForm(withOthers), raw(withOthers))).toEqual({ task: completed });
	});

	test('a JSON body posted as a form (n8n turns it into nonsense keys) is read from the raw bytes', () => {
		const text = JSON.stringify({ result: completed });
		expect(Object.keys(asN8nForm(text))[0]).toMatch(/^\{"result"/);
		expect(parseCallback(asN8nForm(text), raw(text))).toEqual({ task: completed });
	});

	test('only raw bytes (a content type n8n does not parse): JSON or form', () => {
		expect(parseCallback(undefined, raw(`  ${JSON.stringify({ result: completed })}\n`))).toEqual({ task: completed });
		const form = `result%5Btask_uuid%5D=${UUID}&result%5Bstatus%5D=completed`;
		expect(parseCallback(undefined, raw(form))).toEqual({ task: { task_uuid: UUID, status: 'completed' } });
	});

	test('text/plain: n8n gives a string, the bytes are read instead', () => {
		const text = JSON.stringify({ result: completed });
		expect(parseCallback(text, raw(text))).toEqual({ task: completed });
	});

	test('values are normalised: task_uuid trimmed, scalars become text, a missing status is "unknown"', () => {
		const body = { result: { task_uuid: ` ${UUID.toUpperCase()}\n`, task_type: 7, file_to_download: 42, extra: { a: 1 } } };
		expect(parseCallback(body, undefined)).toEqual({
			task: { task_uuid: UUID.toUpperCase(), task_type: '7', status: 'unknown', file_to_download: '42', extra: { a: 1 } },
		});
	});
});

describe('bodies that are refused', () => {
	test.each([
		['nothing at all', undefined, undefined, 'The body is not JSON or form data'],
		['an empty buffer', undefined, raw(''), 'The body is not JSON or form data'],
		['plain words', 'hello', raw('hello'), 'The body is not JSON or form data'],
		['broken JSON', undefined, raw('{"result": {'), 'The body is not JSON or form data'],
		['a JSON array', [{ task_uuid: UUID }], raw(JSON.stringify([{ task_uuid: UUID }])), 'The body is not JSON or form data'],
		['no result', { task_uuid: UUID }, undefined, 'The body has no "result" object'],
		['result is a number', { result: 5 }, undefined, 'The body has no "result" object'],
		['result is a string that is not JSON', { result: 'done' }, undefined, 'The body has no "result" object'],
		['no task_uuid', { result: { status: 'completed' } }, undefined, 'The body has no result.task_uuid'],
		['a blank task_uuid', { result: { task_uuid: '   ' } }, undefined, 'The body has no result.task_uuid'],
		['a task_uuid that is a path', { result: { task_uuid: '../../etc/passwd' } }, undefined, 'result.task_uuid is not a task ID'],
		['a task_uuid with a suffix', { result: { task_uuid: `${UUID}x` } }, undefined, 'result.task_uuid is not a task ID'],
	])('%s', (_name, body, rawBody, problem) => {
		expect(parseCallback(body, rawBody)).toEqual({ problem });
	});

	test('two form fields that each carry a callback', () => {
		const other = { ...completed, task_uuid: '1f8e2a1c-4b7d-4e6f-9a3b-2c1d0e9f8a7b' };
		const text = `a=${encodeURIComponent(JSON.stringify(completed))}&b=${encodeURIComponent(JSON.stringify(other))}`;
		expect(parseCallback(asN8nForm(text), raw(text))).toEqual({ problem: 'Several fields of the body carry a callback' });
	});

	test('a body nested thousands of levels deep, parsed by n8n or read raw, without overflowing the stack', () => {
		const problem = { problem: `The body is nested more than ${MAX_CALLBACK_DEPTH} levels deep` };
		const huge = 100_000;
		expect(parseCallback(JSON.parse(`{"result":${'{"a":'.repeat(huge)}1${'}'.repeat(huge)}}`), undefined)).toEqual(problem);
		// 30,000 levels inside an otherwise valid callback still fit in 64 KiB.
		const deep = 30_000;
		const deepExtra = `{"result":{"task_uuid":"${UUID}","status":"completed","extra":${'['.repeat(deep)}${']'.repeat(deep)}}}`;
		expect(raw(deepExtra).length).toBeLessThan(MAX_CALLBACK_BYTES);
		expect(parseCallback(JSON.parse(deepExtra), raw(deepExtra))).toEqual(problem);
		expect(parseCallback(undefined, raw(deepExtra))).toEqual(problem);
		expect(parseCallback(deepExtra, raw(deepExtra))).toEqual(problem);
		// And inside one form field's JSON.
		const inForm = `{"result":{"task_uuid":"${UUID}","status":"completed","extra":${'['.repeat(8000)}${']'.repeat(8000)}}}`;
		const form = `data=${encodeURIComponent(inForm)}`;
		expect(raw(form).length).toBeLessThan(MAX_CALLBACK_BYTES);
		expect(parseCallback(asN8nForm(form), raw(form))).toEqual(problem);
	});

	test(`nesting up to ${MAX_CALLBACK_DEPTH} levels is fine`, () => {
		let extra = 1;
		for (let level = 0; level < MAX_CALLBACK_DEPTH - 2; level++) extra = { a: extra };
		const body = { result: { ...completed, extra } };
		expect(parseCallback(body, undefined).task).toMatchObject(completed);
	});

	test('a body over 64 KiB, even one n8n parsed fine', () => {
		const body = { result: completed, padding: '' };
		const base = JSON.stringify(body).length;
		body.padding = 'x'.repeat(MAX_CALLBACK_BYTES - base);
		const atLimit = raw(JSON.stringify(body));
		expect(atLimit.length).toBe(MAX_CALLBACK_BYTES);
		expect(parseCallback(body, atLimit)).toEqual({ task: completed });

		body.padding += 'x';
		expect(parseCallback(body, raw(JSON.stringify(body)))).toEqual({
			problem: `The body has ${MAX_CALLBACK_BYTES + 1} bytes; a Selzy callback is much smaller`,
		});
	});
});

describe('callbacks accepted lately', () => {
	test('a task is one callback per status, so "completed" after "processing" is new', () => {
		const scope = (status) => `wf:node:${taskKey({ task_uuid: UUID, status })}`;
		expect(claimTask(scope('processing'))).toBe(true);
		expect(claimTask(scope('processing'))).toBe(false);
		expect(claimTask(scope('completed'))).toBe(true);
	});

	test('are forgotten after a while, or at once when their execution failed', () => {
		const scope = `another-wf:node:${taskKey(completed)}`;
		const now = Date.now();
		expect(claimTask(scope, now)).toBe(true);
		expect(isClaimed(scope, now + 14 * 60_000)).toBe(true);
		expect(isClaimed(scope, now + 16 * 60_000)).toBe(false);
		releaseTask(scope);
		expect(claimTask(scope, now)).toBe(true);
	});
});

