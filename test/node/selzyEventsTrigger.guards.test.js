'use strict';
// What stands between a stranger and the Selzy Events Trigger: the secret in the hook URL (401
// before any work), Selzy's signature when asked for (checked on the raw bytes), and bounds on
// everything in the body, each checked in linear time.

const { checkSelzySignature } = require('../../nodes/Selzy/callback/eventSignature.ts');
const { signedBody } = require('../sandbox/hooks');
const { useEventsTrigger, emailStatus } = require('./events-support');

const env = useEventsTrigger(27);
const PARAMETERS = { events: ['email_status'], options: {} };
const SIGNED = { ...PARAMETERS, options: { verifySignature: true } };

/** POSTs `body` to `url` as JSON; resolves with the answer and the trigger's call. */
async function post(server, url, body, contentType = 'application/json') {
	const next = server.nextCall();
	const answer = await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body });
	return { status: answer.status, text: await answer.text(), call: await next };
}

const batch = (events) => ({ events_by_user: [{ login: 'sandbox-shop', events }] });
const event = (email, status = 'ok_read') => ({ event_name: 'email_status', event_time: '2026-04-01 09:00:00', event_data: { email, status } });

describe('a POST without the trigger’s secret', () => {
	test('is refused with 401 before anything else: no credential read, no Selzy call, nothing started', async () => {
		// With the signature check on, a refusal after it would have decrypted the credential.
		const server = await env.live(SIGNED);
		const genuine = new URL(env.sb.hooks[0].hook_url);
		const callsBefore = env.sb.requests.length;
		const decrypted = jest.spyOn(env.harness.credentialsHelper, 'getDecrypted');
		const body = signedBody(batch([event('forged@example.com')]), env.sb.apiKey);

		const missing = await post(server, server.url(), body);
		const wrong = new URL(genuine);
		wrong.searchParams.set('selzy_secret', '0'.repeat(32));
		const guessed = await post(server, wrong.toString(), body);
		for (const attempt of [missing, guessed]) {
			expect(attempt.status).toBe(401);
			expect(attempt.text).toMatch(/secret/);
			expect(attempt.call.webhookResult.workflowData).toBeUndefined();
			expect(attempt.call.staticData.changed).toBe(false);
		}
		expect(env.sb.requests.length).toBe(callsBefore);
		expect(decrypted).not.toHaveBeenCalled();
		decrypted.mockRestore();
	});

	test('is refused also before the workflow was ever published (no secret yet)', async () => {
		const server = await env.serve(PARAMETERS);
		const attempt = await post(server, `${server.url()}?selzy_secret=`, JSON.stringify(batch([event('x@example.com')])));
		expect(attempt.status).toBe(401);
	});
});

describe('Verify Selzy Signature', () => {
	test('accepts Selzy’s own deliveries, signed over the raw bytes (with \\/ as Selzy writes it)', async () => {
		const server = await env.live(SIGNED);
		const { delivery, call } = await env.deliver(server, [emailStatus('signed@example.com', 'ok_link_visited', { url: 'https://shop.example/a/b' })]);
		expect(delivery.body).toContain('https:\\/\\/shop.example\\/a\\/b');
		expect(delivery.status).toBe(200);
		expect(env.itemsOf(call)[0]).toMatchObject({ email: 'signed@example.com', url: 'https://shop.example/a/b' });
	});

	test('refuses a delivery whose body was changed, or signed with another key, and says so', async () => {
		const server = await env.live(SIGNED);
		const url = env.sb.hooks[0].hook_url;
		const genuine = signedBody(batch([event('payer@example.com', 'ok_read')]), env.sb.apiKey);
		const changed = await post(server, url, genuine.replace('ok_read', 'ok_fbl'));
		const otherKey = await post(server, url, signedBody(batch([event('payer@example.com', 'ok_fbl')]), 'another-account-key'));
		const unsigned = await post(server, url, JSON.stringify(batch([event('payer@example.com', 'ok_fbl')])));
		for (const attempt of [changed, otherKey, unsigned]) {
			expect(attempt.status).toBe(401);
			expect(attempt.call.webhookResult.workflowData).toBeUndefined();
		}
		expect(JSON.parse(changed.text).error).toMatch(/Selzy signature \(auth\) does not match this credential’s API key/);
		expect(JSON.parse(unsigned.text).error).toMatch(/no auth field/);
		expect(env.harness.logs.filter((log) => log.level === 'warn' && /delivery refused/.test(log.message))).toHaveLength(3);

		const accepted = await post(server, url, genuine);
		expect(accepted.status).toBe(200);
	});

	test('follows the documented scheme: MD5 of the body with the API key in place of auth', () => {
		// The sister product's published example: {"auth":"api_key","key":"value"} hashes to this.
		const body = Buffer.from('{"auth":"8c64386327f53722434f44021a7a0d40","key":"value"}');
		expect(checkSelzySignature(body, '8c64386327f53722434f44021a7a0d40', 'api_key')).toEqual({ valid: true });
		expect(checkSelzySignature(body, '8c64386327f53722434f44021a7a0d40', 'api_key2').valid).toBe(false);
	});

	test('stays linear on a body full of "auth" keys', () => {
		const body = Buffer.from(`{"auth":"${'a'.repeat(32)}","x":[${'"\\"auth\\":",'.repeat(400_000)}0]}`);
		const started = Date.now();
		expect(checkSelzySignature(body, 'a'.repeat(32), 'key').valid).toBe(false);
		expect(Date.now() - started).toBeLessThan(1000);
	});
});

describe('bounds on the body', () => {
	test('a body over 8 MiB gets 413, one over 10,000 events, too deep or not JSON gets 400, each quickly', async () => {
		const server = await env.live(PARAMETERS);
		const url = env.sb.hooks[0].hook_url;
		const large = await post(server, url, JSON.stringify({ events_by_user: [{ login: 'x', events: [event('x@example.com')] }], pad: 'x'.repeat(9 * 1024 * 1024) }));
		expect(large.status).toBe(413);
		const many = await post(server, url, JSON.stringify(batch(Array.from({ length: 10_001 }, (_, i) => event(`m${i}@example.com`)))));
		expect(many.status).toBe(400);
		expect(many.text).toMatch(/10001 events, more than 10000/);
		const deep = await post(server, url, `{"event_name":"email_status","x":${'['.repeat(40)}${']'.repeat(40)}}`);
		expect(deep.status).toBe(400);
		expect(deep.text).toMatch(/nested more than 32/);
		// (Invalid JSON sent as JSON gets n8n's own 422 before the node runs.)
		const text = await post(server, url, 'not json at all', 'text/plain');
		expect(text.status).toBe(400);
		const neither = await post(server, url, '{"hello":"world"}');
		expect(neither.status).toBe(400);
		for (const attempt of [large, many, deep, text, neither]) expect(attempt.call.webhookResult.workflowData).toBeUndefined();
	});

	test('a body of a million tiny values is refused in linear time', async () => {
		const server = await env.live(PARAMETERS);
		const body = `{"event_name":"email_status","values":[${'0,'.repeat(1_100_000)}0]}`;
		const started = Date.now();
		const attempt = await post(server, env.sb.hooks[0].hook_url, body);
		expect(attempt.status).toBe(400);
		expect(attempt.text).toMatch(/more than 1000000 values/);
		expect(Date.now() - started).toBeLessThan(3000);
	});
});
