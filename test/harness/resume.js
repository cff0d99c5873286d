'use strict';
/**
 * Waiting executions and their resume URL, following n8n 2.40's waiting
 * webhooks: an execution that called `putExecutionToWait()` gets
 * `$execution.resumeUrl` = `<base>/webhook-waiting/<executionId>?signature=<resumeToken>`
 * pointing at a real local server. A request there
 *
 * - 404 when no such execution waits, 409 once it is resumed or finished,
 *   401 `{"error":"Invalid token"}` for a missing or wrong signature;
 * - otherwise calls the waiting node's `restartWebhook` webhook (same method,
 *   `path` equal to the URL suffix) with the execution's data, then: no
 *   `workflowData` → answer and keep waiting; `workflowData` → answer
 *   (onReceived) and continue the execution with it through n8n's engine.
 *
 * `expire()` continues an execution as n8n does when the wait time is over:
 * the node is not run again and its original input passes through.
 */
const http = require('node:http');
const { WebhookContext } = require('n8n-core');
const { createAdditionalData } = require('./workflow');
const { extendResponse } = require('./express-shim');
const { resume } = require('./execute');
const {
	createCall, readAndParseRequest, evaluateField, callWebhook, onReceivedBody, webhookDataFor, listWebhooks,
} = require('./webhook');

function deferred() {
	let resolve;
	let reject;
	const promise = new Promise((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

function snapshotResponse(res) {
	return { statusCode: res.statusCode, headers: res.getHeaders() };
}

class WaitingExecutions {
	constructor(runtime) {
		this.runtime = runtime;
		this.entries = new Map();
		this.server = undefined;
		this.baseUrl = undefined;
	}

	/** URLs for additionalData, starting the server on first use. */
	async urls() {
		if (!this.server) await this.start();
		return {
			webhookWaitingBaseUrl: `${this.baseUrl}/webhook-waiting`,
			formWaitingBaseUrl: `${this.baseUrl}/form-waiting`,
		};
	}

	async start() {
		this.server = http.createServer((req, res) => {
			extendResponse(res);
			this.handle(req, res).catch((error) => {
				if (!res.headersSent) res.status(500).json({ code: 0, message: String(error?.message ?? error) });
			});
		});
		await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.baseUrl = `http://127.0.0.1:${this.server.address().port}`;
	}

	entryFor(executionId) {
		let entry = this.entries.get(executionId);
		if (!entry) {
			entry = { calls: [], finished: deferred(), everWaited: false };
			// Nobody may be waiting for the outcome; keep a failure from being "unhandled".
			entry.finished.promise.catch(() => {});
			this.entries.set(executionId, entry);
		}
		return entry;
	}

	/** A run started: its resume URL answers 409 until the run waits (as n8n does). */
	markRunning(executionId) {
		this.entryFor(executionId).state = 'running';
	}

	/** After a run (from runExecute/resume): keep it if it waits, so its resume URL works. */
	register(ctx, result) {
		const entry = this.entryFor(result.executionId);
		if (!result.waiting) {
			entry.state = 'finished';
			return;
		}
		Object.assign(entry, { ctx, waiting: result.waiting, state: 'waiting', everWaited: true });
	}

	entry(executionId) {
		const entry = this.entries.get(String(executionId));
		if (!entry?.everWaited) throw new Error(`Execution ${executionId} never waited in this harness`);
		return entry;
	}

	/** Resolves with the continued execution's result (plus `call`, the resuming request). */
	waitForResume(executionId) {
		return this.entry(executionId).finished.promise;
	}

	/** Records of every request made to the execution's resume URL so far. */
	calls(executionId) {
		return this.entry(executionId).calls;
	}

	/** The wait time is over: continue without a webhook call. */
	async expire(executionId) {
		const entry = this.entry(executionId);
		if (entry.state !== 'waiting') throw new Error(`Execution ${executionId} is not waiting (${entry.state})`);
		return await this.continueExecution(entry, undefined, undefined);
	}

	async continueExecution(entry, workflowData, call) {
		entry.state = 'running';
		try {
			const result = await resume(entry.ctx, entry.waiting, { workflowData });
			this.register(entry.ctx, result);
			if (!result.waiting) entry.finished.resolve({ ...result, call });
			return result;
		} catch (error) {
			entry.state = 'finished';
			entry.finished.reject(error);
			throw error;
		}
	}

	async handle(req, res) {
		const url = new URL(req.url, 'http://harness.local');
		const match = /^\/webhook-waiting\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
		const entry = match && this.entries.get(match[1]);
		if (!entry?.state) {
			return res.status(404).json({ code: 404, message: `The execution "${match?.[1]}" does not exist.` });
		}
		if (entry.state !== 'waiting') {
			return res.status(409).json({ code: 409, message: `The execution "${match[1]}" is ${entry.state} already.` });
		}
		if (url.searchParams.get('signature') !== entry.waiting.runExecutionData.resumeToken) {
			return res.status(401).json({ error: 'Invalid token' });
		}
		const { call, respond } = createCall(res);
		entry.calls.push(call);
		await this.callWaitingNode(entry, match[2] ?? '', req, res, call, respond);
		call.response ??= snapshotResponse(res);
		return undefined;
	}

	async callWaitingNode(entry, suffix, req, res, call, respond) {
		const { ctx, waiting } = entry;
		const { harnessWorkflow, credentialsHelper } = ctx;
		const workflow = harnessWorkflow.createWorkflow(waiting.node, { settings: waiting.settings });
		const workflowNode = workflow.getNode(waiting.node.name);
		const webhook = listWebhooks(workflow, workflowNode, harnessWorkflow.nodeType, waiting.mode).find(
			(candidate) => candidate.restart && candidate.httpMethod === req.method && candidate.nodePath === suffix,
		);
		if (!webhook) {
			respond(404, { code: 404, message: `The node "${workflowNode.name}" has no ${req.method} restart webhook at "${suffix}"` });
			return;
		}
		if (!(await readAndParseRequest(req, this.runtime, workflowNode.typeVersion, call, respond))) return;

		const additionalData = createAdditionalData({ credentialsHelper, executionId: waiting.executionId });
		Object.assign(additionalData, await this.urls(), { httpRequest: req, httpResponse: res });
		const webhookData = webhookDataFor(workflow, workflowNode, webhook, additionalData, waiting.mode);
		const responseCode = evaluateField(workflow, workflowNode, webhook.description, 'responseCode', waiting.mode, 200);
		const context = new WebhookContext(
			workflow, workflowNode, additionalData, waiting.mode, webhookData, [], waiting.runExecutionData,
		);

		try {
			call.webhookResult = await callWebhook(harnessWorkflow.nodeType, context);
		} catch (error) {
			// n8n answers with an error and the execution keeps waiting.
			call.error = error;
			respond(500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
			return;
		}
		if (res.headersSent || res.writableEnded) call.responded = 'node';
		const result = call.webhookResult;
		if (result.workflowData === undefined) {
			if (result.noWebhookResponse !== true) {
				respond(responseCode, result.webhookResponse ?? { message: 'Webhook call received' });
			}
			return;
		}
		if (result.noWebhookResponse !== true) {
			const responseData = evaluateField(workflow, workflowNode, webhook.description, 'responseData', waiting.mode, 'firstEntryJson');
			respond(responseCode, onReceivedBody(responseData, result));
		}
		// Continue after answering, like n8n (the caller does not wait for the run).
		call.response = snapshotResponse(res);
		this.continueExecution(entry, result.workflowData, call).catch(() => {});
	}

	async close() {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
		this.server = undefined;
	}
}

module.exports = { WaitingExecutions };
