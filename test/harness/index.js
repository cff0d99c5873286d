'use strict';
/**
 * Test harness that runs this package's nodes inside n8n-core's real execution
 * contexts. See README.md in this folder for what is real and what stands in.
 *
 *   const { createHarness } = require('../harness');
 *   const harness = await createHarness({ credentials: { selzyApi: { apiKey, baseUrl } } });
 *   const { output, error } = await harness.runExecute(Selzy, { parameters: {...} });
 *   await harness.close();
 */
const fs = require('node:fs');
const path = require('node:path');
// Must come before anything from n8n: it prepares the environment n8n reads on first use.
const { getRuntime } = require('./runtime');
const { HarnessNodeTypes, HarnessCredentialTypes, loadPackageCredentialTypes, instantiate } = require('./node-types');
const { TestCredentialsHelper } = require('./credentials-helper');
const { HarnessWorkflow } = require('./workflow');
const { runExecute } = require('./execute');
const { WaitingExecutions } = require('./resume');
const { describeBinary, describeItemBinaries } = require('./binary');
const { startWebhookServer, runWebhookMethod } = require('./webhook');
const { sendToWebhook } = require('./webhook-client');
const { runLoadOptions } = require('./load-options');
const { runCredentialTest } = require('./credential-test');

class Harness {
	constructor({ runtime, nodeTypes, credentialTypes, credentialsHelper }) {
		this.runtime = runtime;
		this.nodeTypes = nodeTypes;
		this.credentialTypes = credentialTypes;
		this.credentialsHelper = credentialsHelper;
		this.workflows = new Map();
		this.executionCounter = 0;
		this.openServers = new Set();
		this.waitingExecutions = new WaitingExecutions(runtime);
	}

	/** Every call made on n8n's Logger (by nodes and by n8n) since the harness started. */
	get logs() {
		return this.runtime.logs;
	}

	/** Folder under which n8n's filesystem binary store writes. */
	get binaryDir() {
		return this.runtime.binaryDir;
	}

	/** The harness workflow for a node class (created on first use, then reused). */
	workflowFor(NodeClass) {
		const { typeName, nodeType } = this.nodeTypes.register(NodeClass);
		let harnessWorkflow = this.workflows.get(typeName);
		if (!harnessWorkflow) {
			harnessWorkflow = new HarnessWorkflow({
				// Unique per test file, so harnesses never share binary folders.
				id: `harnessWf${String(++this.runtime.workflowCounter).padStart(7, '0')}`,
				typeName,
				nodeType,
				nodeTypes: this.nodeTypes,
				credentialsHelper: this.credentialsHelper,
			});
			this.workflows.set(typeName, harnessWorkflow);
		}
		return harnessWorkflow;
	}

	internals(NodeClass) {
		return {
			harnessWorkflow: this.workflowFor(NodeClass),
			credentialsHelper: this.credentialsHelper,
			runtime: this.runtime,
			nextExecutionId: () => String(++this.executionCounter),
		};
	}

	/**
	 * Runs `execute()` through n8n's WorkflowExecute.
	 * @param {Function|object} NodeClass
	 * @param {object} [options]
	 * @param {object} [options.parameters] node parameters as saved in a workflow (defaults are added by n8n)
	 * @param {Array} [options.inputItems=[{json:{}}]] items arriving at the node's input
	 * @param {boolean} [options.continueOnFail=false] sets `onError: 'continueRegularOutput'`
	 * @param {string} [options.onError] explicit n8n onError setting
	 * @param {AbortSignal} [options.abortSignal] aborting it stops the execution like n8n's Stop button
	 * @param {string} [options.timezone] workflow timezone setting
	 * @param {string} [options.mode='trigger'] execution mode; 'manual' does not save static data (as in n8n)
	 * @returns {Promise<{output, error, status, hints, executionId, run, binaries, waitTill?, resumeUrl?}>}
	 */
	async runExecute(NodeClass, options = {}) {
		const ctx = this.internals(NodeClass);
		// Live resume URLs, so a waiting node can hand `$execution.resumeUrl` to a server.
		ctx.urls = await this.waitingExecutions.urls();
		ctx.onExecutionStart = (executionId) => this.waitingExecutions.markRunning(executionId);
		const result = await runExecute(ctx, options);
		this.waitingExecutions.register(ctx, result);
		return this.withBinaries(result);
	}

