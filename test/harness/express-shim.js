'use strict';
/**
 * Stand-ins for the express request/response n8n hands to `webhook()`
 * (`getRequestObject()`, `getResponseObject()`). express is not installed, so
 * node's own IncomingMessage/ServerResponse get the few members n8n and nodes
 * use. The sockets stay real: what a node writes reaches the HTTP client.
 *
 * Request extras: body, rawBody, query (qs-parsed, like n8n's express setup),
 * params ({}), path, originalUrl, cookies, contentType/encoding (n8n's
 * parseIncomingMessage).
 * Response extras: status, set/header, type, json, send, sendStatus.
 */
const { STATUS_CODES } = require('node:http');

function parseCookies(header) {
	const cookies = {};
	for (const part of (header ?? '').split(';')) {
		const index = part.indexOf('=');
		if (index <= 0) continue;
		const name = part.slice(0, index).trim();
		const value = part.slice(index + 1).trim();
		try {
			cookies[name] = decodeURIComponent(value);
		} catch {
			cookies[name] = value;
		}
	}
	return cookies;
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {{ rawBody: Buffer, qs: object, parseIncomingMessage: Function }} extras
 */
function extendRequest(req, { rawBody, qs, parseIncomingMessage }) {
	const url = new URL(req.url, 'http://harness.local');
	req.path = url.pathname;
	req.originalUrl = req.url;
	req.query = qs.parse(url.search.slice(1));
	req.params = {};
	req.cookies = parseCookies(req.headers.cookie);
	req.rawBody = rawBody;
	req.body = undefined;
	// n8n's own helper: sets req.contentType (lower-cased type) and req.encoding.
	parseIncomingMessage(req);
	return req;
}

function setContentTypeIfMissing(res, value) {
	if (!res.hasHeader('content-type')) res.setHeader('content-type', value);
}

/** Adds express's response methods (the subset nodes use) to a ServerResponse. */
function extendResponse(res) {
	res.status = (code) => {
		res.statusCode = code;
		return res;
	};
	res.set = (field, value) => {
		if (typeof field === 'object') {
			for (const [name, headerValue] of Object.entries(field)) res.setHeader(name, headerValue);
		} else {
			res.setHeader(field, value);
		}
		return res;
	};
	res.header = res.set;
	res.type = (type) => {
		res.setHeader('content-type', type.includes('/') ? type : `application/${type}`);
		return res;
	};
	res.json = (body) => {
		setContentTypeIfMissing(res, 'application/json; charset=utf-8');
		res.end(JSON.stringify(body));
		return res;
	};
	// express's send: strings as HTML text, Buffers as octet-stream, objects as JSON.
	res.send = (body) => {
		if (body === undefined || body === null) {
			res.end();
		} else if (Buffer.isBuffer(body)) {
			setContentTypeIfMissing(res, 'application/octet-stream');
			res.end(body);
		} else if (typeof body === 'object') {
			res.json(body);
		} else {
			setContentTypeIfMissing(res, 'text/html; charset=utf-8');
			res.end(String(body));
		}
		return res;
	};
	res.sendStatus = (code) => {
		res.statusCode = code;
		setContentTypeIfMissing(res, 'text/plain; charset=utf-8');
		res.end(STATUS_CODES[code] ?? String(code));
		return res;
	};
	return res;
}

module.exports = { extendRequest, extendResponse };
