'use strict';
/**
 * Serves a node's `webhook()` on a real local HTTP server, following the steps
 * n8n 2.40 takes for a production webhook request (LiveWebhooks +
 * webhook-helpers): find the webhook by method and path, read and parse the
 * body, call `webhook()` in an n8n-core WebhookContext, then answer the caller
 * unless the node already did, and save static data when n8n would.
 *
 * When `workflowData` comes back and the node has `execute()` (a trigger that
 * reads its file in the execution), the execution n8n starts is run too: the
 * node's `execute()` gets the webhook's items, and (as n8n 2.40 does for
 * 'onReceived') the caller is answered once that execution has started; the
 * call's record then holds it as `execution`.
 *
 * Not mirrored: multipart/form-data and XML bodies, CORS/OPTIONS, the
 * lastNode/responseNode response modes (they need the rest of a workflow),
 * cookie sanitising, nodes after the start node.
 */
const http = require('node:http');
const zlib = require('node:zlib');
const querystring = require('node:querystring');
const { jsonParse, NodeHelpers, resolveWebhookDescriptionField, isNodeClassInstance } = require('n8n-workflow');
const { WebhookContext, HookContext } = require('n8n-core');
const { createAdditionalData } = require('./workflow');
const { runExecute } = require('./execute');
const { extendRequest, extendResponse } = require('./express-shim');

/** N8N_PAYLOAD_SIZE_MAX default (16 MiB). */
const PAYLOAD_SIZE_MAX = 16 * 1024 * 1024;
/** A fixed webhookId, as a saved workflow would have for the node. */
const DEFAULT_WEBHOOK_ID = '5e1c7a2b-9d4f-4c3e-8a6b-0f2d4e6a8c10';

class HttpError extends Error {
	constructor(statusCode, message) {
		super(message);
		this.statusCode = statusCode;
	}
}

/**
 * A webhook-description field: natively resolved when the description declares
 * a resolver (n8n 2.x), otherwise through the expression engine (as n8n-core does).
 */
function evaluateField(workflow, node, description, field, mode, fallback) {
	const native = resolveWebhookDescriptionField(node, description, field);
	if (native.resolved) return native.value ?? fallback;
	const value = description[field];
	if (value === undefined) return fallback;
	if (typeof value === 'object' && value !== null) {
		return workflow.expression.getComplexParameterValue(node, value, mode, {}, undefined, fallback);
	}
	return workflow.expression.getSimpleParameterValue(node, value, mode, {}, undefined, fallback);
}

/** All webhooks of the node with their n8n URL path (`/webhook/<webhookId>/<path>`). */
function listWebhooks(workflow, node, nodeType, mode) {
	const prefix = mode === 'manual' ? '/webhook-test/' : '/webhook/';
	return (nodeType.description.webhooks ?? []).map((description) => {
		let path = String(evaluateField(workflow, node, description, 'path', mode, ''));
		if (path.startsWith('/')) path = path.slice(1);
		const isFullPath = evaluateField(workflow, node, description, 'isFullPath', mode, false);
		const restartWebhook = evaluateField(workflow, node, description, 'restartWebhook', mode, false);
		return {
			description,
			httpMethod: String(evaluateField(workflow, node, description, 'httpMethod', mode, 'GET')).toUpperCase(),
			nodePath: path,
			// Restart webhooks only live under /webhook-waiting/<executionId> (resume.js).
			restart: restartWebhook === true,
			urlPath: prefix + NodeHelpers.getNodeWebhookPath(workflow.id, node, path, isFullPath, restartWebhook),
		};
	});
}

