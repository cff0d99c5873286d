'use strict';
/**
 * Runs a node's `execute()` through n8n-core's own engine (`WorkflowExecute`),
 * so the ExecuteContext, its helpers, error handling (continue-on-fail), item
 * pairing and cancellation are all n8n's code. The workflow holds just the node
 * under test; the test's input items are put on the engine's execution stack
 * as if a previous node had produced them.
 */
const { createRunExecutionData } = require('n8n-workflow');
const { WorkflowExecute, ExecutionLifecycleHooks } = require('n8n-core');
const { createAdditionalData } = require('./workflow');

/**
 * Lifecycle hooks with the one handler the harness needs from n8n's own set:
 * after the run, changed static data is saved — except in manual mode, where
 * n8n does not save it either.
 */
function createHooks(harnessWorkflow, mode, executionId, workflowData) {
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	hooks.addHandler('workflowExecuteAfter', (_fullRunData, newStaticData) => {
		if (mode !== 'manual' && newStaticData) harnessWorkflow.saveStaticData(newStaticData);
	});
	return hooks;
}

/** Cancels the run the way n8n's "stop execution" does: `cancel()` on the engine's promise. */
function linkAbortSignal(abortSignal, execution) {
	if (!abortSignal) return () => {};
	const cancel = () => execution.cancel();
	if (abortSignal.aborted) cancel();
	else abortSignal.addEventListener('abort', cancel, { once: true });
	return () => abortSignal.removeEventListener('abort', cancel);
}

/**
 * @param {object} ctx  harness internals: { harnessWorkflow, credentialsHelper, nextExecutionId }
 * @param {object} options see index.js `runExecute`
 */
async function runExecute(ctx, options = {}) {
	const {
		parameters = {},
		inputItems = [{ json: {} }],
		continueOnFail = false,
		onError,
		abortSignal,
		timezone,
		settings,
		typeVersion,
		mode = 'trigger',
	} = options;
	const { harnessWorkflow, credentialsHelper } = ctx;

	const node = harnessWorkflow.buildNode({
		parameters,
		typeVersion,
		onError: onError ?? (continueOnFail ? 'continueRegularOutput' : undefined),
	});
	const workflow = harnessWorkflow.createWorkflow(node, { timezone, settings });
	const executionId = ctx.nextExecutionId();
	const workflowData = { id: workflow.id, name: workflow.name, nodes: [node], connections: {}, active: true, settings: workflow.settings };
	const hooks = createHooks(harnessWorkflow, mode, executionId, workflowData);
	const additionalData = createAdditionalData({ credentialsHelper, executionId, hooks });

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: workflow.getNode(node.name), data: { main: [structuredClone(inputItems)] }, source: null },
			],
		},
	});

	const engine = new WorkflowExecute(additionalData, mode, runExecutionData);
	const execution = engine.processRunExecutionData(workflow);
	const unlink = linkAbortSignal(abortSignal, execution);
	let run;
	try {
		run = await execution;
	} finally {
		unlink();
	}
	return toResult(run, node.name, executionId);
}

/** Shapes n8n's IRun into what tests assert on. */
function toResult(run, nodeName, executionId) {
	const taskData = run.data.resultData.runData[nodeName]?.[0];
	return {
		executionId,
		status: run.status,
		output: taskData?.data?.main,
		error: taskData?.error ?? run.data.resultData.error,
		hints: taskData?.hints ?? [],
		run,
	};
}

module.exports = { runExecute };