	/**
	 * For a run that ended with status 'waiting': resolves once a request to its
	 * `resumeUrl` made n8n continue it, with the continued run's result and
	 * `call` (the resuming request's record: webhookResult, response, ...).
	 */
	async waitForResume(waitingResult) {
		return this.withBinaries(await this.waitingExecutions.waitForResume(executionIdOf(waitingResult)));
	}

	/** Continues a waiting run as n8n does when its wait time is over (input passes through). */
	async expireWait(waitingResult) {
		return this.withBinaries(await this.waitingExecutions.expire(executionIdOf(waitingResult)));
	}

	/** Records of all requests made to a waiting run's resume URL, including refused ones. */
	resumeCalls(waitingResult) {
		return this.waitingExecutions.calls(executionIdOf(waitingResult));
	}

	/** Entries n8n's deduplication store holds for the node (scope 'node'), as `helpers.checkProcessedAndRecord` wrote them. */
	async processedCount(NodeClass) {
		return await this.runtime.deduplication.getProcessedDataCount('node', this.deduplicationContext(NodeClass));
	}

	/** Empties the node's entries in n8n's deduplication store. */
	async clearProcessed(NodeClass) {
		await this.runtime.deduplication.clearAllProcessedItems('node', this.deduplicationContext(NodeClass));
	}

	deduplicationContext(NodeClass) {
		const { harnessWorkflow } = this.internals(NodeClass);
		return { workflow: { id: harnessWorkflow.id, active: true }, node: harnessWorkflow.buildNode() };
	}

	withBinaries(result) {
		result.binaries = (item) => describeItemBinaries(this.runtime.binaryDataService, item);
		return result;
	}

	/**
	 * Starts a real local HTTP server that serves the node's webhooks at their
	 * n8n paths (`/webhook/<webhookId>/<path>`). Close it (or `harness.close()`).
	 * @param {object} [options] { parameters, mode='webhook' ('manual' = test webhook), webhookId, typeVersion }
	 * @returns {Promise<{ baseUrl, url(name?), webhook(name?), nextCall(), calls, close() }>}
	 */
	async startWebhook(NodeClass, options = {}) {
		const server = await startWebhookServer(this.internals(NodeClass), options);
		this.openServers.add(server);
		const close = server.close;
		server.close = async () => {
			this.openServers.delete(server);
			await close();
		};
		return server;
	}

	/**
	 * Sends one real HTTP request to the node's webhook and returns what happened.
	 * @param {object} [options]
	 * @param {object} [options.parameters]
	 * @param {object} [options.request] { method (default: the webhook's), headers, query, body, rawBody }
	 *   `rawBody` (string|Buffer) is sent as is; an object `body` is sent as JSON, or PHP-style
	 *   form encoding when the content-type is application/x-www-form-urlencoded.
	 * @param {object} [options.staticData] node static data to start from (replaces the saved one)
	 * @param {string} [options.webhookName='default']
	 * @returns {Promise<{ webhookResult, error, request, response: { statusCode, headers, body, text, headersSent, answeredBy }, staticData: { changed, saved, value }, lateResponseAttempt }>}
	 */
	async runWebhook(NodeClass, options = {}) {
		const { request = {}, staticData, webhookName = 'default', ...serverOptions } = options;
		if (staticData !== undefined) this.setStaticData(NodeClass, staticData);
		const server = await this.startWebhook(NodeClass, serverOptions);
		try {
			return await sendToWebhook(server, webhookName, request, this.runtime.qs);
		} finally {
			await server.close();
		}
	}

