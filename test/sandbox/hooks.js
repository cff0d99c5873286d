'use strict';
// Selzy's event webhooks in the sandbox: setHook / listHooks / removeHook, and deliveries of events
// to every active hook that asked for them, batched (`events_by_user`) or one per request
// (`single_event`), signed with `auth` (MD5 of the body with the API key in its place). An answer
// other than 200 within 3 s is retried with `retry_count` + 1, every few seconds here instead of
// every 10 minutes; a hook still failing after `stopAfterMs` (Selzy: 24 h) becomes `stopped`.

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const { phpJson } = require('./data');

const DEFAULT_HOOK_CONFIG = Object.freeze({
	answerTimeoutMs: 3000,
	retryEveryMs: 2000,
	stopAfterMs: 10_000,
	retryCountIn: 'body',
	batchSize: 100,
});
const HOOK_CONFIG_CHECKS = {
	answerTimeoutMs: (v) => Number.isFinite(v) && v > 0,
	retryEveryMs: (v) => v === null || (Number.isFinite(v) && v >= 0),
	stopAfterMs: (v) => Number.isFinite(v) && v >= 0,
	retryCountIn: (v) => v === 'body' || v === 'query',
	batchSize: (v) => Number.isInteger(v) && v >= 1,
};
const LIST_EVENTS = new Set(['subscribe', 'unsubscribe']);

/** `events[name]=filter` form keys → { name: filter }. */
function eventsArg(params) {
	const events = {};
	for (const [key, value] of Object.entries(params)) {
		const match = /^events\[([^\]]+)\]$/.exec(key);
		if (match) events[match[1]] = String(value);
	}
	return events;
}

/** "YYYY-MM-DD hh:mm:ss" in UTC, as Selzy writes times. */
const selzyTime = (ms = Date.now()) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** The body Selzy sends, signed: MD5 of the JSON with the API key as `auth`, then that digest in its place. */
function signedBody(value, apiKey) {
	const withKey = phpJson({ auth: apiKey, ...value });
	const auth = crypto.createHash('md5').update(withKey).digest('hex');
	return withKey.replace(phpJson(apiKey), JSON.stringify(auth));
}

class HookStore {
	/** sandbox: for its apiKey, timers (later/cancel) and closed flag; errors: (code, message) → Error. */
	constructor(sandbox, errors) {
		this.sandbox = sandbox;
		this.errors = errors;
		this.login = 'sandbox-shop';
		this.clear();
	}

	clear() {
		this.config = { ...DEFAULT_HOOK_CONFIG };
		this.hooks = new Map();
		this.nextId = 1;
		this.deliveries = [];
		this.inFlight = new Set();
	}

	configure(options = {}) {
		const next = { ...this.config };
		for (const [key, value] of Object.entries(options)) {
			if (!(key in HOOK_CONFIG_CHECKS)) throw new Error(`unknown hook option "${key}"; known: ${Object.keys(HOOK_CONFIG_CHECKS).join(', ')}`);
			if (!HOOK_CONFIG_CHECKS[key](value)) throw new Error(`invalid value for "${key}": ${JSON.stringify(value)}`);
			next[key] = value;
		}
		this.config = next;
		return { ...next };
	}

	// ── API methods ─────────────────────────────────────────────────────────

	setHook(params) {
		const url = typeof params.hook_url === 'string' && URL.canParse(params.hook_url) ? new URL(params.hook_url) : null;
		if (!url || !/^https?:$/.test(url.protocol)) throw this.errors('invalid_arg', 'Argument "hook_url" must be an http(s) URL');
		const events = eventsArg(params);
		if (Object.keys(events).length === 0) throw this.errors('invalid_arg', 'Argument "events" must name at least one event');
		const format = params.event_format ?? 'json_post';
		if (format !== 'json_post') throw this.errors('invalid_arg', `Argument "event_format" has an unsupported value "${format}"`);
		const status = params.status ?? 'active';
		if (!['active', 'disabled'].includes(status)) throw this.errors('invalid_arg', `Argument "status" has an invalid value "${status}"`);
		const known = this.hooks.get(params.hook_url);
		// Selzy: the URL is the handler's identity; setting it again replaces the handler.
		this.hooks.set(params.hook_url, {
			id: known?.id ?? this.nextId++,
			hook_url: params.hook_url,
			events,
			event_format: format,
			single_event: params.single_event === '1' ? 1 : 0,
			max_parallel: Number(params.max_parallel ?? 10),
			status,
			setAt: Date.now(),
		});
		return {};
	}

	listHooks() {
		return [...this.hooks.values()].map(({ setAt, ...hook }) => ({ ...hook, events: { ...hook.events } }));
	}

