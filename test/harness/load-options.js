'use strict';
/**
 * Calls `methods.listSearch.*` / `methods.loadOptions.*` in an n8n-core
 * LoadOptionsContext, set up the way n8n's dynamic-parameters service does it
 * for the editor: a temporary workflow with one node called "Temp-Node" that
 * carries the editor's current parameters and the node's credentials.
 */
const { Workflow, UnexpectedError } = require('n8n-workflow');
const { LoadOptionsContext } = require('n8n-core');
const { createAdditionalData } = require('./workflow');

function findMethod(nodeType, methodName, kind) {
	const kinds = kind ? [kind] : ['listSearch', 'loadOptions'];
	for (const candidate of kinds) {
		const method = nodeType.methods?.[candidate]?.[methodName];
		if (typeof method === 'function') return { kind: candidate, method };
	}
	throw new UnexpectedError(`Node has no ${kinds.join('/')} method "${methodName}"`);
}

/**
 * @param {object} ctx { harnessWorkflow, credentialsHelper }
 * @param {string} methodName
 * @param {object} options { parameters, filter, paginationToken, path, kind }
 */
async function runLoadOptions(ctx, methodName, options = {}) {
	const { harnessWorkflow, credentialsHelper } = ctx;
	const { parameters = {}, filter, paginationToken, path = `parameters.${methodName}`, kind, typeVersion } = options;
	const node = { ...harnessWorkflow.buildNode({ parameters, typeVersion }), name: 'Temp-Node', id: 'uuid-1234' };
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: harnessWorkflow.nodeTypes,
	});
	const additionalData = createAdditionalData({ credentialsHelper, currentNodeParameters: parameters });
	const context = new LoadOptionsContext(workflow, workflow.getNode('Temp-Node'), additionalData, path);
	const found = findMethod(harnessWorkflow.nodeType, methodName, kind);
	return found.kind === 'listSearch'
		? await found.method.call(context, filter, paginationToken)
		: await found.method.call(context);
}

module.exports = { runLoadOptions };
