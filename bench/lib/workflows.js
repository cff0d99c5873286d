'use strict';
// Workflow builders for the benchmark: the Selzy node's workflow and the do-it-yourself
// workflows of core n8n nodes that it is measured against.

const crypto = require('node:crypto');

const ACTION = 'n8n-nodes-selzy.selzy';
const TRIGGER = 'n8n-nodes-selzy.selzyTrigger';

const node = (name, type, typeVersion, position, parameters, extra = {}) => ({
	id: crypto.randomUUID(),
	name,
	type,
	typeVersion,
	position,
	parameters,
	...extra,
});
const manualTrigger = () => node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, [0, 0], {});
const link = (to, index = 0) => ({ node: to, type: 'main', index });
const credentialRef = (credential) => ({ selzyApi: { id: credential.id, name: credential.name } });

/** Picks the newest version of a node type that n8n offers and that we know how to configure. */
function versionOf(nodeTypes, type, known) {
	const offered = new Set(
		nodeTypes.filter((t) => t.name === type).flatMap((t) => (Array.isArray(t.version) ? t.version : [t.version])),
	);
	const usable = known.filter((version) => offered.has(version));
	if (usable.length === 0) throw new Error(`n8n offers ${type} in versions ${[...offered].join(', ')}; this script knows ${known.join(', ')}`);
	return Math.max(...usable);
}

/** The versions of the core nodes the do-it-yourself workflows use. */
function coreVersions(nodeTypes) {
	return {
		httpRequest: versionOf(nodeTypes, 'n8n-nodes-base.httpRequest', [4.2, 4.3, 4.4, 4.5]),
		wait: versionOf(nodeTypes, 'n8n-nodes-base.wait', [1.1]),
		if: versionOf(nodeTypes, 'n8n-nodes-base.if', [2.2, 2.3]),
		extractFromFile: versionOf(nodeTypes, 'n8n-nodes-base.extractFromFile', [1, 1.1]),
		filter: versionOf(nodeTypes, 'n8n-nodes-base.filter', [2.2, 2.3]),
	};
}

function condition(leftValue, rightValue, operation, nodeVersion) {
	return {
		options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: nodeVersion >= 2.3 ? 3 : 2 },
		combinator: 'and',
		conditions: [{ id: crypto.randomUUID(), leftValue, rightValue, operator: { type: 'string', operation } }],
	};
}

/** HTTP Request parameters that POST a form to one of the sandbox's API methods. */
function apiPost(sandbox, method, pairs) {
	return {
		method: 'POST',
		url: `${sandbox.url}/en/api/${method}`,
		sendBody: true,
		contentType: 'form-urlencoded',
		specifyBody: 'keypair',
		bodyParameters: { parameters: [['api_key', sandbox.apiKey], ...pairs].map(([name, value]) => ({ name, value })) },
		options: {},
	};
}

const downloadFile = (url) => ({ url, options: { response: { response: { responseFormat: 'file' } } } });

/** Get Delivery Report parameters (Poll Until Ready) for one campaign; no rowFormat = the node's default. */
function deliveryReportParameters({ campaignId, output, statusGroups, rowFormat, fields = [], options: extra = {} }) {
	const options = { additionalFields: fields.map(String), ...extra };
	if (statusGroups) options.statusGroups = statusGroups;
	if (rowFormat) options.rowFormat = rowFormat;
	return {
		resource: 'campaign',
		operation: 'getDeliveryReport',
		campaignId: { __rl: true, mode: 'id', value: String(campaignId) },
		waitMode: 'poll',
		output,
		options,
	};
}

/** Manual Trigger → Selzy (Get Delivery Report, Poll Until Ready). */
function selzyWorkflow(name, { campaignId, output, statusGroups, rowFormat, fields, credential, options = { pollInterval: 1, timeout: 10 } }) {
	return {
		name,
		nodes: [
			manualTrigger(),
			node('Selzy', ACTION, 1, [240, 0], deliveryReportParameters({ campaignId, output, statusGroups, rowFormat, fields, options }), {
				credentials: credentialRef(credential),
			}),
		],
		connections: { 'Manual Trigger': { main: [[link('Selzy')]] } },
		lastNode: 'Selzy',
	};
}

/**
 * The do-it-yourself workflow: request the report, wait, ask for the task, loop until it is
 * completed, download the file, extract the CSV and (optionally) filter hard bounces.
 */
function diyWorkflow(name, { campaignId, fields, hardBounceCodes, withFilter, sandbox, nodeTypes, waitSeconds = 1 }) {
	const v = coreVersions(nodeTypes);
	const nodes = [
		manualTrigger(),
		node('Start Report', 'n8n-nodes-base.httpRequest', v.httpRequest, [220, 0], apiPost(sandbox, 'async/getCampaignDeliveryStats', [['campaign_id', String(campaignId)], ...fields.map((id) => ['field_ids[]', String(id)])])),
		node('Wait', 'n8n-nodes-base.wait', v.wait, [440, 0], { resume: 'timeInterval', amount: waitSeconds, unit: 'seconds' }),
		node('Get Task', 'n8n-nodes-base.httpRequest', v.httpRequest, [660, 0], apiPost(sandbox, 'async/getTaskResult', [['task_uuid', '={{ $json.result.task_uuid }}']])),
		node('Completed?', 'n8n-nodes-base.if', v.if, [880, 0], {
			conditions: condition('={{ $json.result.status }}', 'completed', 'equals', v.if),
			options: {},
		}),
		node('Download', 'n8n-nodes-base.httpRequest', v.httpRequest, [1100, -100], downloadFile('={{ $json.result.file_to_download }}')),
		node('Extract CSV', 'n8n-nodes-base.extractFromFile', v.extractFromFile, [1320, -100], { operation: 'csv', options: {} }),
	];
	const connections = {
		'Manual Trigger': { main: [[link('Start Report')]] },
		'Start Report': { main: [[link('Wait')]] },
		Wait: { main: [[link('Get Task')]] },
		'Get Task': { main: [[link('Completed?')]] },
		'Completed?': { main: [[link('Download')], [link('Wait')]] },
		Download: { main: [[link('Extract CSV')]] },
	};
	let lastNode = 'Extract CSV';
	if (withFilter) {
		const pattern = `^(${hardBounceCodes.join('|')})$`;
		nodes.push(
			node('Hard Bounces', 'n8n-nodes-base.filter', v.filter, [1540, -100], {
				conditions: condition('={{ $json.send_result }}', pattern, 'regex', v.filter),
				options: {},
			}),
		);
		connections['Extract CSV'] = { main: [[link('Hard Bounces')]] };
		lastNode = 'Hard Bounces';
	}
	const versions = { httpRequest: v.httpRequest, wait: v.wait, if: v.if, extractFromFile: v.extractFromFile, filter: withFilter ? v.filter : undefined };
	return { name, nodes, connections, lastNode, versions };
}

module.exports = {
	ACTION,
	TRIGGER,
	node,
	link,
	manualTrigger,
	credentialRef,
	versionOf,
	coreVersions,
	condition,
	apiPost,
	downloadFile,
	deliveryReportParameters,
	selzyWorkflow,
	diyWorkflow,
};
