'use strict';
// The Selzy Events Trigger's hook in Selzy: publishing registers exactly one, re-publishing and
// restarts keep it one, unpublishing removes it, a stopped hook is restarted, and the hook URL
// carries the node's own secret.

const { useEventsTrigger } = require('./events-support');

const env = useEventsTrigger(25);
const PARAMETERS = { events: ['email_status', 'subscribe'], listId: { __rl: true, mode: 'id', value: '2' }, options: {} };

const ourHooks = (server) => env.sb.hooks.filter((hook) => hook.hook_url.startsWith(server.url()));

describe('publishing the workflow', () => {
	test('registers one hook at the trigger’s URL with a secret of its own, for the chosen events', async () => {
		const server = await env.serve(PARAMETERS);
		expect(await env.publish(server, PARAMETERS)).toBe(true);

		const [hook, ...more] = env.sb.hooks;
		expect(more).toEqual([]);
		const url = new URL(hook.hook_url);
		expect(`${url.origin}${url.pathname}`).toBe(server.url());
		expect(url.searchParams.get('selzy_secret')).toMatch(/^[0-9a-f]{32}$/);
		expect(url.searchParams.get('selzy_secret')).toBe(env.staticData().secret);
		expect(hook).toMatchObject({ events: { email_status: '*', subscribe: '2' }, event_format: 'json_post', single_event: 0, status: 'active' });
		const [setHook] = env.sb.requests.filter((r) => r.apiMethod === 'setHook');
		expect(setHook.keyInUrl).toBe(false);
	});

	test('again, and after a restart of n8n, leaves exactly one hook and keeps its URL', async () => {
		const server = await env.serve(PARAMETERS);
		await env.publish(server, PARAMETERS);
		const first = env.sb.hooks[0].hook_url;

		// A restart: n8n asks whether the hook exists; it does, so nothing is registered.
		expect(await env.publish(server, PARAMETERS)).toBe(false);
		// Re-publishing: n8n removes, then publishes again.
		await env.unpublish(server, PARAMETERS);
		expect(await env.publish(server, PARAMETERS)).toBe(true);
		expect(env.sb.hooks.map((hook) => hook.hook_url)).toEqual([first]);
	});

	test('with its memory lost (static data cleared) replaces the hook it left instead of adding one', async () => {
		const server = await env.serve(PARAMETERS);
		await env.publish(server, PARAMETERS);
		const first = env.sb.hooks[0].hook_url;
		env.harness.setStaticData(env.NodeClass, undefined);

		expect(await env.publish(server, PARAMETERS)).toBe(true);
		const hooks = ourHooks(server);
		expect(hooks).toHaveLength(1);
		expect(hooks[0].hook_url).not.toBe(first);
		expect(new URL(hooks[0].hook_url).searchParams.get('selzy_secret')).toBe(env.staticData().secret);
	});

	test('with other events chosen changes the hook’s events, still one hook', async () => {
		const server = await env.serve(PARAMETERS);
		await env.publish(server, PARAMETERS);
		const changed = { ...PARAMETERS, events: ['unsubscribe', 'campaign_status'], listId: { __rl: true, mode: 'list', value: '' } };
		expect(await env.publish(server, changed)).toBe(true);
		expect(env.sb.hooks).toHaveLength(1);
		expect(env.sb.hooks[0].events).toEqual({ unsubscribe: '*', campaign_status: '*' });
	});

	test('restarts a hook Selzy stopped after failed deliveries (status active again)', async () => {
		const server = await env.serve(PARAMETERS);
		await env.publish(server, PARAMETERS);
		env.sb.stopHook(env.sb.hooks[0].hook_url);

		expect(await env.publish(server, PARAMETERS)).toBe(true);
		expect(env.sb.hooks).toHaveLength(1);
		expect(env.sb.hooks[0].status).toBe('active');
		const setHooks = env.sb.requests.filter((r) => r.apiMethod === 'setHook');
		expect(setHooks.at(-1).params.status).toBe('active');
	});

	test('removes the hook of an earlier n8n address (WEBHOOK_URL changed) once the new one is in place', async () => {
		const before = await env.serve(PARAMETERS);
		await env.publish(before, PARAMETERS);
		await before.close();
		const after = await env.serve(PARAMETERS);

		await env.publish(after, PARAMETERS);
		expect(env.sb.hooks.map((hook) => new URL(hook.hook_url).origin)).toEqual([new URL(after.url()).origin]);
	});

	test('while listening for a test event leaves the published hook alone', async () => {
		const server = await env.serve(PARAMETERS);
		await env.publish(server, PARAMETERS);
		const production = env.sb.hooks[0].hook_url;

		await env.publish(server, PARAMETERS, { mode: 'manual' });
		expect(env.sb.hooks.map((hook) => hook.hook_url)).toEqual([production, expect.stringContaining('/webhook-test/')]);
		await env.unpublish(server, PARAMETERS, { mode: 'manual' });
		expect(env.sb.hooks.map((hook) => hook.hook_url)).toEqual([production]);
	});

	test('with a local n8n address and the real Selzy API stops before registering and names WEBHOOK_URL', async () => {
		const { createHarness } = require('../harness');
		const harness = await createHarness({ credentials: { selzyApi: { apiKey: env.sb.apiKey, baseUrl: 'https://api.selzy.com', language: 'en' } } });
		try {
			const server = await harness.startWebhook(env.NodeClass, { parameters: PARAMETERS });
			const attempt = harness.runWebhookMethod(env.NodeClass, 'create', { parameters: PARAMETERS, server });
			await expect(attempt).rejects.toThrow(/Selzy cannot reach this n8n/);
			await expect(attempt).rejects.toMatchObject({ description: expect.stringContaining('WEBHOOK_URL') });
		} finally {
			await harness.close();
		}
	});
});

describe('unpublishing the workflow', () => {
	test('removes the hook, and n8n then finds none', async () => {
		const server = await env.serve(PARAMETERS);
		await env.publish(server, PARAMETERS);
		expect(await env.unpublish(server, PARAMETERS)).toBe(true);
		expect(env.sb.hooks).toEqual([]);
		const { result: exists } = await env.harness.runWebhookMethod(env.NodeClass, 'checkExists', { parameters: PARAMETERS, server });
		expect(exists).toBe(false);
	});

	test('succeeds when the hook is already gone, and never fails when Selzy cannot be reached', async () => {
		const server = await env.serve(PARAMETERS);
		await env.publish(server, PARAMETERS);
		await fetch(`${env.sb.url}/en/api/removeHook`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ api_key: env.sb.apiKey, format: 'json', hook_url: env.sb.hooks[0].hook_url }),
		});
		expect(await env.unpublish(server, PARAMETERS)).toBe(true);

		await env.publish(server, PARAMETERS);
		env.sb.fault({ kind: 'code', code: 'access_denied', times: 10 });
		expect(await env.unpublish(server, PARAMETERS)).toBe(false);
		const warning = env.harness.logs.find((log) => log.level === 'warn' && /could not remove the Selzy hook/.test(log.message));
		expect(warning).toBeDefined();
		expect(warning.message).not.toContain(env.staticData().secret);
	});
});
