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
// Must come first: it prepares the environment n8n reads on first use.
const { getRuntime } = require('./runtime');
const { HarnessNodeTypes, HarnessCredentialTypes, loadPackageCredentialTypes, instantiate } = require('./node-types');
const { TestCredentialsHelper } = require('./credentials-helper');
const { HarnessWorkflow } = require('./workflow');
const { runExecute } = require('./execute');
const { describeBinary, describeItemBinaries } = require('./binary');

class Harness {
	constructor({ runtime, nodeTypes, credentialTypes, credentialsHelper }) {
		this.runtime = runtime;
		this.nodeTypes = nodeTypes;
		this.credentialTypes = credentialTypes;
		this.credentialsHelper = credentialsHelper;
		this.workflows = new Map();
		this.executionCounter = 0;
		this.openServers = new Set();
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
				id: `harnessWf${String(this.workflows.size + 1).padStart(7, '0')}`,
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
	 * @returns {Promise<{output, error, status, hints, executionId, run, binaries}>}
	 */
	async runExecute(NodeClass, options = {}) {
		const result = await runExecute(this.internals(NodeClass), options);
		result.binaries = (item) => describeItemBinaries(this.runtime.binaryDataService, item);
		return result;
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

	async close() {
		await Promise.all([...this.openServers].map(async (server) => await server.close()));
		this.openServers.clear();
	}
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