	removeHook(params) {
		if (typeof params.hook_url !== 'string' || !this.hooks.delete(params.hook_url)) {
			throw this.errors('invalid_arg', `Hook "${params.hook_url}" not found`);
		}
		return {};
	}

	// ── control ─────────────────────────────────────────────────────────────

	/** Makes a hook stopped, as Selzy does after 24 h of failed deliveries. */
	stopHook(url) {
		const hook = this.hooks.get(url);
		if (!hook) throw new Error(`no hook ${url}`);
		hook.status = 'stopped';
		return { ...hook };
	}

	/**
	 * Delivers events ({ event_name, event_time?, ...fields }) to every active hook that asked for
	 * them; resolves once each first attempt has an answer (retries go on by timer).
	 */
	async emit(events, { login = this.login } = {}) {
		const stamped = events.map((event) => ({ event_time: selzyTime(), ...event }));
		const sends = [];
		for (const hook of this.hooks.values()) {
			if (hook.status !== 'active') continue;
			const mine = stamped.filter((event) => wants(hook, event));
			if (!mine.length) continue;
			const size = hook.single_event ? 1 : this.config.batchSize;
			for (let at = 0; at < mine.length; at += size) {
				sends.push(this.deliver(hook, this.bodyOf(hook, mine.slice(at, at + size), login)));
			}
		}
		return Promise.all(sends);
	}

	/** The value Selzy would sign and send for these events (before auth and retry_count). */
	bodyOf(hook, events, login) {
		if (hook.single_event) {
			const [{ event_name, event_time, ...fields }] = events;
			return { login, event_name, event_time, ...fields };
		}
		const batched = events.map(({ event_name, event_time, ...fields }) => ({ event_name, event_time, event_data: fields }));
		return { events_by_user: [{ login, events: batched }] };
	}

	/** One delivery and, until it is answered 200 in time, its retries; the hook stops after stopAfterMs. */
	async deliver(hook, value, retryCount = 0, firstAt = Date.now()) {
		const { answerTimeoutMs, retryEveryMs, stopAfterMs, retryCountIn } = this.config;
		const inBody = retryCount > 0 && retryCountIn === 'body';
		const body = signedBody(inBody ? { ...value, retry_count: retryCount } : value, this.sandbox.apiKey);
		const target = retryCount > 0 && retryCountIn === 'query' ? withQuery(hook.hook_url, 'retry_count', retryCount) : hook.hook_url;
		const events = value.events_by_user ? value.events_by_user[0].events.length : 1;
		const entry = { hookUrl: hook.hook_url, url: target, retryCount, events, body, time: Date.now(), status: null, error: null, ms: null };
		this.deliveries.push(entry);
		const started = performance.now();
		try {
			entry.status = await post(target, body, answerTimeoutMs, this.inFlight);
		} catch (error) {
			entry.error = error.message;
		}
		entry.ms = Math.round(performance.now() - started);
		if (entry.status === 200 || this.sandbox.closed || retryEveryMs === null) return entry;
		if (Date.now() - firstAt >= stopAfterMs) {
			if (this.hooks.get(hook.hook_url) === hook) hook.status = 'stopped';
			return entry;
		}
		this.sandbox.later(retryEveryMs, () => {
			if (hook.status === 'active' && this.hooks.get(hook.hook_url) === hook) void this.deliver(hook, value, retryCount + 1, firstAt);
		});
		return entry;
	}

	close() {
		for (const req of this.inFlight) req.destroy();
	}
}

/** Whether a hook asked for this event (a list filter on subscribe / unsubscribe). */
function wants(hook, event) {
	const filter = hook.events[event.event_name];
	if (filter === undefined) return false;
	if (filter === '*' || !LIST_EVENTS.has(event.event_name)) return true;
	const lists = [event.subscribed_list_ids, event.unsubscribed_list_ids, event.list_ids, event.list_id].flat().filter((id) => id !== undefined);
	return lists.map(String).includes(filter);
}

function withQuery(url, name, value) {
	const parsed = new URL(url);
	parsed.searchParams.set(name, String(value));
	return parsed.toString();
}

function post(target, body, timeoutMs, inFlight) {
	const url = new URL(target);
	const client = url.protocol === 'https:' ? https : http;
	return new Promise((resolve, reject) => {
		const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'selzy-sandbox-hooks' };
		const req = client.request(url, { method: 'POST', headers, agent: false }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode));
		});
		inFlight.add(req);
		req.on('close', () => inFlight.delete(req));
		req.on('error', reject);
		req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		req.end(body);
	});
}

module.exports = { HookStore, signedBody, selzyTime };
