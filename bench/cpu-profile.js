'use strict';
/**
 * CPU profile of a running Node process through its inspector (n8n started with
 * `--inspect=127.0.0.1:<port>`): start before a load, stop after it, and sum the samples by
 * function (self time) and under chosen frames (inclusive time).
 */

const { request, WebSocket } = require('undici');

/** Connects to the inspector at `port`; returns { send(method, params), close() }. */
async function attach(port) {
	const response = await request(`http://127.0.0.1:${port}/json/list`);
	const [target] = await response.body.json();
	if (!target?.webSocketDebuggerUrl) throw new Error(`no inspector target on port ${port}`);
	const socket = new WebSocket(target.webSocketDebuggerUrl);
	await new Promise((resolve, reject) => {
		socket.addEventListener('open', resolve, { once: true });
		socket.addEventListener('error', reject, { once: true });
	});
	let nextId = 1;
	const pending = new Map();
	socket.addEventListener('message', (event) => {
		const message = JSON.parse(String(event.data));
		const waiter = message.id && pending.get(message.id);
		if (!waiter) return;
		pending.delete(message.id);
		if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
		else waiter.resolve(message.result);
	});
	return {
		send(method, params = {}) {
			const id = nextId++;
			socket.send(JSON.stringify({ id, method, params }));
			return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
		},
		close() {
			socket.close();
		},
	};
}

/** Starts sampling (every `intervalUs`); the returned stop() resolves with the raw profile. */
async function startProfile(port, intervalUs = 500) {
	const session = await attach(port);
	await session.send('Profiler.enable');
	await session.send('Profiler.setSamplingInterval', { interval: intervalUs });
	await session.send('Profiler.start');
	return {
		async stop() {
			const { profile } = await session.send('Profiler.stop');
			session.close();
			return profile;
		},
	};
}

const frameName = (frame) => {
	const where = frame.url ? frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '') : '';
	return `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
};

/**
 * Sums a profile: `self` = the top functions by self time; `inclusive` = time spent under any frame
 * whose function name matches one of `inclusivePatterns` (counted once per sample); `selfGroups` =
 * self time of the functions whose "name location" matches each group's pattern.
 */
function summarize(profile, { top = 15, inclusivePatterns = [], selfGroups = {} } = {}) {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const microseconds = new Map();
	profile.samples.forEach((id, index) => microseconds.set(id, (microseconds.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));

	const totalUs = profile.endTime - profile.startTime;
	const self = new Map();
	const inclusive = new Map(inclusivePatterns.map((pattern) => [String(pattern), 0]));
	let idleUs = 0;
	for (const [id, us] of microseconds) {
		const node = byId.get(id);
		const name = frameName(node.callFrame);
		if (node.callFrame.functionName === '(idle)') idleUs += us;
		self.set(name, (self.get(name) ?? 0) + us);
		const seen = new Set();
		for (let at = id; at !== undefined; at = parent.get(at)) {
			const fn = byId.get(at).callFrame.functionName;
			for (const pattern of inclusivePatterns) if (pattern.test(fn)) seen.add(String(pattern));
		}
		for (const key of seen) inclusive.set(key, inclusive.get(key) + us);
	}
	const ms = (us) => Math.round(us / 1000);
	return {
		wallMs: ms(totalUs),
		busyMs: ms(totalUs - idleUs),
		selfGroups: Object.fromEntries(
			Object.entries(selfGroups).map(([group, pattern]) => [group, ms([...self].filter(([name]) => pattern.test(name)).reduce((sum, [, us]) => sum + us, 0))]),
		),
		self: [...self]
			.filter(([name]) => !/^\((idle|program|garbage collector)\)/.test(name))
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([name, us]) => ({ function: name, selfMs: ms(us) })),
		garbageCollectorMs: ms(self.get('(garbage collector)') ?? 0),
		inclusive: Object.fromEntries([...inclusive].map(([pattern, us]) => [pattern, ms(us)])),
	};
}

module.exports = { attach, startProfile, summarize };
