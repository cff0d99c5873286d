'use strict';
/**
 * A hostile file server and Selzy-compatible API for the network tests: it hands out links of
 * its choosing, redirects anywhere, streams without end, trickles, hangs, and records every
 * connection and request, so a test can prove what was (or was not) fetched.
 * Plain http by default; pass `tls: { key, cert }` (see tls.js) for https, `host` and `port` to
 * choose where it listens (two servers can share a port on two loopback addresses).
 */
const http = require('node:http');
const https = require('node:https');

const CSV = 'email,send_result,last_update\nforged@example.com,ok_read,2026-01-01 00:00:00\n';
const FILLER_LINE = 'someone@example.com,ok_delivered,2026-01-01 00:00:00\n';

/**
 * Routes (GET unless said otherwise):
 *   /file                         a small CSV report
 *   /redirect?to=URL[&status=302] a redirect to URL
 *   /endless?limitMb=64           CSV as fast as the client reads, up to limitMb (so old code ends)
 *   /trickle?everyMs=100&forMs=8000  one line every everyMs, for forMs
 *   /huge                         announces a Content-Length of 50 GB, sends a little
 *   /hang                         never answers
 *   POST /{lang}/api/async/getTaskResult  a completed task whose file_to_download is `api.fileLink`
 *   POST /{lang}/api/getFields    []
 *   POST /{lang}/api/*            `api.answer(method, req, res, body)` if set, else {"result":[]}
 * `routes[path] = (req, res, url, body) => …` adds or replaces a route until `reset()`.
 */
async function createHostileServer({ tls, host = '127.0.0.1', port = 0 } = {}) {
	const state = {
		connections: 0,
		requests: [],
		bytesSent: 0,
		api: { fileLink: '', answer: undefined },
		routes: {},
	};
	const sockets = new Set();

	const send = (res, status, headers, body) => {
		res.writeHead(status, headers);
		res.end(body);
	};

	state.routes['/file'] = (req, res) => send(res, 200, { 'Content-Type': 'text/csv' }, CSV);
	state.routes['/redirect'] = (req, res, url) =>
		send(res, Number(url.searchParams.get('status') || 302), { Location: url.searchParams.get('to') }, '');
	state.routes['/endless'] = (req, res, url) => {
		const limit = Number(url.searchParams.get('limitMb') || 64) * 1024 * 1024;
		const chunk = Buffer.from(FILLER_LINE.repeat(Math.floor(65536 / FILLER_LINE.length)));
		res.writeHead(200, { 'Content-Type': 'text/csv' });
		res.write('email,send_result,last_update\n');
		const pump = () => {
			while (state.bytesSent < limit && !res.destroyed) {
				state.bytesSent += chunk.length;
				if (!res.write(chunk)) return void res.once('drain', pump);
			}
			res.end();
		};
		pump();
	};
	state.routes['/trickle'] = (req, res, url) => {
		const everyMs = Number(url.searchParams.get('everyMs') || 100);
		const endAt = Date.now() + Number(url.searchParams.get('forMs') || 8000);
		res.writeHead(200, { 'Content-Type': 'text/csv' });
		res.write('email,send_result,last_update\n');
		const timer = setInterval(() => {
			if (res.destroyed || Date.now() > endAt) {
				clearInterval(timer);
				res.end();
				return;
			}
			state.bytesSent += FILLER_LINE.length;
			res.write(FILLER_LINE);
		}, everyMs);
		res.on('close', () => clearInterval(timer));
	};
	state.routes['/huge'] = (req, res) => {
		res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': String(50 * 1024 ** 3) });
		res.write(CSV);
	};
	state.routes['/hang'] = () => undefined;
	const defaultRoutes = { ...state.routes };

	const serveApi = (req, res, url, body) => {
		const method = url.pathname.replace(/^\/[a-z]{2}\/api\//, '');
		if (state.api.answer) return state.api.answer(method, req, res, body);
		const json = (value) => send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(value));
		if (method === 'async/getTaskResult') {
			const taskUuid = new URLSearchParams(body).get('task_uuid');
			return json({
				result: { task_uuid: taskUuid, task_type: 'getCampaignDeliveryStats', status: 'completed', file_to_download: state.api.fileLink },
			});
		}
		return json({ result: [] });
	};

	const handle = (req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			const url = new URL(req.url, 'http://hostile.invalid');
			state.requests.push({ method: req.method, path: url.pathname, url: req.url, headers: req.headers, body, time: Date.now() });
			const route = state.routes[url.pathname];
			if (route) return route(req, res, url, body);
			if (/^\/[a-z]{2}\/api\//.test(url.pathname)) return serveApi(req, res, url, body);
			send(res, 404, { 'Content-Type': 'text/plain' }, 'not here');
		});
	};

	const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handle) : http.createServer(handle);
	// Counted on the raw TCP connection: a refused target must not even be connected to.
	server.on('connection', (socket) => {
		state.connections++;
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('tlsClientError', () => undefined);
	await new Promise((resolve) => server.listen(port, host, resolve));
	port = server.address().port;
	const origin = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

	return Object.assign(state, {
		url: origin,
		port,
		/** Forgets what happened so far (connections, requests, bytes, API link and answer). */
		reset() {
			state.connections = 0;
			state.requests.length = 0;
			state.bytesSent = 0;
			state.api = { fileLink: '', answer: undefined };
			state.routes = { ...defaultRoutes };
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	});
}

module.exports = { createHostileServer, HOSTILE_CSV: CSV };
