'use strict';
/**
 * Runs a credential's declarative `test` the way n8n's CredentialsTester does
 * (n8n 2.40, packages/cli): defaults are applied to the data, the test request
 * becomes the routing of a throwaway "noOp"-like node, n8n-core's RoutingNode
 * sends it with `httpRequestWithAuthentication` (so the credential's
 * `authenticate` is applied) over a real socket, and the outcome is judged:
 *
 * - request failed with a response: a matching `responseCode` rule gives its
 *   message; any non-2xx gives the status text (or "Received HTTP status code: N");
 * - request failed without a response: the error code (e.g. ECONNREFUSED);
 * - HTTP 2xx: each `responseSuccessBody` rule with `lodash.get(body, key) === value`
 *   gives `{ status: 'Error', message }`; otherwise "Connection successful!".
 *
 * Not mirrored: function-style `testedBy` tests, OAuth checks, secret redaction.
 */
const { Workflow } = require('n8n-workflow');
const { coreRequire } = require('./runtime');
// lodash as n8n uses it (a dependency of n8n-core).
const get = coreRequire('lodash/get');
const { ExecuteContext, RoutingNode } = require('n8n-core');
const { createAdditionalData } = require('./workflow');

/** n8n runs the test through its NoOp node's type; a minimal equivalent. */
const TEST_NODE_TYPE_NAME = 'n8n-nodes-base.noOp';

function buildTestNodeType(credentialName, testRequest) {
	return {
		description: {
			displayName: 'No Operation, do nothing',
			name: TEST_NODE_TYPE_NAME,
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credentialName, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' },
			],
		},
	};
}

function judgeFailure(error, rules = []) {
	const response = error.cause?.response;
	if (response) {
		for (const rule of rules) {
			if (rule.type === 'responseCode' && response.status === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
		if (response.status < 199 || response.status > 299) {
			return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
		}
	} else if (error.cause?.code) {
		return { status: 'Error', message: error.cause.code };
	}
	return { status: 'Error', message: error.message.toString() };
}

function judgeSuccess(responseItems, rules = []) {
	for (const rule of rules) {
		if (rule.type !== 'responseSuccessBody') continue;
		if (get(responseItems?.[0]?.[0]?.json, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/**
 * @param {object} ctx { credentialsHelper, nodeTypes }
 * @param {object} credentialType instance of the credential class
 * @param {object} data credential data as typed in the editor
 * @returns {Promise<{status: 'OK'|'Error', message: string, requests?: never}>}
 */
async function runCredentialTest(ctx, credentialType, data) {
	const { credentialsHelper, nodeTypes } = ctx;
	if (!credentialType.test) return { status: 'Error', message: 'No testing function found for this credential.' };

	const additionalData = createAdditionalData({ credentialsHelper });
	let withDefaults;
	try {
		withDefaults = await credentialsHelper.applyDefaultsAndResolve(additionalData, structuredClone(data), credentialType.name, 'internal');
	} catch (error) {
		return { status: 'Error', message: error.message.toString() };
	}
	const credentialsDecrypted = { id: 'cred-test', name: 'Credential under test', type: credentialType.name, data: withDefaults };

	const nodeType = buildTestNodeType(credentialType.name, credentialType.test);
	const node = {
		id: 'temp',
		name: 'Temp-Node',
		type: TEST_NODE_TYPE_NAME,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [credentialType.name]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	nodeTypes.add(TEST_NODE_TYPE_NAME, nodeType);
	try {
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const executeData = { node, data: {}, source: null };
		const context = new ExecuteContext(
			workflow, node, additionalData, 'internal', { resultData: { runData: {} } }, 0, [],
			{ main: [[{ json: {} }]] }, executeData, [],
		);
		let response;
		try {
			response = await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
		} catch (error) {
			return judgeFailure(error, credentialType.test.rules);
		}
		return judgeSuccess(response, credentialType.test.rules);
	} finally {
		nodeTypes.remove(TEST_NODE_TYPE_NAME);
	}
}

module.exports = { runCredentialTest };
