'use strict';
/**
 * The client side of `runWebhook`: turns the test's request description into
 * a real HTTP request (Node's fetch) and reads the answer back.
 */

function headerValue(headers, name) {
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

/**
 * `rawBody` (string|Buffer) is sent as is. An object `body` becomes JSON, or
 * PHP-style form encoding (`a[b]=1&ids[]=2`, the way Selzy posts) when the
 * content-type is application/x-www-form-urlencoded.
 */
function buildFetchInit(request, qs, defaultMethod) {
	const headers = { ...(request.headers ?? {}) };
	const contentType = headerValue(headers, 'content-type');
	let body;
	if (request.rawBody !== undefined) {
		body = request.rawBody;
	} else if (typeof request.body === 'string' || Buffer.isBuffer(request.body)) {
		body = request.body;
	} else if (request.body !== undefined) {
		if (contentType?.startsWith('application/x-www-form-urlencoded')) {
			body = qs.stringify(request.body, { arrayFormat: 'brackets' });
		} else {
			body = JSON.stringify(request.body);
			if (!contentType) headers['content-type'] = 'application/json';
		}
	}
	return { method: request.method ?? defaultMethod, headers, body };
}

function parseResponseBody(contentType, text) {
	if (contentType?.includes('json') && text) {
		try {
			return JSON.parse(text);
		} catch {
			return text;
		}
	}
	return text === '' ? undefined : text;
}

/**
 * Sends the request to a webhook of a started server and waits for both the
 * client's response and the server's record of the call.
 */
async function sendToWebhook(server, webhookName, request, qs) {
	const webhook = server.webhook(webhookName);
	const url = new URL(webhook.url);
	if (request.query) url.search = qs.stringify(request.query);
	const nextCall = server.nextCall();
	const response = await fetch(url, buildFetchInit(request, qs, webhook.httpMethod));
	const text = await response.text();
	const call = await nextCall;
	return {
		...call,
		response: {
			statusCode: response.status,
			headers: Object.fromEntries(response.headers),
			text,
			body: parseResponseBody(response.headers.get('content-type'), text),
			headersSent: call.responded !== 'none',
			answeredBy: call.responded,
		},
		serverResponse: call.response,
	};
}

module.exports = { sendToWebhook };
