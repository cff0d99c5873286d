'use strict';
/**
 * Runs a node's `execute()` through n8n-core's own engine (`WorkflowExecute`),
 * so the ExecuteContext, its helpers, error handling (continue-on-fail), item
 * pairing, waiting and cancellation are all n8n's code. The workflow holds just
 * the node under test; the test's input items are put on the engine's
 * execution stack as if a previous node had produced them.
 */
const { createRunExecutionData } = require('n8n-workflow');
const { WorkflowExecute, ExecutionLifecycleHooks } = require('n8n-core');
const { createAdditionalData } = require('./workflow');

/**
 * Lifecycle hooks with the one handler the harness needs from n8n's own set:
 * after the run, changed static data is saved — except in manual mode, where
 * n8n does not save it either.
 */
function createHooks(harnessWorkflow, mode, executionId, workflow) {
	const workflowData = {
		id: workflow.id,
		name: workflow.name,
		nodes: Object.values(workflow.nodes),
		connections: {},
		active: true,
		settings: workflow.settings,
	};
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
 * One pass of n8n's engine over `runExecutionData`, then the result shaped for
 * tests. A run that ends in `putExecutionToWait` is returned with `waiting`,
 * which `resume()` needs to continue it.
 */
async function runEngine(ctx, { workflow, node, mode, executionId, runExecutionData, abortSignal, resuming }) {
	const { harnessWorkflow, credentialsHelper } = ctx;
	const hooks = createHooks(harnessWorkflow, mode, executionId, workflow);
	const additionalData = createAdditionalData({ credentialsHelper, executionId, hooks });
	Object.assign(additionalData, ctx.urls ?? {});
	if (resuming) additionalData.restartExecutionId = executionId;

	ctx.onExecutionStart?.(executionId);
	const engine = new WorkflowExecute(additionalData, mode, runExecutionData);
	const execution = engine.processRunExecutionData(workflow);
	const unlink = linkAbortSignal(abortSignal, execution);
	let run;
	try {
		run = await execution;
	} finally {
		unlink();
	}

	const result = toResult(run, node.name, executionId);
	if (run.status === 'waiting') {
		result.waitTill = run.waitTill;
		result.resumeUrl = `${additionalData.webhookWaitingBaseUrl}/${executionId}?signature=${run.data.resumeToken}`;
		// What n8n keeps in its database for a waiting execution (a serialized copy).
		result.waiting = { node, mode, executionId, runExecutionData: structuredClone(run.data), settings: workflow.settings };
	}
	return result;
}

/**
 * @param {object} ctx  harness internals: { harnessWorkflow, credentialsHelper, nextExecutionId, urls, onExecutionStart }
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
		webhookId,
		mode = 'trigger',
	} = options;
	const node = ctx.harnessWorkflow.buildNode({
		parameters,
		typeVersion,
		webhookId,
		onError: onError ?? (continueOnFail ? 'continueRegularOutput' : undefined),
	});
	const workflow = ctx.harnessWorkflow.createWorkflow(node, { timezone, settings });
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: workflow.getNode(node.name), data: { main: [structuredClone(inputItems)] }, source: null },
			],
		},
	});
	const executionId = ctx.nextExecutionId();
	return await runEngine(ctx, { workflow, node, mode, executionId, runExecutionData, abortSignal });
}

/**
 * Continues a waiting execution as n8n does after a resume webhook or when the
 * wait time is over: the engine disables the waiting node and forwards its
 * input — the webhook's `workflowData` when given, else the original items.
 */
async function resume(ctx, waiting, { workflowData, abortSignal } = {}) {
	const runExecutionData = waiting.runExecutionData;
	const resumingEntry = runExecutionData.executionData.nodeExecutionStack[0];
	if (workflowData !== undefined) {
		resumingEntry.data.main = workflowData;
		resumingEntry.metadata = { ...resumingEntry.metadata, forwardAllOutputs: true };
	}
	const workflow = ctx.harnessWorkflow.createWorkflow(waiting.node, { settings: waiting.settings });
	return await runEngine(ctx, {
		workflow,
		node: waiting.node,
		mode: waiting.mode,
		executionId: waiting.executionId,
		runExecutionData,
		abortSignal,
		resuming: true,
	});
}

/** Shapes n8n's IRun into what tests assert on. */
function toResult(run, nodeName, executionId) {
	const taskData = run.data.resultData.runData[nodeName]?.at(-1);
	return {
		executionId,
		status: run.status,
		output: taskData?.data?.main,
		error: taskData?.error ?? run.data.resultData.error,
		hints: taskData?.hints ?? [],
		run,
	};
}

module.exports = { runExecute, resume };
