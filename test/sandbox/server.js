'use strict';
// A local imitation of the Selzy API for tests, the demo and benchmarks: the methods a delivery-report
// integration calls, report files generated while they download, task callbacks, and faults on demand.

const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const data = require('./data');
const contacts = require('./contacts');
const { ContactBook } = require('./contactBook');
const { ContactMethods } = require('./contactMethods');
const { craftedDownload } = require('./crafted');
const { HookStore } = require('./hooks');
const { CampaignStates } = require('./campaigns');

const DEFAULT_CONFIG = Object.freeze({
	readyAfterPolls: 1,
	readyAfterMs: null,
	callbackFormat: 'json',
	callbackTimes: 1,
	fieldHeader: 'id',
	format: null,
	latencyMs: 0,
	keepContacts: true,
	contactAnswer: 'inside',
});
const CONFIG_CHECKS = {
	readyAfterPolls: (v) => v === null || (Number.isInteger(v) && v >= 0),
	readyAfterMs: (v) => v === null || (Number.isFinite(v) && v >= 0),
	callbackFormat: (v) => v === 'json' || v === 'form',
	callbackTimes: (v) => Number.isInteger(v) && v >= 1,
	fieldHeader: (v) => v === 'id' || v === 'name',
	format: (v) => v === null || data.FORMATS.includes(v),
	latencyMs: (v) => Number.isFinite(v) && v >= 0,
	keepContacts: (v) => typeof v === 'boolean',
	contactAnswer: (v) => v === 'inside' || v === 'beside',
};

const TASK_TYPE = 'getCampaignDeliveryStats';
const EXPORT_TASK_TYPE = 'exportContacts';
const ALL_CONTACTS = Object.freeze({ id: 0, title: 'All contacts', size: 40 });
const API_PATH = /^\/(en|ru|ua)\/api\/(.+)$/;
const FILE_PATH = /^\/files\/([0-9a-f]{32})\/([^/]+)$/;
const CONTROL_PATH = /^\/_sandbox\/(\w+)$/;
// 500 import rows of 65 columns fit.
const BODY_LIMIT = 16 << 20;
// Reports up to this many rows are measured first so the download carries Content-Length;
// bigger ones start streaming at once, chunked.
const MEASURE_MAX_ROWS = 200000;
const CALLBACK_TIMEOUT_MS = 10000;

const API_FAULTS = ['code', 'http', 'html502', 'empty', 'drop', 'dropAfterProcessing', 'slow', 'hold', 'hang'];
const DOWNLOAD_FAULTS = ['truncate', 'dropMidway', 'stall', 'expired', 'brokenGzip', 'bomb', 'file'];
const CUTTING_FAULTS = ['truncate', 'dropMidway', 'stall'];

const ERROR_TEXT = {
	unspecified: 'An error occurred, please try again later',
	invalid_api_key: 'The API key is missing or invalid. Copy it again from "Settings > Integrations and API"',
	access_denied: 'Access denied: the API is disabled for this account or the method is not allowed for this key',
	not_enough_money: 'Not enough money on the account balance to run this method',
	retry_later: 'Temporary failure, please retry later',
	api_call_limit_exceeded_for_api_key: 'Too many API calls for this API key, slow down',
	api_call_limit_exceeded_for_ip: 'Too many API calls from your IP address, slow down',
};

const NGINX_502 =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
	'<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

const { ApiError, invalidArg } = require('./apiError');

/** What PHP's htmlspecialchars does to Selzy's error texts. */
function htmlEncode(text) {
	const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#039;' };
	return String(text).replace(/[&<>"']/g, (c) => entities[c]);
}

/**
 * Parses a query string or form body, PHP style: `a[]=1&a[]=2` and `a[0]=1` become arrays, and
 * `data[3][1]=x` a table whose row 3 holds x in column 1. Other bracketed keys (`fields[email]`)
 * stay as written.
 */
function parseForm(text) {
	const params = Object.create(null); // a "__proto__" parameter must stay a parameter
	for (const pair of text.split('&')) {
		if (!pair) continue;
		const eq = pair.indexOf('=');
		const key = decodeFormPart(eq < 0 ? pair : pair.slice(0, eq));
		const value = eq < 0 ? '' : decodeFormPart(pair.slice(eq + 1));
		const cell = /^([^[\]]+)\[(\d{1,6})\]\[(\d{1,6})\]$/.exec(key);
		if (cell) {
			const table = Array.isArray(params[cell[1]]) ? params[cell[1]] : (params[cell[1]] = []);
			(table[Number(cell[2])] ??= [])[Number(cell[3])] = value;
			continue;
		}
		const array = /^(.+)\[(\d*)\]$/.exec(key);
		if (!array) params[key] = value;
		else {
			const list = Array.isArray(params[array[1]]) ? params[array[1]] : (params[array[1]] = []);
			if (array[2] === '') list.push(value);
			else list[Number(array[2])] = value;
		}
	}
	return params;
}

function decodeFormPart(text) {
	try {
		return decodeURIComponent(text.replace(/\+/g, ' '));
	} catch {
		return text;
	}
}

function withoutKey(params) {
	return Object.fromEntries(Object.entries(params).filter(([name]) => name !== 'api_key'));
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > BODY_LIMIT) req.destroy(new Error('request body too large'));
			else chunks.push(chunk);
		});
		req.on('error', reject);
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			if (!/gzip/i.test(req.headers['content-encoding'] ?? '')) return resolve(body);
			zlib.gunzip(body, (err, plain) => (err ? reject(err) : resolve(plain)));
		});
	});
}