	/**
	 * Runs `webhookMethods[webhookName][method]` (checkExists | create | delete) in a HookContext.
	 * @param {object} [options] { parameters, server (from startWebhook), webhookName, activation, mode }
	 */
	async runWebhookMethod(NodeClass, method, options = {}) {
		return await runWebhookMethod(this.internals(NodeClass), method, options);
	}

	/**
	 * Calls `methods.listSearch[methodName]` (with filter, paginationToken) or
	 * `methods.loadOptions[methodName]` in a LoadOptionsContext.
	 * @param {object} [options] { parameters (the editor's current values), filter, paginationToken, path, kind }
	 */
	async runLoadOptions(NodeClass, methodName, options = {}) {
		return await runLoadOptions(this.internals(NodeClass), methodName, options);
	}

	/**
	 * Runs a credential's declarative test like n8n's "Test connection" button.
	 * @param {Function|object|string} CredentialClass class, instance or registered type name
	 * @param {object} data credential data as typed in the editor (defaults are added)
	 * @returns {Promise<{ status: 'OK'|'Error', message: string }>}
	 */
	async runCredentialTest(CredentialClass, data) {
		const credentialType = typeof CredentialClass === 'string'
			? this.credentialTypes.getByName(CredentialClass)
			: instantiate(CredentialClass);
		if (!this.credentialTypes.recognizes(credentialType.name)) this.credentialTypes.add(credentialType);
		return await runCredentialTest(
			{ credentialsHelper: this.credentialsHelper, nodeTypes: this.nodeTypes },
			credentialType,
			data,
		);
	}

	/** `{ [binaryProperty]: readBinary(...) }` for one item. */
	binaries(item) {
		return describeItemBinaries(this.runtime.binaryDataService, item);
	}

	/** Path, size, bytes and metadata of one stored binary (`item.binary.data`). */
	readBinary(binaryData) {
		return describeBinary(this.runtime.binaryDataService, binaryData);
	}

	/** The node's saved `getWorkflowStaticData('node')` object (a copy), or undefined. */
	getStaticData(NodeClass) {
		return this.workflowFor(NodeClass).getNodeStaticData();
	}

	/** Replaces the node's saved static data (undefined clears it). */
	setStaticData(NodeClass, value) {
		this.workflowFor(NodeClass).setNodeStaticData(value);
	}

	/**
	 * Closes webhook servers and deletes the binary files this harness's
	 * workflows wrote (`<binaryDir>/workflows/<id>`), unless `keepFiles`.
	 */
	async close({ keepFiles = false } = {}) {
		await Promise.all([...this.openServers].map(async (server) => await server.close()));
		this.openServers.clear();
		await this.waitingExecutions.close();
		if (keepFiles) return;
		for (const harnessWorkflow of this.workflows.values()) {
			fs.rmSync(path.join(this.binaryDir, 'workflows', harnessWorkflow.id), { recursive: true, force: true });
		}
	}
}

function executionIdOf(resultOrId) {
	return typeof resultOrId === 'object' ? resultOrId.executionId : String(resultOrId);
}

/**
 * @param {object} [options]
 * @param {object} [options.credentials] `{ [credentialType]: data }`, e.g. `{ selzyApi: { apiKey, baseUrl, language } }`
 * @param {string} [options.binaryDir] where n8n's filesystem binary store writes (first harness of a test file decides)
 * @param {Array} [options.credentialTypes] credential classes; defaults to the ones in package.json
 */
async function createHarness({ credentials = {}, binaryDir, credentialTypes } = {}) {
	const runtime = await getRuntime({ binaryDir });
	const types = new HarnessCredentialTypes(
		credentialTypes
			? Object.fromEntries(credentialTypes.map((Type) => instantiate(Type)).map((type) => [type.name, type]))
			: loadPackageCredentialTypes(),
	);
	const credentialsHelper = new TestCredentialsHelper(types);
	for (const [type, data] of Object.entries(credentials)) {
		await credentialsHelper.setCredential(type, data);
	}
	return new Harness({ runtime, nodeTypes: new HarnessNodeTypes(), credentialTypes: types, credentialsHelper });
}

module.exports = { createHarness };
