'use strict';
// The workflows `npm run bench:trigger` loads with callbacks: the Selzy Trigger (regular and queue
// mode), n8n's Webhook node, and the do-it-yourself workflow of core nodes; and with Selzy event
// deliveries (only when named with --only): the Selzy Events Trigger and n8n's Webhook node.

const EVENTS_TRIGGER = 'n8n-nodes-selzy.selzyEventsTrigger';

const crypto = require('node:crypto');

const { TRIGGER, node, link, versionOf, coreVersions, credentialRef, apiPost, downloadFile } = require('../lib/workflows');

function scenarios(options) {
	const steady = { rate: options.rate, callbacks: options.callbacks, load: 'steady' };
	const burst = { rate: options.burstRate, callbacks: options.burstCallbacks, load: 'burst' };
	const all = [
		{ id: 'trigger-summary', label: 'Selzy Trigger, output Summary', kind: 'trigger', output: 'summary', verify: true, ...steady },
		{ id: 'trigger-task', label: 'Selzy Trigger, output Task Only', kind: 'trigger', output: 'task', verify: true, ...steady },
		{ id: 'trigger-task-unverified', label: 'Selzy Trigger, Task Only, verification off', kind: 'trigger', output: 'task', verify: false, ...steady },
		{ id: 'diy', label: 'Webhook → HTTP Request (getTaskResult) → HTTP Request (download) → Extract From File', kind: 'diy', ...steady },
		{ id: 'webhook', label: 'n8n’s Webhook node alone', kind: 'webhook', ...steady },
		// Webhook 1 takes an expression sandbox for its webhook call, as n8n does for every trigger but Webhook 2.
		{ id: 'webhook-v1', label: 'n8n’s Webhook node 1 alone', kind: 'webhook', webhookVersion: 1, ...steady },
		{ id: 'trigger-summary-burst', label: 'Selzy Trigger, output Summary', kind: 'trigger', output: 'summary', verify: true, ...burst },
		{ id: 'webhook-burst', label: 'n8n’s Webhook node alone', kind: 'webhook', ...burst },
		{
			id: 'trigger-summary-burst-queue',
			label: `Selzy Trigger, output Summary, queue mode (webhook process + ${options.workers} workers)`,
			kind: 'trigger',
			output: 'summary',
			verify: true,
			mode: 'queue',
			...burst,
		},
		...eventScenarios(options),
	];
	return all.filter((scenario) => (options.only ? options.only.has(scenario.id) : scenario.id !== 'webhook-v1' && !scenario.id.startsWith('events-')));
}

/** Batches of --events-per-request at --event-rate, and single events at --single-event-rate, each for --event-seconds. */
function eventScenarios(options) {
	const batch = { rate: options.eventRate, perRequest: options.eventsPerRequest, seconds: options.eventSeconds, load: 'events' };
	const single = { rate: options.singleEventRate, perRequest: 1, seconds: options.eventSeconds, load: 'events' };
	const withCallbacks = (scenario) => ({ ...scenario, callbacks: Math.round(scenario.rate * scenario.seconds) });
	return [
		{ id: 'events-batch', label: `Selzy Events Trigger, batches of ${batch.perRequest} events`, kind: 'events', ...batch },
		{ id: 'events-batch-webhook', label: `n8n’s Webhook node, batches of ${batch.perRequest} events`, kind: 'events-webhook', ...batch },
		// Webhook 1 takes an expression sandbox for its webhook call, as n8n does for every community trigger.
		{ id: 'events-batch-webhook-v1', label: `n8n’s Webhook node 1, batches of ${batch.perRequest} events`, kind: 'events-webhook', webhookVersion: 1, ...batch },
		{ id: 'events-single', label: 'Selzy Events Trigger, one event per request', kind: 'events', ...single },
		{ id: 'events-single-webhook', label: 'n8n’s Webhook node, one event per request', kind: 'events-webhook', ...single },
		{ id: 'events-single-webhook-v1', label: 'n8n’s Webhook node 1, one event per request', kind: 'events-webhook', webhookVersion: 1, ...single },
	].map(withCallbacks);
}

/** The workflow of a scenario, the path its callbacks go to, and the node versions it uses. */
function workflowFor(scenario, { credential, sandbox, nodeTypes }) {
	const webhookId = crypto.randomUUID();
	const webhookVersion = scenario.webhookVersion ?? versionOf(nodeTypes, 'n8n-nodes-base.webhook', [2, 2.1]);
	const webhookNode = (name) =>
		node(name, 'n8n-nodes-base.webhook', webhookVersion, [0, 0], { httpMethod: 'POST', path: webhookId, responseMode: 'onReceived', options: {} }, { webhookId });
	const name = `load ${scenario.id}`;
	if (scenario.kind === 'events') {
		const parameters = { events: ['email_status'], options: { singleEvent: scenario.perRequest === 1 } };
		const trigger = node('Selzy Events Trigger', EVENTS_TRIGGER, 1, [0, 0], parameters, { webhookId, credentials: credentialRef(credential) });
		return { spec: { name, nodes: [trigger], connections: {} }, path: `/webhook/${webhookId}/selzy-events`, startNode: 'Selzy Events Trigger' };
	}
	if (scenario.kind === 'trigger') {
		const parameters = { verify: scenario.verify, taskTypes: ['getCampaignDeliveryStats'], output: scenario.output, options: {} };
		const trigger = node('Selzy Trigger', TRIGGER, 1, [0, 0], parameters, { webhookId, credentials: credentialRef(credential) });
		return { spec: { name, nodes: [trigger], connections: {} }, path: `/webhook/${webhookId}/selzy`, startNode: 'Selzy Trigger' };
	}
	if (scenario.kind === 'webhook' || scenario.kind === 'events-webhook') {
		return { spec: { name, nodes: [webhookNode('Webhook')], connections: {} }, path: `/webhook/${webhookId}`, startNode: 'Webhook', nodeVersions: { webhook: webhookVersion } };
	}
	const { httpRequest, extractFromFile } = coreVersions(nodeTypes);
	const nodes = [
		webhookNode('Webhook'),
		node('Get Task', 'n8n-nodes-base.httpRequest', httpRequest, [220, 0], apiPost(sandbox, 'async/getTaskResult', [['task_uuid', '={{ $json.body.result.task_uuid }}']])),
		node('Download', 'n8n-nodes-base.httpRequest', httpRequest, [440, 0], downloadFile('={{ $json.result.file_to_download }}')),
		node('Extract CSV', 'n8n-nodes-base.extractFromFile', extractFromFile, [660, 0], { operation: 'csv', options: {} }),
	];
	const connections = {
		Webhook: { main: [[link('Get Task')]] },
		'Get Task': { main: [[link('Download')]] },
		Download: { main: [[link('Extract CSV')]] },
	};
	return { spec: { name, nodes, connections }, path: `/webhook/${webhookId}`, startNode: 'Webhook', nodeVersions: { webhook: webhookVersion, httpRequest, extractFromFile } };
}

module.exports = { scenarios, workflowFor };
