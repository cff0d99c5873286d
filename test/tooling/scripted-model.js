'use strict';
// A scripted OpenAI-compatible chat model on loopback, for end-to-end runs of an AI Agent:
// point n8n's OpenAI Chat Model (credential Base URL) at `url`. It answers both the Responses API
// (`POST /responses`, what n8n 2.x uses by default) and Chat Completions (`POST /chat/completions`).
//
// Each answer comes from `script(turn)`, called with what the model has seen so far:
//   { userText, toolOutputs: [{ name, arguments, output, text }], tools: [{ name, description, parameters }] }
// and returning either { call: { name, arguments } } (a tool call) or { text } (the final answer).
// Every request and answer is kept in `exchanges` for assertions.

const http = require('node:http');

const MAX_BODY_BYTES = 20 * 1024 * 1024;

async function startScriptedModel(script) {
	const exchanges = [];
	let callCount = 0;
	const server = http.createServer((req, res) => {
		readBody(req)
			.then((raw) => {
				const url = new URL(req.url, 'http://model.local');
				const body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
				const api = apiOf(req.method, url.pathname);
				if (!api) return send(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
				if (api === 'models') return send(res, 200, { object: 'list', data: [{ id: 'scripted', object: 'model' }] });
				const turn = api === 'responses' ? turnFromResponsesRequest(body) : turnFromChatRequest(body);
				const reply = script(turn);
				if (!reply || (!reply.call && typeof reply.text !== 'string')) throw new Error(`the script gave no reply for ${JSON.stringify(turn).slice(0, 300)}`);
				const callId = `call_${++callCount}`;
				const answer = api === 'responses' ? responsesAnswer(body, reply, callId) : chatAnswer(body, reply, callId);
				exchanges.push({ api, request: body, turn, reply });
				send(res, 200, answer);
			})
			.catch((error) => {
				exchanges.push({ error: error.message });
				send(res, 500, { error: { message: error.message, type: 'scripted_model_error' } });
			});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}/v1`,
		exchanges,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

function apiOf(method, pathname) {
	const route = pathname.replace(/^\/v1/, '');
	if (method === 'GET' && route === '/models') return 'models';
	if (method !== 'POST') return undefined;
	if (route === '/responses') return 'responses';
	if (route === '/chat/completions') return 'chat';
	return undefined;
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new Error('request body too large'));
				req.destroy();
			} else chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

function send(res, status, json) {
	const text = JSON.stringify(json);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

const textOf = (content) =>
	typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('');

const parseJson = (text) => {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
};

/** Responses API: `input` holds messages, `function_call` items and their `function_call_output`s. */
function turnFromResponsesRequest(body) {
	const input = Array.isArray(body.input) ? body.input : [{ role: 'user', content: String(body.input ?? '') }];
	const calls = new Map();
	const toolOutputs = [];
	let userText = '';
	for (const item of input) {
		if (item.type === 'function_call') calls.set(item.call_id, item);
		else if (item.type === 'function_call_output') {
			const call = calls.get(item.call_id) ?? {};
			const text = textOf(item.output);
			toolOutputs.push({ name: call.name, arguments: parseJson(call.arguments ?? '{}'), output: parseJson(text), text });
		} else if (item.role === 'user') userText = textOf(item.content);
	}
	const tools = (body.tools ?? []).map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters }));
	return { userText, toolOutputs, tools };
}

/** Chat Completions: assistant messages carry `tool_calls`, `tool` messages their results. */
function turnFromChatRequest(body) {
	const calls = new Map();
	const toolOutputs = [];
	let userText = '';
	for (const message of body.messages ?? []) {
		if (message.role === 'assistant') for (const call of message.tool_calls ?? []) calls.set(call.id, call.function);
		else if (message.role === 'tool') {
			const call = calls.get(message.tool_call_id) ?? {};
			const text = textOf(message.content);
			toolOutputs.push({ name: call.name, arguments: parseJson(call.arguments ?? '{}'), output: parseJson(text), text });
		} else if (message.role === 'user') userText = textOf(message.content);
	}
	const tools = (body.tools ?? []).map(({ function: fn }) => ({ name: fn.name, description: fn.description, parameters: fn.parameters }));
	return { userText, toolOutputs, tools };
}

const usage = { input_tokens: 10, output_tokens: 10, total_tokens: 20 };

function responsesAnswer(body, reply, callId) {
	const output = reply.call
		? [{ type: 'function_call', id: `fc_${callId}`, call_id: callId, name: reply.call.name, arguments: JSON.stringify(reply.call.arguments ?? {}), status: 'completed' }]
		: [{ type: 'message', id: `msg_${callId}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: reply.text, annotations: [] }] }];
	return { id: `resp_${callId}`, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model: body.model ?? 'scripted', output, usage };
}

function chatAnswer(body, reply, callId) {
	const message = reply.call
		? { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: reply.call.name, arguments: JSON.stringify(reply.call.arguments ?? {}) } }] }
		: { role: 'assistant', content: reply.text };
	return {
		id: `chatcmpl_${callId}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: body.model ?? 'scripted',
		choices: [{ index: 0, message, finish_reason: reply.call ? 'tool_calls' : 'stop' }],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

module.exports = { startScriptedModel, turnFromResponsesRequest, turnFromChatRequest };
