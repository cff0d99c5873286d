'use strict';
/**
 * A stand-in for n8n's CredentialsHelper (it lives in the `n8n` package, which
 * is not a dev dependency). It implements n8n-workflow's ICredentialsHelper
 * contract and mirrors what n8n 2.40's helper does for a plain API-key
 * credential:
 *
 * - storage: the test's credential data is kept as a JSON string (n8n keeps
 *   it encrypted JSON in its database), so every `getCredentials()` returns a
 *   fresh copy, never the test's own object. n8n-core's `Credentials` cipher is
 *   not used: in 2.40 it needs the database-backed encryption-key provider;
 * - getDecrypted: credential defaults are filled in with n8n-workflow's
 *   `NodeHelpers.getNodeParameters`, then `={{ }}` expressions in the data are
 *   resolved with the workflow's expression engine (as n8n does);
 * - authenticate: the generic merge — for each `authenticate.properties[outer][key]`,
 *   resolve key and value against `$credentials`, then
 *   `requestOptions[outer] ??= {}; requestOptions[outer][key] = value`
 *   (n8n also always creates `headers`). Function authenticators are called.
 *
 * Not mirrored: credential overwrites, external secrets, dynamic/OAuth
 * credentials, preAuthentication token refresh, policy checks.
 */
const { ICredentialsHelper, NodeHelpers, Workflow, isExpression, UnexpectedError } = require('n8n-workflow');
const { getAdditionalKeys } = require('n8n-core');

/** Node used only to give credential-expression resolution a workflow to run in. */
const MOCK_NODE = { id: 'mock', name: '', type: 'mock', typeVersion: 1, position: [0, 0], parameters: {} };
const MOCK_NODE_TYPES = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
};

class TestCredentialsHelper extends ICredentialsHelper {
	/**
	 * @param {import('./node-types').HarnessCredentialTypes} credentialTypes
	 */
	constructor(credentialTypes) {
		super();
		this.credentialTypes = credentialTypes;
		/** type -> { id, name, json } */
		this.store = new Map();
	}

	/**
	 * Stores credential data for a type (as JSON, like n8n's database row). Without an id this edits
	 * the type's credential (same id, as a user editing it); with a new id it stands for another one.
	 */
	async setCredential(type, data, { id = `cred-${type}`, name = `${type} (test)` } = {}) {
		if (!this.credentialTypes.recognizes(type)) {
			throw new UnexpectedError(`Credential type "${type}" is not known to the harness`);
		}
		this.store.set(type, { id, name, json: JSON.stringify(data) });
		return { id, name };
	}

	/** `{ id, name }` reference to put into a node's `credentials`, or undefined. */
	referenceFor(type) {
		const stored = this.store.get(type);
		return stored && { id: stored.id, name: stored.name };
	}

	getParentTypes(name) {
		return this.credentialTypes.getParentTypes(name);
	}

	isCredentialUsableByNode() {
		return true;
	}

	getCredentialsProperties(type) {
		const credentialType = this.credentialTypes.getByName(type);
		if (!credentialType.extends) return credentialType.properties;
		const combined = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}

	/** An ICredentials-like record whose `getData()` returns a fresh copy. */
	async getCredentials(nodeCredentials, type) {
		const stored = this.store.get(type);
		if (!stored || (nodeCredentials.id && nodeCredentials.id !== stored.id)) {
			throw new UnexpectedError(`No "${type}" credential stored in the harness`);
		}
		return { id: stored.id, name: stored.name, type, getData: async () => JSON.parse(stored.json) };
	}

	async getDecrypted(additionalData, nodeCredentials, type, mode, executeData, raw, expressionResolveValues) {
		const credentials = await this.getCredentials(nodeCredentials, type);
		const decrypted = await credentials.getData();
		if (raw === true) return decrypted;
		return await this.applyDefaultsAndResolve(additionalData, decrypted, type, mode, executeData, expressionResolveValues);
	}

	/** Defaults, then expression resolution — the order n8n uses. */
	async applyDefaultsAndResolve(additionalData, decrypted, type, mode, executeData, expressionResolveValues) {
		const properties = this.getCredentialsProperties(type);
		const withDefaults = NodeHelpers.getNodeParameters(properties, decrypted, true, false, null, null);
		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });

		if (expressionResolveValues) {
			const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } = expressionResolveValues;
			return workflow.expression.getParameterValue(
				withDefaults, runExecutionData, runIndex, itemIndex, node.name, connectionInputData,
				mode, additionalKeys, executeData, false, withDefaults,
			);
		}
		const workflow = new Workflow({ nodes: [MOCK_NODE], connections: {}, active: false, nodeTypes: MOCK_NODE_TYPES });
		return workflow.expression.getComplexParameterValue(
			MOCK_NODE, withDefaults, mode, additionalKeys, undefined, undefined, withDefaults,
		);
	}

	async authenticate(credentials, typeName, requestOptions, workflow, node) {
		const { authenticate } = this.credentialTypes.getByName(typeName);
		if (!authenticate) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!workflow || !node) {
			throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
		}

		requestOptions.headers ??= {};
		if (authenticate.type !== 'generic') return requestOptions;
		for (const [outer, entries] of Object.entries(authenticate.properties)) {
			for (const [key, value] of Object.entries(entries)) {
				const resolvedKey = resolveAgainstCredentials(key, credentials, workflow, node);
				const resolvedValue = resolveAgainstCredentials(value, credentials, workflow, node);
				// n8n's merge: a missing (or falsy) container is replaced by a new object;
				// an existing one is written into — a string body throws a TypeError.
				if (!requestOptions[outer]) requestOptions[outer] = {};
				requestOptions[outer][resolvedKey] = resolvedValue;
			}
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async updateCredentials(nodeCredentials, type, data) {
		await this.setCredential(type, data, nodeCredentials);
	}

	async updateCredentialsOauthTokenData() {
		throw new UnexpectedError('OAuth credentials are not supported by the harness');
	}
}

/**
 * Resolves `={{$credentials.x}}`-style values with the workflow's real
 * expression engine, `$credentials` being the only extra key (as in n8n).
 * Non-expressions pass through; an empty result becomes '' (as in n8n).
 */
function resolveAgainstCredentials(value, credentials, workflow, node) {
	if (!isExpression(value)) return value;
	const resolved = workflow.expression.getSimpleParameterValue(
		node, value, 'internal', { $credentials: credentials }, undefined, '',
	);
	return resolved ? resolved.toString() : '';
}

module.exports = { TestCredentialsHelper };