function send(res, status, contentType, body, extraHeaders = {}) {
	const buffer = Buffer.from(body);
	res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': buffer.length, ...extraHeaders });
	res.end(buffer);
}

/** JSON answer, gzipped when the client accepts it (as Selzy does). */
function sendJson(req, res, status, text) {
	let body = Buffer.from(text);
	const headers = { Vary: 'Accept-Encoding' };
	if (/\bgzip\b/i.test(req.headers['accept-encoding'] ?? '')) {
		body = zlib.gzipSync(body);
		headers['Content-Encoding'] = 'gzip';
	}
	send(res, status, 'application/json; charset=utf-8', body, headers);
}

/** An S3-style XML error, as a file storage answers an expired or unknown link. */
function sendStorageError(res, status, code, message) {
	const xml =
		'<?xml version="1.0" encoding="UTF-8"?>\n' +
		`<Error><Code>${code}</Code><Message>${message}</Message>` +
		`<ServerTime>${new Date().toISOString()}</ServerTime><RequestId>${crypto.randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;
	send(res, status, 'application/xml', xml);
}

/** Writes with backpressure; resolves false once the client is gone. */
function writeChunk(res, buffer) {
	if (res.destroyed) return false;
	if (res.write(buffer)) return true;
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve(!res.destroyed);
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

/** Everything but the last `cut` bytes of a stream (a gzip body without its end). */
async function* withoutTail(chunks, cut) {
	let held = Buffer.alloc(0);
	for await (const chunk of chunks) {
		held = Buffer.concat([held, chunk]);
		if (held.length > cut) {
			yield held.subarray(0, held.length - cut);
			held = held.subarray(held.length - cut);
		}
	}
}

function requiredText(params, name) {
	const value = params[name];
	if (value === undefined || value === '') throw invalidArg(`Argument "${name}" is required`);
	if (typeof value !== 'string') throw invalidArg(`Argument "${name}" must be a single value`);
	return value;
}

function optionalTime(params, name) {
	const value = params[name];
	if (value === undefined || value === '') return null;
	if (typeof value !== 'string' || data.parseUtc(value) === null) {
		throw invalidArg(`Argument "${name}" has an invalid value "${value}": expected "YYYY-MM-DD hh:mm:ss" in UTC`);
	}
	return value;
}

function optionalInt(params, name, min, max) {
	const value = params[name];
	if (value === undefined || value === '') return null;
	const n = Number(value);
	if (!/^\d+$/.test(value) || n < min || n > max) throw invalidArg(`Argument "${name}" must be an integer from ${min} to ${max}`);
	return n;
}

function fieldIdsArg(value) {
	if (value === undefined) return [];
	if (!Array.isArray(value)) throw invalidArg('Argument "field_ids" must be an array: field_ids[]=1&field_ids[]=2');
	const ids = value.map(Number);
	value.forEach((raw, i) => {
		if (!/^\d+$/.test(raw) || !data.FIELD_BY_ID.has(ids[i])) throw invalidArg(`Argument "field_ids" has an unknown field id "${raw}"`);
	});
	return [...new Set(ids)];
}

function notifyUrlArg(value) {
	if (value === undefined || value === '') return null;
	const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : null;
	if (!url || !/^https?:$/.test(url.protocol)) throw invalidArg(`Argument "notify_url" must be an http(s) URL`);
	return value;
}

// Selzy method name → Sandbox method answering it.
const API_METHODS = {
	getLists: 'listLists',
	getFields: 'listFields',
	getCampaigns: 'listCampaigns',
	'async/getCampaignDeliveryStats': 'startReport',
	'async/exportContacts': 'startExport',
	'async/getTaskResult': 'pollTask',
	setHook: 'setHook',
	listHooks: 'listHooks',
	removeHook: 'removeHook',
	getCampaignStatus: 'getCampaignStatus',
	getCampaignCommonStats: 'getCampaignCommonStats',
	importContacts: 'writeContacts',
	subscribe: 'writeContacts',
	exclude: 'writeContacts',
	unsubscribe: 'writeContacts',
	getContact: 'writeContacts',
};

class Sandbox {
	constructor(seed) {
		this.seed = seed;
		this.apiKey = data.apiKeyFor(seed, 'live');
		this.accessDeniedKey = data.apiKeyFor(seed, 'denied');
		this.campaigns = new Map(data.seedCampaigns().map((c) => [c.id, c]));
		this.lists = new Map(data.LISTS.map((list) => [list.id, { ...list, size: contacts.SEED_LIST_SIZES[list.id] ?? 0 }]));
		this.timers = new Set();
		this.outgoing = new Set();
		this.closed = false;
		this.taskMethods = new Map();
		const apiError = (code, message) => new ApiError(code, message);
		this.hookStore = new HookStore(this, apiError);
		this.campaignStates = new CampaignStates(this, this.hookStore, apiError);
		this.heldRequests = [];
		this.holding = new Set();
		this.holdingPeak = 0;
		this.book = new ContactBook(seed, () => this.lists);
		this.contactMethods = new ContactMethods(this);
		this.clearState();
	}

	/**
	 * A further async method, as a test declares a task kind of its own: each call starts a task
	 * named `taskType` whose file is the contact export of the `list_id` it was given.
	 */
	defineTaskMethod(method, { taskType }) {
		this.taskMethods.set(method, taskType);
	}

	clearState() {
		this.config = { ...DEFAULT_CONFIG };
		this.log = [];
		this.callbackLog = [];
		this.faults = [];
		this.taskMap = new Map();
		this.files = new Map();
		this.hookStore.clear();
		this.campaignStates.clear();
		this.book?.clear();
		this.contactMethods?.clear();
		/** importContacts calls: { fieldNames, rows (the values, or their count without keepContacts), answer }. */
		this.importLog = [];
		/** Confirmation emails subscribe sent: { email, listIds, time }. */
		this.confirmations = [];
	}

	// ── event webhooks and campaign statuses (hooks.js, campaigns.js) ───────

	setHook(params) {
		return this.hookStore.setHook(params);
	}

	listHooks() {
		return this.hookStore.listHooks();
	}

	removeHook(params) {
		return this.hookStore.removeHook(params);
	}

	getCampaignStatus(params) {
		return this.campaignStates.getCampaignStatus(params);
	}

	getCampaignCommonStats(params) {
		return this.campaignStates.getCampaignCommonStats(params);
	}

	/** The hooks registered now, as listHooks answers. */
	get hooks() {
		return this.hookStore.listHooks();
	}

	/** Every delivery attempt: { hookUrl, url, retryCount, events, body, time, status, error, ms }. */
	get hookDeliveries() {
		return this.hookStore.deliveries;
	}

	/** Hook timing: answerTimeoutMs, retryEveryMs (null: no retries), stopAfterMs, retryCountIn, batchSize. */
	configureHooks(options) {
		return this.hookStore.configure(options);
	}

	/** Sends events ({ event_name, event_time?, ...fields }) to the hooks that asked for them. */
	emitEvents(events, options) {
		return this.hookStore.emit(events, options);
	}

	stopHook(url) {
		return this.hookStore.stopHook(url);
	}

	/** { id, statuses, everyMs }: the campaign's status changes on a schedule (and hooks hear of it). */
	scheduleCampaignStatus(spec) {
		return this.campaignStates.schedule(spec);
	}

	// ── control API ──────────────────────────────────────────────────────────

	/** Changes settings for tasks created from now on; returns the whole config. */
	configure(options = {}) {
		const next = { ...this.config };
		for (const [key, value] of Object.entries(options)) {
			if (!(key in CONFIG_CHECKS)) throw new Error(`unknown option "${key}"; known: ${Object.keys(CONFIG_CHECKS).join(', ')}`);
			if (!CONFIG_CHECKS[key](value)) throw new Error(`invalid value for "${key}": ${JSON.stringify(value)}`);
			next[key] = value;
		}
		this.config = next;
		return { ...next };
	}

	/**
	 * Adds (or replaces) a campaign: { id, rows, sms?, subject?, format?, listId?, readyAfterMs? }.
	 * readyAfterMs, when set, makes this campaign's reports complete that long after the request,
	 * however often they are polled (campaigns that take different times).
	 */
	addCampaign(spec) {
		const campaign = data.campaignRecord(spec);
		this.campaigns.set(campaign.id, campaign);
		return { ...campaign };
	}

	/** Adds (or replaces) a contact list: { id, title?, size } contacts, generated as they download. */
	addList({ id, title, size }) {
		if (!Number.isSafeInteger(id) || id <= 0) throw new Error('list id must be a positive integer');
		if (!Number.isSafeInteger(size) || size < 0 || size > 1e9) throw new Error('size must be an integer from 0 to 1e9');
		const list = { id, title: title ?? `List ${id}`, size };
		this.lists.set(id, list);
		return { ...list };
	}

	/** Queues a fault: { kind, method?, times = 1, ...options }; see README for kinds and options. */
	fault({ kind, method, times = 1, ...options } = {}) {
		const forDownload = DOWNLOAD_FAULTS.includes(kind);
		if (!forDownload && !API_FAULTS.includes(kind)) throw new Error(`unknown fault kind "${kind}"`);
		const target = method ?? (forDownload ? 'download' : null);
		if (forDownload && target !== 'download') throw new Error(`fault "${kind}" applies to method "download" only`);
		if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
		this.faults.push({ kind, method: target, times, ...options });
		return { queued: this.faults.length };
	}

	/** Requests a `hold` fault keeps waiting whose caller still waits too, and the most there were at once. */
	get held() {
		return this.holding.size;
	}

	get heldPeak() {
		return this.holdingPeak;
	}

	/** Keeps a request waiting until `release()`; a caller that gives up no longer counts as held. */
	async hold(res) {
		await new Promise((resolve) => {
			this.holding.add(resolve);
			this.holdingPeak = Math.max(this.holdingPeak, this.holding.size);
			res.once('close', () => this.holding.delete(resolve));
			this.heldRequests.push(resolve);
		});
	}

	/** Lets every request a `hold` fault keeps go on and be answered normally. */
	release() {
		const held = this.heldRequests.splice(0);
		this.holding.clear();
		for (const proceed of held) proceed();
		return { released: held.length };
	}

	/** Makes every link handed out so far answer 403, like an expired pre-signed URL. */
	expireFiles() {
		for (const file of this.files.values()) file.expired = true;
		return { expired: this.files.size };
	}

	/**
	 * A contact as it stands now (an export row's columns plus its person id), or null: found by
	 * email, or by phone for a contact written with one.
	 */
	contact({ email, phone }) {
		const found = this.book.find({ email, phone });
		return found ? { ...ContactBook.view(found), person_id: found.personId } : null;
	}

	/** Clears logs, faults, tasks, files and written contacts and restores default config; campaigns stay. */
	reset() {
		this.release();
		this.holdingPeak = 0;
		for (const task of this.taskMap.values()) this.cancel(task.timer);
		this.clearState();
		return { ok: true };
	}

	get requests() {
		return this.log;
	}

	get callbacks() {
		return this.callbackLog;
	}

	get tasks() {
		return [...this.taskMap.values()].map((t) => ({
			uuid: t.uuid,
			type: t.type,
			campaignId: t.campaign?.id,
			listId: t.list?.id,
			params: t.params,
			status: t.status,
			polls: t.polls,
			format: t.format,
			createdAt: t.createdAt,
			completedAt: t.completedAt,
			fileUrl: t.file && this.fileUrl(t.file),
		}));
	}

	/**
	 * What a report must contain: { total, bySendResult, rows? (when total <= 10,000),
	 * sha256AndSize(format?) → Promise<{ sha256, size }> of the exact download bytes }.
	 */
	groundTruth({ campaignId, changedSince = null, fieldIds = [], fieldHeader = this.config.fieldHeader } = {}) {
		const campaign = this.campaigns.get(Number(campaignId));
		if (!campaign) throw new Error(`no campaign ${campaignId}`);
		if (changedSince !== null && data.parseUtc(changedSince) === null) throw new Error(`bad changedSince "${changedSince}"`);
		const ids = fieldIds.map(Number);
		const unknown = ids.find((id) => !data.FIELD_BY_ID.has(id));
		if (unknown !== undefined) throw new Error(`no field ${unknown}`);
		const spec = { seed: this.seed, campaign, changedSince, fieldIds: [...new Set(ids)], fieldHeader };
		return {
			...data.reportFacts(spec),
			sha256AndSize: (format = this.formatFor(campaign)) => data.measure({ ...spec, format }),
		};
	}

	/** What a contact export must contain: { total, byEmailStatus, byPhoneStatus, rows? (≤ 10,000) }. */
	contactsTruth({ listId, fieldNames = contacts.DEFAULT_FIELDS, filters = {} } = {}) {
		const list = listId === undefined || listId === null ? ALL_CONTACTS : this.lists.get(Number(listId));
		if (!list) throw new Error(`no list ${listId}`);
		return contacts.exportFacts({ seed: this.seed, list, fieldNames, filters, book: this.book });
	}

	async close() {
		if (this.closed) return;
		this.closed = true;
		this.release();
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const req of this.outgoing) req.destroy();
		this.hookStore.close();
		await new Promise((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	// ── timers ───────────────────────────────────────────────────────────────

	later(ms, fn) {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, ms);
		this.timers.add(timer);
		return timer;
	}

	cancel(timer) {
		if (!timer) return;
		clearTimeout(timer);
		this.timers.delete(timer);
	}

	delay(ms) {
		return new Promise((resolve) => this.later(ms, resolve));
	}

	// ── HTTP ─────────────────────────────────────────────────────────────────

	async listen(port, host) {
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				if (res.headersSent) res.destroy();
				else send(res, 500, 'text/plain; charset=utf-8', `sandbox failure: ${err.stack}`);
			});
		});
		await new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, resolve);
		});
		const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
		this.url = `http://${shown}:${this.server.address().port}`;
	}

	async handle(req, res) {
		const url = new URL(req.url, 'http://sandbox.invalid');
		let body;
		try {
			body = await readBody(req);
		} catch (err) {
			return send(res, 400, 'text/plain; charset=utf-8', `Bad request body: ${err.message}`);
		}
		let match;
		if ((match = CONTROL_PATH.exec(url.pathname))) return this.serveControl(req, res, match[1], body);
		if ((match = API_PATH.exec(url.pathname))) return this.serveApi(req, res, url, body, match[1], match[2]);
		if ((match = FILE_PATH.exec(url.pathname))) return this.serveFile(req, res, url, match[1], match[2]);
		send(res, 404, 'text/plain; charset=utf-8', 'Not found');
	}

	record(req, url, lang, apiMethod, params) {
		const key = params.api_key;
		const rest = withoutKey(params);
		// An import's 500 rows of values: the log keeps their count (importLog keeps the values).
		const logged = Array.isArray(rest.data) ? { ...rest, data: `${Object.keys(rest.data).length} rows` } : rest;
		const query = parseForm(url.search.slice(1));
		const decodedUrl = decodeFormPart(req.url);
		const entry = {
			time: Date.now(),
			httpMethod: req.method,
			path: url.pathname,
			lang,
			apiMethod,
			params: key === undefined ? logged : { api_key: '***', ...logged },
			keyInUrl: 'api_key' in query || decodedUrl.includes(this.apiKey) || decodedUrl.includes(this.accessDeniedKey),
			apiKeyPresent: typeof key === 'string' && key !== '',
			contentType: req.headers['content-type'] ?? null,
			acceptEncoding: req.headers['accept-encoding'] ?? null,
			fault: null,
		};
		this.log.push(entry);
		return entry;
	}

	takeFault(method) {
		const index = this.faults.findIndex((f) => f.method === method || (f.method === null && method !== 'download'));
		if (index < 0) return null;
		const fault = this.faults[index];
		if (--fault.times === 0) this.faults.splice(index, 1);
		return fault;
	}

	/** Applies a fault that replaces or delays the answer; true when the response is already dealt with. */
	async injectFault(fault, req, res) {
		switch (fault.kind) {
			case 'slow':
				await this.delay(fault.ms ?? 2000);
				return false;
			case 'hold':
				await this.hold(res);
				return false;
			case 'drop':
				req.socket.destroy();
				return true;
			case 'hang':
				// No answer, nothing processed: the caller's time runs out (or the sandbox closes).
				await new Promise((resolve) => req.socket.once('close', resolve));
				return true;
			case 'code': {
				const code = fault.code ?? 'unspecified';
				sendJson(req, res, 200, data.phpJson({ error: htmlEncode(fault.message ?? ERROR_TEXT[code] ?? code), code }));
				return true;
			}
			case 'http': {
				const status = fault.status ?? 500;
				const headers = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
				const code = fault.code ?? (status === 429 ? 'api_call_limit_exceeded_for_api_key' : 'unspecified');
				const body = fault.body === 'empty' ? '' : data.phpJson({ error: htmlEncode(ERROR_TEXT[code] ?? code), code });
				send(res, status, 'application/json; charset=utf-8', body, headers);
				return true;
			}
			case 'html502':
				send(res, 502, 'text/html', NGINX_502);
				return true;
			case 'empty':
				send(res, 200, 'text/html; charset=UTF-8', '');
				return true;
			default:
				return false;
		}
	}

	async serveApi(req, res, url, body, lang, method) {
		const query = parseForm(url.search.slice(1));
		const isForm = /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
		const params = { ...query, ...(isForm ? parseForm(body.toString('utf8')) : {}) };
		const entry = this.record(req, url, lang, method, params);
		const fault = this.takeFault(method);
		if (fault) {
			entry.fault = fault.kind;
			if (await this.injectFault(fault, req, res)) return;
		}
		if (this.config.latencyMs > 0) await this.delay(this.config.latencyMs);
		const answer = this.answer(method, params, url.search !== '' && body.length > 0);
		if (fault?.kind === 'dropAfterProcessing') return req.socket.destroy();
		sendJson(req, res, 200, data.phpJson(answer));
	}

	answer(method, params, mixedQueryAndBody) {
		try {
			// Selzy crashes on a call split between query string and body; this is the text it shows.
			if (mixedQueryAndBody) throw new ApiError('unspecified', 'Call to a member function getMessage() on boolean');
			const handler = Object.hasOwn(API_METHODS, method) ? API_METHODS[method] : null;
			const taskType = this.taskMethods.get(method);
			if (!handler && !taskType) throw new ApiError('unknown_method', `Unknown method "${method}"`);
			this.checkKey(params.api_key);
			if (taskType) return { result: { ...this.startExport({ ...params, field_names: undefined }, taskType) } };
			return { result: handler === 'writeContacts' ? this.contactMethods[method](params) : this[handler](params) };
		} catch (err) {
			if (!(err instanceof ApiError)) throw err;
			return err.result === undefined ? { error: htmlEncode(err.message), code: err.code } : { error: htmlEncode(err.message), code: err.code, result: err.result };
		}
	}

	async serveControl(req, res, action, body) {
		try {
			const input = body.length ? JSON.parse(body.toString('utf8')) : {};
			send(res, 200, 'application/json', JSON.stringify((await this.control(action, input)) ?? null));
		} catch (err) {
			send(res, 400, 'application/json', JSON.stringify({ error: err.message }));
		}
	}

	async control(action, input) {
		switch (action) {
			case 'configure':
				return this.configure(input);
			case 'addCampaign':
				return this.addCampaign(input);
			case 'addList':
				return this.addList(input);
			case 'contactsTruth':
				return this.contactsTruth(input);
			case 'contact':
				return this.contact(input);
			case 'importLog':
				return this.importLog;
			case 'confirmations':
				return this.confirmations;
			case 'fault':
				return this.fault(input);
			case 'reset':
				return this.reset();
			case 'expireFiles':
				return this.expireFiles();
			case 'requests':
				return this.requests;
			case 'tasks':
				return this.tasks;
			case 'callbacks':
				return this.callbacks;
			case 'hooks':
				return this.hooks;
			case 'hookDeliveries':
				return this.hookDeliveries.map(({ body, ...entry }) => entry);
			case 'configureHooks':
				return this.configureHooks(input);
			case 'emitEvents':
				return (await this.emitEvents(input.events ?? [], input)).map(({ body, ...entry }) => entry);
			case 'stopHook':
				return this.stopHook(input.url);
			case 'scheduleCampaignStatus':
				return this.scheduleCampaignStatus(input);
			case 'groundTruth': {
				const { format, ...query } = input;
				const { sha256AndSize, ...facts } = this.groundTruth(query);
				return format ? { ...facts, ...(await sha256AndSize(format)) } : facts;
			}
			default:
				throw new Error(`unknown sandbox action "${action}"`);
		}
	}

	// ── Selzy methods ────────────────────────────────────────────────────────

	checkKey(key) {
		if (key === this.apiKey) return;
		if (key === this.accessDeniedKey) throw new ApiError('access_denied', ERROR_TEXT.access_denied);
		throw new ApiError('invalid_api_key', ERROR_TEXT.invalid_api_key);
	}

	listLists() {
		return [...this.lists.values()].map(({ id, title }) => ({ id, title }));
	}

	listFields() {
		return data.FIELDS;
	}

	listCampaigns(params) {
		const from = optionalTime(params, 'from');
		const to = optionalTime(params, 'to');
		const limit = optionalInt(params, 'limit', 1, 10000) ?? 10000;
		const offset = optionalInt(params, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
		return [...this.campaigns.values()]
			.filter((c) => (from === null || c.startTime >= from) && (to === null || c.startTime <= to))
			.sort((a, b) => a.id - b.id)
			.slice(offset, offset + limit)
			.map((c) => ({
				id: c.id,
				start_time: c.startTime,
				status: 'completed',
				message_id: c.id + 880000,
				list_id: c.listId,
				subject: c.subject,
				sender_name: 'Sandbox Shop',
				sender_email: c.sms ? '' : 'news@shop.example',
				stats_url: `${this.url}/en/v5/campaigns/${c.id}/stats`,
			}));
	}

	formatFor(campaign) {
		return campaign.format ?? this.config.format ?? 'csv';
	}

	startReport(params) {
		const idText = requiredText(params, 'campaign_id');
		const campaign = /^\d+$/.test(idText) ? this.campaigns.get(Number(idText)) : undefined;
		if (!campaign) throw invalidArg(`Argument "campaign_id": campaign "${idText}" not found`);
		const task = {
			uuid: crypto.randomUUID(),
			type: TASK_TYPE,
			campaign,
			changedSince: optionalTime(params, 'changed_since'),
			fieldIds: fieldIdsArg(params.field_ids),
			notifyUrl: notifyUrlArg(params.notify_url),
			params: withoutKey(params),
			settings: campaign.readyAfterMs === null ? { ...this.config } : { ...this.config, readyAfterMs: campaign.readyAfterMs, readyAfterPolls: null },
			format: this.formatFor(campaign),
			status: 'new',
			polls: 0,
			createdAt: Date.now(),
			completedAt: null,
			file: null,
			timer: null,
		};
		return this.track(task);
	}

	track(task) {
		this.taskMap.set(task.uuid, task);
		if (task.settings.readyAfterMs !== null) task.timer = this.later(task.settings.readyAfterMs, () => this.complete(task));
		return { task_uuid: task.uuid, status: 'new' };
	}

	/** async/exportContacts: list_id, field_names[], filters email, phone, tag, email_status, phone_status. */
	startExport(params, type = EXPORT_TASK_TYPE) {
		let list = null;
		if (params.list_id !== undefined && params.list_id !== '') {
			const idText = requiredText(params, 'list_id');
			list = /^\d+$/.test(idText) ? this.lists.get(Number(idText)) : undefined;
			if (!list) throw invalidArg(`Argument "list_id": list "${idText}" not found`);
		} else {
			// No list: every contact of the account, a list of its own here.
			list = ALL_CONTACTS;
		}
		const fieldNames = contacts.fieldNamesArg(params.field_names);
		if (fieldNames.error) throw invalidArg(fieldNames.error);
		const filters = {};
		for (const name of ['email', 'phone', 'tag', 'email_status', 'phone_status']) {
			const value = params[name];
			if (value === undefined || value === '') continue;
			if (typeof value !== 'string') throw invalidArg(`Argument "${name}" must be a single value`);
			filters[name] = value;
		}
		if (filters.email_status && !contacts.EMAIL_STATUSES.includes(filters.email_status)) {
			throw invalidArg(`Argument "email_status" has an invalid value "${filters.email_status}"`);
		}
		if (filters.phone_status && !contacts.PHONE_STATUSES.includes(filters.phone_status)) {
			throw invalidArg(`Argument "phone_status" has an invalid value "${filters.phone_status}"`);
		}
		return this.track({
			uuid: crypto.randomUUID(),
			type,
			list,
			fieldNames,
			filters,
			notifyUrl: notifyUrlArg(params.notify_url),
			params: withoutKey(params),
			settings: { ...this.config },
			format: this.config.format ?? 'csv',
			status: 'new',
			polls: 0,
			createdAt: Date.now(),
			completedAt: null,
			file: null,
			timer: null,
		});
	}

	pollTask(params) {
		const uuid = requiredText(params, 'task_uuid');
		const task = this.taskMap.get(uuid);
		if (!task) throw invalidArg(`Argument "task_uuid": task "${uuid}" not found`);
		task.polls++;
		if (task.status !== 'completed') this.advance(task);
		return this.taskResult(task);
	}

	/** A poll moves the task on: the first poll after readyAfterPolls polls completes it. */
	advance(task) {
		const needed = task.settings.readyAfterPolls;
		if (needed !== null && task.polls > needed) return this.complete(task);
		task.status = task.polls === 1 && (needed === null || needed >= 2) ? 'new' : 'processing';
	}

	taskResult(task) {
		const result = { task_uuid: task.uuid, task_type: task.type, status: task.status };
		if (task.file) result.file_to_download = this.fileUrl(task.file);
		return result;
	}

	/** Selzy finishes the task now, as its own clock would: the file is ready and notify_url is called. */
	completeTask(uuid) {
		const task = this.taskMap.get(uuid);
		if (!task) throw new Error(`no task ${uuid}`);
		this.complete(task);
	}

	complete(task) {
		if (task.status === 'completed') return;
		this.cancel(task.timer);
		task.status = 'completed';
		task.completedAt = Date.now();
		const spec = task.list
			? { seed: this.seed, list: task.list, fieldNames: task.fieldNames, filters: task.filters, format: task.format, book: this.book }
			: {
					seed: this.seed,
					campaign: task.campaign,
					changedSince: task.changedSince,
					fieldIds: task.fieldIds,
					fieldHeader: task.settings.fieldHeader,
					format: task.format,
				};
		task.file = { token: crypto.randomBytes(16).toString('hex'), name: data.fileName(spec), spec, expired: false, size: null };
		this.files.set(task.file.token, task.file);
		if (task.notifyUrl) this.notify(task);
	}

	fileUrl(file) {
		return `${this.url}/files/${file.token}/${encodeURIComponent(file.name)}`;
	}

	// ── callbacks ────────────────────────────────────────────────────────────

	/** POSTs the completed task to notify_url, callbackTimes times in a row, logging each attempt. */
	async notify(task) {
		const result = this.taskResult(task);
		const { callbackFormat, callbackTimes } = task.settings;
		const body =
			callbackFormat === 'form'
				? Object.entries(result).map(([k, v]) => `${encodeURIComponent(`result[${k}]`)}=${encodeURIComponent(v)}`).join('&')
				: data.phpJson({ result });
		const contentType = callbackFormat === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
		for (let attempt = 1; attempt <= callbackTimes && !this.closed; attempt++) {
			const entry = { taskUuid: task.uuid, url: task.notifyUrl, attempt, contentType, body, time: Date.now(), status: null, error: null };
			this.callbackLog.push(entry);
			try {
				entry.status = await this.post(task.notifyUrl, contentType, body);
			} catch (err) {
				entry.error = err.message;
			}
		}
	}

	post(target, contentType, body) {
		const url = new URL(target);
		const client = url.protocol === 'https:' ? https : http;
		return new Promise((resolve, reject) => {
			const headers = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'selzy-sandbox' };
			const req = client.request(url, { method: 'POST', headers, agent: false }, (res) => {
				res.resume();
				res.on('end', () => resolve(res.statusCode));
			});
			this.outgoing.add(req);
			req.on('close', () => this.outgoing.delete(req));
			req.on('error', reject);
			req.setTimeout(CALLBACK_TIMEOUT_MS, () => req.destroy(new Error('callback timed out')));
			req.end(body);
		});
	}

	// ── downloads ────────────────────────────────────────────────────────────

	async serveFile(req, res, url, token, name) {
		const entry = this.record(req, url, null, 'download', parseForm(url.search.slice(1)));
		const fault = this.takeFault('download');
		if (fault) {
			entry.fault = fault.kind;
			if (await this.injectFault(fault, req, res)) return;
		}
		const file = this.files.get(token);
		if (!file || encodeURIComponent(file.name) !== name) return sendStorageError(res, 404, 'NoSuchKey', 'The file does not exist');
		if (file.expired || fault?.kind === 'expired') return sendStorageError(res, 403, 'AccessDenied', 'Request has expired');
		if (fault?.kind === 'bomb' || fault?.kind === 'file') return this.serveCrafted(req, res, craftedDownload(fault));
		const broken = fault?.kind === 'brokenGzip';
		const cutting = fault && CUTTING_FAULTS.includes(fault.kind) ? fault : null;
		const spec = broken ? { ...file.spec, format: 'csv-gzip' } : file.spec;
		const size = broken ? null : await this.sizeOf(file, cutting !== null && (fault.kind === 'truncate' || fault.bytes === undefined));
		const headers = {
			'Content-Type': data.FILE_TYPES[spec.format].contentType,
			'Content-Disposition': `attachment; filename="${data.fileName(spec)}"`,
			'Last-Modified': new Date(data.REPORT_END * 1000).toUTCString(),
		};
		if (size !== null) headers['Content-Length'] = size;
		res.writeHead(200, headers);
		if (req.method === 'HEAD') return res.end();
		const bytes = broken ? withoutTail(data.reportBytes(spec), fault.cut ?? 20) : data.reportBytes(spec);
		await this.streamBody(res, bytes, cutting && { ...cutting, bytes: cutting.bytes ?? Math.floor(size / 2) });
	}

	/** A crafted body in place of the report (faults `bomb` and `file`), chunked, with backpressure. */
	async serveCrafted(req, res, { contentType, fileName, chunks }) {
		res.writeHead(200, { 'Content-Type': contentType, 'Content-Disposition': `attachment; filename="${fileName}"` });
		if (req.method === 'HEAD') return res.end();
		await this.streamBody(res, chunks, null);
	}

	/** The file's byte size, measured once when cheap (or when a fault needs it), else null. */
	async sizeOf(file, needed) {
		const rows = file.spec.list ? file.spec.list.size : file.spec.campaign.rows;
		const cheap = !['csv-gzip', 'zip'].includes(file.spec.format) && rows <= MEASURE_MAX_ROWS;
		if (file.size === null && (needed || cheap)) file.size = (await data.measure(file.spec)).size;
		return file.size;
	}

	/** Streams with backpressure; a cutting fault stops (truncate, dropMidway) or pauses (stall) at `bytes`. */
	async streamBody(res, chunks, cut) {
		let sent = 0;
		let pending = cut;
		for await (const chunk of chunks) {
			let piece = chunk;
			if (pending && sent + piece.length >= pending.bytes) {
				const head = piece.subarray(0, pending.bytes - sent);
				if (!(await writeChunk(res, head))) return;
				sent += head.length;
				piece = piece.subarray(head.length);
				if (pending.kind === 'truncate') return res.socket.end(); // clean close, short of Content-Length
				if (pending.kind === 'dropMidway') {
					await this.delay(50); // let the bytes reach the client: a reset discards what it has not read yet
					return res.socket?.resetAndDestroy();
				}
				await this.delay(pending.ms ?? 3000);
				pending = null;
			}
			if (!(await writeChunk(res, piece))) return;
			sent += piece.length;
		}
		res.end();
	}
}

/**
 * Starts a sandbox. Returns the Sandbox: url, apiKey, accessDeniedKey, configure, addCampaign,
 * fault, expireFiles, reset, requests, callbacks, tasks, groundTruth, close.
 */
async function createSandbox({ port = 0, host = '127.0.0.1', seed = 1 } = {}) {
	const sandbox = new Sandbox(seed);
	await sandbox.listen(port, host);
	return sandbox;
}

module.exports = { createSandbox };
