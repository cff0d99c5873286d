'use strict';
/** Helpers for the Selzy Events Trigger suites: publishing as n8n does it, and its deliveries. */

const { waitUntil, startedItems } = require('./trigger-support');

const NODE_MODULE = '../../nodes/Selzy/SelzyEventsTrigger.node.ts';

/**
 * One sandbox and one harness for an events suite, reset before each test (sandbox, hooks, the
 * trigger's static data, n8n's deduplication store). Returns `env` with sb, harness and the
 * helpers below, bound to them.
 */
function useEventsTrigger(seed) {
	const { SelzyEventsTrigger: NodeClass } = require(NODE_MODULE);
	const { createHarness } = require('../harness');
	const { createSandbox } = require('../sandbox/server');
	const env = {};
	beforeAll(async () => {
		env.sb = await createSandbox({ seed });
		env.harness = await createHarness({ credentials: { selzyApi: { apiKey: env.sb.apiKey, baseUrl: env.sb.url, language: 'en' } } });
	});
	afterAll(async () => {
		await env.harness?.close();
		await env.sb?.close();
	});
	beforeEach(async () => {
		env.sb.reset();
		env.harness.setStaticData(NodeClass, undefined);
		await env.harness.clearProcessed(NodeClass);
		// Back to the package as this process loaded it (see inAnotherProcess).
		const running = env.harness.internals(NodeClass).harnessWorkflow.nodeType;
		delete running.webhook;
		delete running.execute;
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

	/**
	 * From now on the trigger runs as another n8n process (or n8n after a restart) would: the
	 * package loaded afresh, so nothing this process remembers is known; the workflow, its static
	 * data and n8n's deduplication store are the same.
	 */
	env.inAnotherProcess = () => {
		let fresh;
		jest.isolateModules(() => {
			fresh = new (require(NODE_MODULE).SelzyEventsTrigger)();
		});
		const running = env.harness.internals(NodeClass).harnessWorkflow.nodeType;
		running.webhook = fresh.webhook;
		running.execute = fresh.execute;
	};

	env.itemsOf = (call) => (startedItems(call) ?? []).map((item) => item.json);
	env.staticData = () => env.harness.getStaticData(NodeClass);
	/** Events recorded in n8n's deduplication store as output by the trigger. */
	env.processedCount = async () => await env.harness.processedCount(NodeClass);
	env.NodeClass = NodeClass;
	return env;
}

/** Events as Selzy describes them; times in the past so they differ from "now". */
const emailStatus = (email, status, extra = {}) => ({ event_name: 'email_status', event_time: '2026-03-01 10:00:00', email, status, email_id: 77, campaign_id: '1001', ...extra });
const subscribe = (email, listIds, extra = {}) => ({ event_name: 'subscribe', event_time: '2026-03-01 10:00:01', email, subscribed_list_ids: listIds, ...extra });
const unsubscribe = (email, listIds, extra = {}) => ({ event_name: 'unsubscribe', event_time: '2026-03-01 10:00:02', email, list_ids: listIds, ...extra });

module.exports = { useEventsTrigger, emailStatus, subscribe, unsubscribe, waitUntil };
