'use strict';
// The layers of nodes/Selzy, read from the import statements: imports only point down, no two
// modules import each other (directly or in a ring), and the report core imports nothing of n8n.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const NODE_DIR = path.join(ROOT, 'nodes', 'Selzy');

/** Folder (or file, for the node classes) → its layer; higher layers may import lower ones. */
const LAYERS = [
	['report', 0], // pure core: bytes → text → records → rows / summary
	['transport', 1], // Selzy API calls, errors, the rate limiter, downloads and their guard
	['tasks', 2], // the task-kind registry and the task itself (statuses, getTaskResult)
	['results', 3], // a finished task → n8n items, binary data, tool answers and n8n errors
	['callback', 4], // the one callback handler (trigger and resumed execution)
	['methods', 5],
	['actions', 5],
	['node', 6], // Selzy.node.ts, SelzyTrigger.node.ts
];

function layerOf(file) {
	const relative = path.relative(NODE_DIR, file);
	if (relative.startsWith('..')) return { name: 'credentials', rank: 5 };
	const folder = relative.includes(path.sep) ? relative.split(path.sep)[0] : 'node';
	const found = LAYERS.find(([name]) => name === folder);
	if (!found) throw new Error(`${relative} is in no known layer; add its folder to LAYERS`);
	return { name: found[0], rank: found[1] };
}

function sourceFiles(dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return entry.name.endsWith('.ts') ? [full] : [];
	});
}

/** Every module a file imports or re-exports: { specifier, resolved (for relative ones) }. */
function importsOf(file) {
	const text = fs.readFileSync(file, 'utf8');
	const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((match) => match[1]);
	return specifiers.map((specifier) => {
		if (!specifier.startsWith('.')) return { specifier };
		const base = path.resolve(path.dirname(file), specifier);
		const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
		if (!resolved) throw new Error(`${path.relative(ROOT, file)} imports ${specifier}, which does not exist`);
		return { specifier, resolved };
	});
}

const files = [...sourceFiles(NODE_DIR), ...sourceFiles(path.join(ROOT, 'credentials'))];
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const show = (file) => path.relative(ROOT, file);

test('imports only point down the layers', () => {
	const upward = [];
	for (const [file, imports] of graph) {
		const from = layerOf(file);
		for (const { resolved } of imports) {
			if (!resolved) continue;
			const to = layerOf(resolved);
			if (to.rank > from.rank || (to.rank === from.rank && to.name !== from.name)) {
				upward.push(`${show(file)} (${from.name}) → ${show(resolved)} (${to.name})`);
			}
		}
	}
	expect(upward).toEqual([]);
});

test('no module imports itself through others (no cycles)', () => {
	const cycles = [];
	const state = new Map(); // file → 'visiting' | 'done'
	const visit = (file, trail) => {
		if (state.get(file) === 'done') return;
		if (state.get(file) === 'visiting') {
			cycles.push([...trail.slice(trail.indexOf(file)), file].map(show).join(' → '));
			return;
		}
		state.set(file, 'visiting');
		for (const { resolved } of graph.get(file) ?? []) if (resolved) visit(resolved, [...trail, file]);
		state.set(file, 'done');
	};
	for (const file of graph.keys()) visit(file, []);
	expect(cycles).toEqual([]);
});

test('the report core imports nothing outside itself: no n8n, no Node modules', () => {
	const foreign = [];
	for (const [file, imports] of graph) {
		if (layerOf(file).name !== 'report') continue;
		for (const { specifier, resolved } of imports) {
			if (!resolved || layerOf(resolved).name !== 'report') foreign.push(`${show(file)} imports ${specifier}`);
		}
	}
	expect(foreign).toEqual([]);
});
