'use strict';
/**
 * Serves a node's `webhook()` on a real local HTTP server, following the steps
 * n8n 2.40 takes for a production webhook request (LiveWebhooks +
 * webhook-helpers): find the webhook by method and path, read and parse the
 * body, call `webhook()` in an n8n-core WebhookContext, then answer the caller
 * unless the node already did, and save static data when n8n would.
 *
 * Not mirrored: multipart/form-data and XML bodies, CORS/OPTIONS, the
 * lastNode/responseNode response modes (they need the rest of a workflow),
 * cookie sanitising, the execution that n8n starts with `workflowData`.
 */
const http = require('node:http');
const zlib = require('node:zlib');
const querystring = require('node:querystring');
const { jsonParse, NodeHelpers, resolveWebhookDescriptionField, isNodeClassInstance } = require('n8n-workflow');
const { WebhookContext } = require('n8n-core');
const { createAdditionalData } = require('./workflow');
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

/**
 * Handles one request end to end and returns the record of the call.
 * @param {object} ctx { harnessWorkflow, credentialsHelper, runtime }
 */
async function handleWebhookRequest(ctx, options, server, req, res) {
	const { harnessWorkflow, credentialsHelper, runtime } = ctx;
	const { parameters = {}, typeVersion, mode = 'webhook', webhookId = DEFAULT_WEBHOOK_ID } = options;
	const call = { webhookResult: undefined, error: undefined, responded: 'none', lateResponseAttempt: false };
	extendResponse(res);

	/** Answers unless the response is already out (n8n would log "Cannot set headers after they are sent"). */
	const respond = (statusCode, body) => {
		if (res.headersSent || res.writableEnded) {
			call.lateResponseAttempt = true;
			return;
		}
		call.responded = 'harness';
		res.status(statusCode);
		if (body === undefined) res.end();
		else res.send(body);
	};

	const node = harnessWorkflow.buildNode({ parameters, typeVersion, webhookId });
	const workflow = harnessWorkflow.createWorkflow(node, options);
	const workflowNode = workflow.getNode(node.name);
	const nodeType = harnessWorkflow.nodeType;
	const webhook = listWebhooks(workflow, workflowNode, nodeType, mode).find(
		(candidate) => candidate.httpMethod === req.method && candidate.urlPath === new URL(req.url, 'http://x').pathname,
	);
	if (!webhook) {
		respond(404, { code: 404, message: `The requested webhook "${req.method} ${req.url}" is not registered.` });
		return call;
	}

	try {
		const rawBody = await readRawBody(req);
		extendRequest(req, { rawBody, qs: runtime.qs, parseIncomingMessage: runtime.parseIncomingMessage });
		parseBody(req, workflowNode.typeVersion);
	} catch (error) {
		call.error = error;
		respond(error.statusCode ?? 400, { code: error.statusCode ?? 400, message: error.message });
		return call;
	}
	call.request = { method: req.method, headers: req.headers, query: req.query, body: req.body, rawBody: req.rawBody };

	// Before the node runs n8n has no execution, so executionId stays undefined
	// (binaries written here go to executions/temp, as in n8n).
	const additionalData = createAdditionalData({ credentialsHelper, executionId: undefined, hooks: undefined });
	additionalData.webhookBaseUrl = `${server.baseUrl}/webhook`;
	additionalData.webhookTestBaseUrl = `${server.baseUrl}/webhook-test`;
	additionalData.httpRequest = req;
	additionalData.httpResponse = res;

	const { description } = webhook;
	const responseMode = evaluateField(workflow, workflowNode, description, 'responseMode', mode, 'onReceived');
	const responseCode = evaluateField(workflow, workflowNode, description, 'responseCode', mode, 200);
	const webhookData = {
		httpMethod: webhook.httpMethod,
		node: workflowNode.name,
		path: webhook.nodePath,
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: workflowNode.webhookId,
		isTest: mode === 'manual',
	};
	const context = new WebhookContext(workflow, workflowNode, additionalData, mode, webhookData, [], null);

	let webhookResult;
	try {
		webhookResult = await callWebhook(nodeType, context);
	} catch (error) {
		call.error = error;
		respond(500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
		call.staticData = staticDataOutcome(workflow, harnessWorkflow, { save: false, mode });
		return call;
	}
	call.webhookResult = webhookResult;
	if (res.headersSent || res.writableEnded) call.responded = 'node';

	// Answer right away when no execution starts or the node answered itself;
	// n8n saves static data in that same callback.
	if (webhookResult.noWebhookResponse === true || webhookResult.workflowData === undefined) {
		if (webhookResult.noWebhookResponse !== true && webhookResult.workflowData === undefined) {
			respond(responseCode, webhookResult.webhookResponse ?? { message: 'Webhook call received' });
		}
		call.staticData = staticDataOutcome(workflow, harnessWorkflow, { save: true, mode });
		return call;
	}

	// An execution would start now. n8n builds a new Workflow on the same static
	// data for it, which clears the "changed" flag before the response callback
	// saves, so changes made in webhook() are not saved on this path (notes B).
	call.staticData = staticDataOutcome(workflow, harnessWorkflow, { save: false, mode });
	if (responseMode === 'onReceived') {
		const responseData = evaluateField(workflow, workflowNode, description, 'responseData', mode, 'firstEntryJson');
		respond(responseCode, onReceivedBody(responseData, webhookResult));
	} else if (!res.headersSent) {
		call.error = new Error(`responseMode "${responseMode}" needs the rest of a workflow; the harness only answers 'onReceived'`);
		respond(500, { code: 0, message: call.error.message });
	}
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
		/** URL of a webhook of the node (by description name, default 'default'). */
		url(name = 'default') {
			const node = ctx.harnessWorkflow.buildNode({ parameters: options.parameters, typeVersion: options.typeVersion, webhookId: options.webhookId ?? DEFAULT_WEBHOOK_ID });
			const workflow = ctx.harnessWorkflow.createWorkflow(node, options);
			const webhook = listWebhooks(workflow, workflow.getNode(node.name), ctx.harnessWorkflow.nodeType, options.mode ?? 'webhook')
				.find((candidate) => candidate.description.name === name);
			if (!webhook) throw new Error(`The node has no webhook named "${name}"`);
			return handle.baseUrl + webhook.urlPath;
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

module.exports = { startWebhookServer, listWebhooks, DEFAULT_WEBHOOK_ID };
