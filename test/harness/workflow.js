'use strict';
/**
 * One harness "workflow" per node class: a fixed workflow id, a single node
 * built from the test's parameters, and the workflow's saved static data.
 * Every run builds a fresh n8n-workflow `Workflow` from that saved state, the
 * way n8n rebuilds a workflow from its database row for each execution.
 */
const { Workflow, UnexpectedError } = require('n8n-workflow');

const BASE_URL = 'http://localhost:5678';

/**
 * The `additionalData` n8n passes to every context. URLs follow a default
 * local n8n; the features n8n provides from its own services (sub-workflows,
 * task runners, AI events) fail loudly instead of silently doing nothing.
 */
function createAdditionalData({ credentialsHelper, executionId, hooks, currentNodeParameters }) {
	const unsupported = (what) => () => {
		throw new UnexpectedError(`${what} is not available in the test harness`);
	};
	return {
		credentialsHelper,
		executionId,
		hooks,
		currentNodeParameters,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}/rest`,
		instanceBaseUrl: `${BASE_URL}/`,
		formBaseUrl: `${BASE_URL}/form`,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
		formTestBaseUrl: `${BASE_URL}/form-test`,
		webhookBaseUrl: `${BASE_URL}/webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		mcpBaseUrl: `${BASE_URL}/mcp`,
		mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
		variables: {},
		executeWorkflow: unsupported('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: unsupported('The task runner'),
		logAiEvent: () => {},
	};
}

class HarnessWorkflow {
	/**
	 * @param {object} options
	 * @param {string} options.id workflow id
	 * @param {string} options.typeName registered node type name
	 * @param {object} options.nodeType the node type instance
	 * @param {import('./node-types').HarnessNodeTypes} options.nodeTypes
	 * @param {import('./credentials-helper').TestCredentialsHelper} options.credentialsHelper
	 */
	constructor({ id, typeName, nodeType, nodeTypes, credentialsHelper }) {
		this.id = id;
		this.typeName = typeName;
		this.nodeType = nodeType;
		this.nodeTypes = nodeTypes;
		this.credentialsHelper = credentialsHelper;
		this.nodeName = nodeType.description.defaults?.name ?? nodeType.description.displayName;
		/** Static data as n8n keeps it in the database: a JSON string. */
		this.savedStaticData = '{}';
	}

	get latestVersion() {
		const { version } = this.nodeType.description;
		return Array.isArray(version) ? Math.max(...version) : version;
	}

	/** The node as it would appear in a saved workflow. */
	buildNode({ parameters = {}, typeVersion, onError, webhookId } = {}) {
		const node = {
			id: 'a1b2c3d4-0000-4000-8000-000000000001',
			name: this.nodeName,
			type: this.typeName,
			typeVersion: typeVersion ?? this.latestVersion,
			position: [0, 0],
			parameters: structuredClone(parameters),
			credentials: this.credentialReferences(),
		};
		if (onError) node.onError = onError;
		if (webhookId) node.webhookId = webhookId;
		return node;
	}

	/** References to every stored credential the node declares. */
	credentialReferences() {
		const references = {};
		for (const { name } of this.nodeType.description.credentials ?? []) {
			const reference = this.credentialsHelper.referenceFor(name);
			if (reference) references[name] = reference;
		}
		return references;
	}

	/** A fresh Workflow over a copy of the saved static data. */
	createWorkflow(node, { timezone, settings = {} } = {}) {
		return new Workflow({
			id: this.id,
			name: `Harness: ${this.nodeName}`,
			nodes: [node],
			connections: {},
			active: true,
			nodeTypes: this.nodeTypes,
			staticData: JSON.parse(this.savedStaticData),
			settings: { executionOrder: 'v1', ...settings, ...(timezone ? { timezone } : {}) },
		});
	}

	/** Persists static data the way n8n's save hook does: as JSON. */
	saveStaticData(staticData) {
		this.savedStaticData = JSON.stringify(staticData);
	}

	/** The node's static data (`getWorkflowStaticData('node')`) as last saved. */
	getNodeStaticData() {
		return JSON.parse(this.savedStaticData)[`node:${this.nodeName}`];
	}

	setNodeStaticData(value) {
		const all = JSON.parse(this.savedStaticData);
		if (value === undefined) delete all[`node:${this.nodeName}`];
		else all[`node:${this.nodeName}`] = value;
		this.savedStaticData = JSON.stringify(all);
	}
}

module.exports = { HarnessWorkflow, createAdditionalData, BASE_URL };