/** Reads the whole body like n8n's rawBodyReader: gzip/deflate decoded, size-limited. */
async function readRawBody(req) {
	const encoding = req.headers['content-encoding'];
	let stream = req;
	if (encoding === 'gzip') stream = req.pipe(zlib.createGunzip());
	else if (encoding === 'deflate') stream = req.pipe(zlib.createInflate());
	const chunks = [];
	let size = 0;
	for await (const chunk of stream) {
		size += chunk.length;
		if (size > PAYLOAD_SIZE_MAX) throw new HttpError(413, 'request entity too large');
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

function isParsableContentType(contentType) {
	if (!contentType) return false;
	return (
		contentType.startsWith('application/json') ||
		contentType.startsWith('text/plain') ||
		contentType.startsWith('application/x-www-form-urlencoded') ||
		contentType.endsWith('/xml') ||
		contentType.endsWith('+xml')
	);
}

/**
 * n8n's body parsing for webhooks: JSON → object, urlencoded → node
 * `querystring.parse` (flat keys such as `ids[]`), text/plain → string; any
 * other type leaves `body` undefined (the bytes stay in `rawBody`). XML is
 * parsed by n8n but not here (no xml2js) — it also stays undefined.
 */
function parseBody(req, typeVersion) {
	const { rawBody, contentType, encoding } = req;
	if (typeVersion > 1 && !isParsableContentType(contentType)) return;
	if (!rawBody?.length) return;
	try {
		if (contentType === 'application/json') {
			req.body = jsonParse(rawBody.toString(encoding));
		} else if (contentType === 'application/x-www-form-urlencoded') {
			req.body = querystring.parse(rawBody.toString(encoding), undefined, undefined, { maxKeys: 1000 });
		} else if (contentType === 'text/plain') {
			req.body = rawBody.toString(encoding);
		}
	} catch (error) {
		throw new HttpError(422, `Failed to parse request body: ${error.message}`);
	}
}

/**
 * Reads and parses the body into the express-like request. On a 413/422 it
 * answers and returns false (n8n refuses such requests before any node runs).
 */
async function readAndParseRequest(req, runtime, typeVersion, call, respond) {
	try {
		const rawBody = await readRawBody(req);
		extendRequest(req, { rawBody, qs: runtime.qs, parseIncomingMessage: runtime.parseIncomingMessage });
		parseBody(req, typeVersion);
	} catch (error) {
		call.error = error;
		respond(error.statusCode ?? 400, { code: error.statusCode ?? 400, message: error.message });
		return false;
	}
	call.request = { method: req.method, headers: req.headers, query: req.query, body: req.body, rawBody: req.rawBody };
	return true;
}

/** n8n's automatic body for responseMode 'onReceived'. */
function onReceivedBody(responseData, webhookResult) {
	if (responseData === 'noData') return undefined;
	if (responseData) return responseData;
	if (webhookResult.webhookResponse !== undefined) return webhookResult.webhookResponse;
	return { message: 'Workflow was started' };
}

/** Calls the node's webhook() the way n8n's WebhookService.runWebhook does. */
async function callWebhook(nodeType, context) {
	if (nodeType.webhook === undefined) throw new Error('Node does not have any webhooks defined');
	return isNodeClassInstance(nodeType) ? await nodeType.webhook(context) : await nodeType.webhook.call(context);
}

/** Record of one call, plus `respond()` that notes (instead of throwing) a second answer. */
function createCall(res) {
	const call = { webhookResult: undefined, error: undefined, responded: 'none', lateResponseAttempt: false };
	const respond = (statusCode, body) => {
		// n8n would log "Cannot set headers after they are sent" here.
		if (res.headersSent || res.writableEnded) {
			call.lateResponseAttempt = true;
			return;
		}
		call.responded = 'harness';
		res.status(statusCode);
		if (body === undefined) res.end();
		else res.send(body);
	};
	return { call, respond };
}

/** The workflow built for this request and the node's webhook the request is for, if any. */
function matchWebhook(harnessWorkflow, options, req) {
	const { parameters = {}, typeVersion, mode = 'webhook', webhookId = DEFAULT_WEBHOOK_ID } = options;
	const node = harnessWorkflow.buildNode({ parameters, typeVersion, webhookId });
	const workflow = harnessWorkflow.createWorkflow(node, options);
	const workflowNode = workflow.getNode(node.name);
	const pathname = new URL(req.url, 'http://harness.local').pathname;
	const webhook = listWebhooks(workflow, workflowNode, harnessWorkflow.nodeType, mode).find(
		(candidate) => !candidate.restart && candidate.httpMethod === req.method && candidate.urlPath === pathname,
	);
	return { workflow, workflowNode, webhook, mode };
}

/** additionalData for webhook(): the live request/response and the server's own URLs. */
function webhookAdditionalData(credentialsHelper, server, req, res) {
	// Before the node runs n8n has no execution, so executionId stays undefined
	// (binaries written in webhook() go to executions/temp, as in n8n).
	const additionalData = createAdditionalData({ credentialsHelper, executionId: undefined, hooks: undefined });
	additionalData.webhookBaseUrl = `${server.baseUrl}/webhook`;
	additionalData.webhookTestBaseUrl = `${server.baseUrl}/webhook-test`;
	additionalData.httpRequest = req;
	additionalData.httpResponse = res;
	return additionalData;
}

function webhookDataFor(workflow, workflowNode, webhook, additionalData, mode) {
	return {
		httpMethod: webhook.httpMethod,
		node: workflowNode.name,
		path: webhook.nodePath,
		webhookDescription: webhook.description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: workflowNode.webhookId,
		isTest: mode === 'manual',
	};
}

/**
 * What n8n does after webhook() returned: answer now when no execution starts
 * or the node answered itself (static data is saved in that same callback);
 * otherwise an execution starts first and then the automatic answer is sent.
 * On that second path n8n 2.40 builds a new Workflow over the same static
 * data, which clears its "changed" flag before the save, so changes made in
 * webhook() are lost (observed on a running n8n 2.40) — the harness reproduces that.
 */
function answerAfterWebhook({ call, respond, result, workflow, workflowNode, webhook, harnessWorkflow, mode, responseCode }) {
	if (result.noWebhookResponse === true || result.workflowData === undefined) {
		if (result.noWebhookResponse !== true) {
			respond(responseCode, result.webhookResponse ?? { message: 'Webhook call received' });
		}
		call.staticData = staticDataOutcome(workflow, harnessWorkflow, { save: true, mode });
		return;
	}
	call.staticData = staticDataOutcome(workflow, harnessWorkflow, { save: false, mode });
	const responseMode = evaluateField(workflow, workflowNode, webhook.description, 'responseMode', mode, 'onReceived');
	if (responseMode === 'onReceived') {
		const responseData = evaluateField(workflow, workflowNode, webhook.description, 'responseData', mode, 'firstEntryJson');
		respond(responseCode, onReceivedBody(responseData, result));
	} else if (call.responded === 'none') {
		call.error = new Error(`responseMode "${responseMode}" needs the rest of a workflow; the harness only answers 'onReceived'`);
		respond(500, { code: 0, message: call.error.message });
	}
}

/**
 * Handles one request end to end and returns the record of the call.
 * @param {object} ctx { harnessWorkflow, credentialsHelper, runtime }
 */
async function handleWebhookRequest(ctx, options, server, req, res) {
	const { harnessWorkflow, credentialsHelper, runtime } = ctx;
	extendResponse(res);
	const { call, respond } = createCall(res);

	const { workflow, workflowNode, webhook, mode } = matchWebhook(harnessWorkflow, options, req);
	if (!webhook) {
		respond(404, { code: 404, message: `The requested webhook "${req.method} ${req.url}" is not registered.` });
		return call;
	}

	if (!(await readAndParseRequest(req, runtime, workflowNode.typeVersion, call, respond))) return call;

	const additionalData = webhookAdditionalData(credentialsHelper, server, req, res);
	const webhookData = webhookDataFor(workflow, workflowNode, webhook, additionalData, mode);
	// n8n evaluates the response code before running the node.
	const responseCode = evaluateField(workflow, workflowNode, webhook.description, 'responseCode', mode, 200);
	const context = new WebhookContext(workflow, workflowNode, additionalData, mode, webhookData, [], null);

	try {
		call.webhookResult = await callWebhook(harnessWorkflow.nodeType, context);
	} catch (error) {
		call.error = error;
		respond(500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
		call.staticData = staticDataOutcome(workflow, harnessWorkflow, { save: false, mode });
		return call;
	}
	if (res.headersSent || res.writableEnded) call.responded = 'node';
	const answer = () =>
		answerAfterWebhook({
			call, respond, result: call.webhookResult, workflow, workflowNode, webhook, harnessWorkflow, mode, responseCode,
		});
	const workflowData = call.webhookResult?.workflowData;
	if (workflowData === undefined || typeof harnessWorkflow.nodeType.execute !== 'function') {
		answer();
		return call;
	}
	// n8n 2.40 saves the execution, then answers an 'onReceived' webhook, then runs it.
	call.execution = await runExecute(
		{ ...ctx, onExecutionStart: answer },
		{ parameters: options.parameters, webhookId: workflowNode.webhookId, inputItems: workflowData[0], mode: mode === 'manual' ? 'manual' : 'webhook' },
	);
	return call;
}

/**
 * Whether n8n would save the static data the webhook changed. Test webhooks
 * (mode 'manual') never save.
 */
function staticDataOutcome(workflow, harnessWorkflow, { save, mode }) {
	const changed = workflow.staticData.__dataChanged === true;
	const saved = changed && save && mode !== 'manual';
	if (saved) harnessWorkflow.saveStaticData(workflow.staticData);
	const value = JSON.parse(JSON.stringify(workflow.staticData))[`node:${harnessWorkflow.nodeName}`];
	return { changed, saved, value };
}

/**
 * Starts a local server for one node class. Each request is handled with the
 * current saved state of the harness workflow.
 */
async function startWebhookServer(ctx, options = {}) {
	const calls = [];
	const waiters = [];
	let consumed = 0;
	const server = http.createServer((req, res) => {
		const finished = new Promise((resolve) => res.on('close', resolve));
		handleWebhookRequest(ctx, options, handle, req, res)
			.catch((error) => {
				if (!res.headersSent) res.writeHead(500).end(String(error?.message ?? error));
				return { error, responded: 'harness' };
			})
			.then(async (call) => {
				await finished;
				call.response = { statusCode: res.statusCode, headers: res.getHeaders() };
				calls.push(call);
				if (waiters.length > 0) {
					consumed += 1;
					waiters.shift()(call);
				}
			});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();

	const handle = {
		baseUrl: `http://127.0.0.1:${port}`,
		calls,
		/** `{ url, httpMethod }` of a webhook of the node (by description name). */
		webhook(name = 'default') {
			const { harnessWorkflow } = ctx;
			const node = harnessWorkflow.buildNode({
				parameters: options.parameters,
				typeVersion: options.typeVersion,
				webhookId: options.webhookId ?? DEFAULT_WEBHOOK_ID,
			});
			const workflow = harnessWorkflow.createWorkflow(node, options);
			const webhook = listWebhooks(workflow, workflow.getNode(node.name), harnessWorkflow.nodeType, options.mode ?? 'webhook')
				.find((candidate) => candidate.description.name === name && !candidate.restart);
			if (!webhook) throw new Error(`The node has no (non-restart) webhook named "${name}"`);
			return { url: handle.baseUrl + webhook.urlPath, httpMethod: webhook.httpMethod };
		},
		/** URL of a webhook of the node (by description name, default 'default'). */
		url(name = 'default') {
			return handle.webhook(name).url;
		},
		/** Resolves with the record of the next not yet returned call, once its response is finished. */
		nextCall() {
			if (consumed < calls.length) return Promise.resolve(calls[consumed++]);
			return new Promise((resolve) => waiters.push(resolve));
		},
		async close() {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
	return handle;
}

/**
 * Runs one of the node's `webhookMethods` (checkExists / create / delete) in an
 * n8n-core HookContext, as n8n does when a workflow is activated or
 * deactivated. n8n saves static data changed there, so the harness does too.
 * Pass `server` (from startWebhook) so `getNodeWebhookUrl()` returns its URL.
 */
async function runWebhookMethod(ctx, method, options = {}) {
	const { harnessWorkflow, credentialsHelper } = ctx;
	const {
		parameters = {}, typeVersion, webhookId = DEFAULT_WEBHOOK_ID, webhookName = 'default',
		mode = 'webhook', activation = 'activate', server,
	} = options;
	const node = harnessWorkflow.buildNode({ parameters, typeVersion, webhookId });
	const workflow = harnessWorkflow.createWorkflow(node, options);
	const workflowNode = workflow.getNode(node.name);
	const { nodeType } = harnessWorkflow;
	const webhook = listWebhooks(workflow, workflowNode, nodeType, mode).find(
		(candidate) => candidate.description.name === webhookName,
	);
	const fn = nodeType.webhookMethods?.[webhookName]?.[method];
	if (!webhook || typeof fn !== 'function') {
		throw new Error(`The node has no webhookMethods.${webhookName}.${method}`);
	}

	const additionalData = createAdditionalData({ credentialsHelper });
	if (server) {
		additionalData.webhookBaseUrl = `${server.baseUrl}/webhook`;
		additionalData.webhookTestBaseUrl = `${server.baseUrl}/webhook-test`;
	}
	const webhookData = webhookDataFor(workflow, workflowNode, webhook, additionalData, mode);
	const context = new HookContext(workflow, workflowNode, additionalData, mode, activation, webhookData);
	const result = isNodeClassInstance(nodeType) ? await fn(context) : await fn.call(context);
	const changed = workflow.staticData.__dataChanged === true;
	if (changed) harnessWorkflow.saveStaticData(workflow.staticData);
	return { result, staticData: { changed, saved: changed, value: harnessWorkflow.getNodeStaticData() } };
}

module.exports = {
	startWebhookServer,
	runWebhookMethod,
	listWebhooks,
	DEFAULT_WEBHOOK_ID,
	// Shared with the waiting-webhook server (resume.js).
	createCall,
	readAndParseRequest,
	evaluateField,
	callWebhook,
	onReceivedBody,
	webhookDataFor,
};
