'use strict';
/** Helpers for the Selzy Events Trigger suites: publishing as n8n does it, and its deliveries. */

const { waitUntil, startedItems } = require('./trigger-support');

/**
 * One sandbox and one harness for an events suite, reset before each test (sandbox, hooks, the
 * trigger's static data). Returns `env` with sb, harness and the helpers below, bound to them.
 * `NodeClass` defaults to the package's Selzy Events Trigger.
 */
function useEventsTrigger(seed, NodeClass = require('../../nodes/Selzy/SelzyEventsTrigger.node.ts').SelzyEventsTrigger) {
	const { createHarness } = require('../harness');
	const { createSandbox } = require('../sandbox/server');
	const env = { NodeClass };
	beforeAll(async () => {
		env.sb = await createSandbox({ seed });
		env.harness = await createHarness({ credentials: { selzyApi: { apiKey: env.sb.apiKey, baseUrl: env.sb.url, language: 'en' } } });
	});
	afterAll(async () => {
		await env.harness?.close();
		await env.sb?.close();
	});
	beforeEach(() => {
		env.sb.reset();
		env.harness.setStaticData(NodeClass, undefined);
	});

	/** The trigger's URL server (as n8n serves it) for these parameters. */
	env.serve = async (parameters, options = {}) => await env.harness.startWebhook(NodeClass, { parameters, ...options });

	/** What n8n does on publishing: checkExists, then create when it says no. Returns whether create ran. */
	env.publish = async (server, parameters, options = {}) => {
		const run = (method) => env.harness.runWebhookMethod(NodeClass, method, { parameters, server, ...options });
		const { result: exists } = await run('checkExists');
		if (exists) return false;
		await run('create');
		return true;
	};

	/** What n8n does on unpublishing. */
	env.unpublish = async (server, parameters, options = {}) =>
		(await env.harness.runWebhookMethod(NodeClass, 'delete', { parameters, server, ...options })).result;

	/** Serves and publishes; resolves with the server. */
	env.live = async (parameters, options = {}) => {
		const server = await env.serve(parameters, options);
		await env.publish(server, parameters, options);
		return server;
	};

	/** Emits events through the sandbox's hooks and resolves with the trigger's call for them. */
	env.deliver = async (server, events, options) => {
		const next = server.nextCall();
		const [delivery] = await env.sb.emitEvents(events, options);
		return { delivery, call: await next };
	};

	env.itemsOf = (call) => (startedItems(call) ?? []).map((item) => item.json);
	env.staticData = () => env.harness.getStaticData(NodeClass);
	return env;
}

/** Events as Selzy describes them; times in the past so they differ from "now". */
const emailStatus = (email, status, extra = {}) => ({ event_name: 'email_status', event_time: '2026-03-01 10:00:00', email, status, email_id: 77, campaign_id: '1001', ...extra });
const subscribe = (email, listIds, extra = {}) => ({ event_name: 'subscribe', event_time: '2026-03-01 10:00:01', email, subscribed_list_ids: listIds, ...extra });
const unsubscribe = (email, listIds, extra = {}) => ({ event_name: 'unsubscribe', event_time: '2026-03-01 10:00:02', email, list_ids: listIds, ...extra });

module.exports = { useEventsTrigger, emailStatus, subscribe, unsubscribe, waitUntil };
