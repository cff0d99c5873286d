/**
 * The example workflows stay honest. Each one imports into n8n's Workflow class with this
 * package's node types; every parameter set on a Selzy node exists in that node's description
 * (shown for the node's settings, with a value it offers); node labels and sticky notes do not
 * overlap; and the sticky notes name only nodes, parameters and options that exist, and the
 * campaigns and lists the demo's sandbox has.
 */
const { createHarness } = require('../harness'); // first: it prepares the environment n8n reads
const { NodeHelpers, Workflow } = require('n8n-workflow');
const { createSandbox } = require('../sandbox/server');
const { HarnessNodeTypes } = require('../harness/node-types');
const { LISTS, seedCampaigns } = require('../sandbox/data');
const { SANDBOX_CAMPAIGN, exampleFiles, loadExample } = require('../../scripts/examples');
const { toolVariant, packageNodeClasses } = require('./package-types');

const nodeTypes = new HarnessNodeTypes();
for (const NodeClass of packageNodeClasses()) {
	const { typeName, nodeType } = nodeTypes.register(NodeClass);
	if (nodeType.description.usableAsTool) nodeTypes.add(`${typeName}Tool`, toolVariant(nodeType));
}
const packageTypes = [...nodeTypes.byName.values()].map(({ nodeType }) => nodeType.description);
/** n8n's own nodes are not installed here; n8n's Workflow skips a type it does not know. */
const N8N_OWN_TYPE = /^(n8n-nodes-base|@n8n\/n8n-nodes-langchain)\./;
const workflowNodeTypes = {
	getByName: (type) => nodeTypes.getByName(type),
	getByNameAndVersion: (type, version) =>
		nodeTypes.getByName(type) ? nodeTypes.getByNameAndVersion(type, version) : undefined,
	getKnownTypes: () => ({}),
};

const CREDENTIAL = { id: 'credentialId01', name: 'Selzy account' };
const examples = exampleFiles().map((file) => ({
	file,
	// As the demo imports them: the sandbox campaign in empty campaign pickers.
	workflow: loadExample(file, CREDENTIAL, { mode: 'id', value: SANDBOX_CAMPAIGN }),
}));
const isSticky = (node) => node.type === 'n8n-nodes-base.stickyNote';

let sandbox;
let harness;
beforeAll(async () => {
	sandbox = await createSandbox({ port: 0 });
	harness = await createHarness({ credentials: { selzyApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, language: 'en' } } });
});
afterAll(async () => {
	await harness?.close();
	await sandbox?.close();
});
const isPackageNode = (node) => Boolean(nodeTypes.getByName(node.type));

describe.each(examples)('examples/$file', ({ workflow }) => {
	test('imports into n8n’s Workflow class; every node is this package’s or n8n’s own', () => {
		const imported = new Workflow({
			id: 'example',
			name: workflow.name,
			nodes: structuredClone(workflow.nodes),
			connections: workflow.connections,
			active: false,
			nodeTypes: workflowNodeTypes,
			settings: workflow.settings,
		});
		for (const node of workflow.nodes) {
			expect(`${node.type}: ${isPackageNode(node) || N8N_OWN_TYPE.test(node.type)}`).toBe(`${node.type}: true`);
		}
		const connected = Object.entries(workflow.connections).flatMap(([from, outputs]) => [
			from,
			...Object.values(outputs).flat(2).map((target) => target.node),
		]);
		expect(connected.filter((name) => !imported.getNode(name))).toEqual([]);
	});

	test('every parameter of a Selzy node exists, is shown for its settings and has a value it offers', () => {
		const problems = workflow.nodes.filter(isPackageNode).flatMap((node) => parameterProblems(node));
		expect(problems).toEqual([]);
	});

	test('no Selzy parameter has an invalid value (empty required ones are the user’s to fill in)', () => {
		const issues = workflow.nodes.filter(isPackageNode).flatMap((node) => {
			const { description } = nodeTypes.getByName(node.type);
			const parameters = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description);
			const found = NodeHelpers.getNodeParametersIssues(description.properties, { ...node, parameters }, description);
			return Object.entries(found?.parameters ?? {}).flatMap(([name, messages]) =>
				messages.filter((message) => !/^Parameter ".+" is required\.$/.test(message)).map((message) => `${node.name} → ${name}: ${message}`),
			);
		});
		expect(issues).toEqual([]);
	});

	test('the columns an import maps are those the node offers with the sandbox, so the editor calls none outdated', async () => {
		// n8n's editor compares a saved schema with the node's columns, field by field, and warns on any difference.
		const compared = ({ id, displayName, type, required, defaultMatch, display, canBeUsedToMatch, options }) =>
			JSON.stringify({ id, displayName, type, required, defaultMatch, display, canBeUsedToMatch, options });
		for (const node of workflow.nodes.filter((candidate) => candidate.parameters?.columns?.schema)) {
			const offered = await harness.runLoadOptions(nodeTypes.getByName(node.type).constructor, 'getContactColumns', {
				kind: 'resourceMapping',
				parameters: node.parameters,
			});
			expect(node.parameters.columns.schema.map(compared)).toEqual(offered.fields.map(compared));
		}
	});

	test('node labels stand apart and no sticky note covers a node', () => {
		const nodes = workflow.nodes.filter((node) => !isSticky(node));
		const crowded = [];
		for (const [i, a] of nodes.entries()) {
			for (const b of nodes.slice(i + 1)) {
				// Labels (up to about 180 px wide) sit centred under nodes of one row.
				const sameRow = Math.abs(a.position[1] - b.position[1]) < 100;
				if (sameRow && Math.abs(a.position[0] - b.position[0]) < 200) crowded.push(`${a.name} / ${b.name}`);
			}
		}
		expect(crowded).toEqual([]);
		const covered = workflow.nodes.filter(isSticky).flatMap((note) =>
			nodes.filter((node) => overlaps(noteBox(note), nodeBox(node))).map((node) => `${note.name} covers ${node.name}`),
		);
		expect(covered).toEqual([]);
	});

	test('sticky notes name only nodes, parameters and options that exist, and the sandbox’s campaigns and lists', () => {
		const known = knownTerms(workflow);
		const problems = workflow.nodes.filter(isSticky).flatMap((note) => stickyProblems(note.parameters.content, known));
		expect(problems).toEqual([]);
	});
});

test('the checks catch what they are for', () => {
	const known = knownTerms({ nodes: [{ name: 'Export contacts' }] });
	expect(stickyProblems('Set *Field Names* in *Export contacts*; see campaign 123 and list 9', known)).toEqual([
		'names “Field Names”, which is no node, parameter or option here',
		'names campaign 123, which the sandbox does not have',
		'names list 9, which the sandbox does not have',
	]);
	expect(stickyProblems('Campaign → Get Report, Wait: Until Ready. 1. Activate this workflow.', known)).toEqual([
		'names Campaign → Get Report, which is no operation',
		'says “Activate this workflow”: n8n 2.x says publish',
		'names Wait: Until Ready, which Wait does not offer',
	]);
	expect(stickyProblems('Publish it (n8n 1.x: activate it), then Campaign → Get Delivery Report, Wait: Don\'t Wait', known)).toEqual([]);
	const node = { name: 'S', type: 'n8n-nodes-selzy.selzy', typeVersion: 1, position: [0, 0] };
	expect(
		parameterProblems({
			...node,
			parameters: { resource: 'campaign', operation: 'getStatus', output: 'rows', campaignId: { __rl: true, mode: 'url', value: '1' } },
		}),
	).toEqual(['S → output: not shown for these settings', 'S → campaignId: mode “url” is not one of its modes']);
	expect(
		parameterProblems({
			...node,
			parameters: { resource: 'campaign', operation: 'getDeliveryReport', waitMode: 'later', options: { pollEvery: 5 } },
		}),
	).toEqual(['S → waitMode: “later” is not one of its options', 'S → options.pollEvery: no such parameter']);
});

// ——— parameters ———

const isExpression = (value) => typeof value === 'string' && value.startsWith('=');

function parameterProblems(node) {
	const { description } = nodeTypes.getByName(node.type);
	return Object.entries(node.parameters).flatMap(([name, value]) =>
		propertyProblems(description, description.properties, name, value, node.parameters, node.parameters, node, `${node.name} → ${name}`),
	);
}

/** What is wrong with `name: value` among `properties`, judged with n8n's own display rules. */
function propertyProblems(description, properties, name, value, values, rootValues, node, path) {
	const candidates = properties.filter((property) => property.name === name);
	if (!candidates.length) return [`${path}: no such parameter`];
	const property = candidates.find((candidate) =>
		NodeHelpers.displayParameter(values, candidate, node, description, rootValues),
	);
	if (!property) return [`${path}: not shown for these settings`];
	if (isExpression(value)) return [];
	const offered = (option) => option.value;
	switch (property.type) {
		case 'options':
			if (property.typeOptions?.loadOptionsMethod || property.options.some((o) => offered(o) === value)) return [];
			return [`${path}: “${value}” is not one of its options`];
		case 'multiOptions':
			if (property.typeOptions?.loadOptionsMethod) return [];
			return value.filter((v) => !property.options.some((o) => offered(o) === v)).map((v) => `${path}: “${v}” is not one of its options`);
		case 'resourceLocator':
			return property.modes.some((mode) => mode.name === value.mode) ? [] : [`${path}: mode “${value.mode}” is not one of its modes`];
		case 'collection':
			return Object.entries(value).flatMap(([key, inner]) =>
				propertyProblems(description, property.options, key, inner, value, rootValues, node, `${path}.${key}`),
			);
		case 'fixedCollection':
			return Object.entries(value).flatMap(([key, entries]) => {
				const group = property.options.find((option) => option.name === key);
				if (!group) return [`${path}.${key}: no such parameter`];
				return [].concat(entries).flatMap((entry) =>
					Object.entries(entry).flatMap(([field, inner]) =>
						propertyProblems(description, group.values, field, inner, entry, rootValues, node, `${path}.${key}.${field}`),
					),
				);
			});
		default:
			return [];
	}
}

// ——— sticky notes ———

/** Words n8n's editor itself shows (buttons, fields) that notes may name. */
const EDITOR_WORDS = ['Production URL', 'Execute workflow', 'Open chat'];
const SANDBOX = { campaign: new Set(seedCampaigns().map((c) => String(c.id))), list: new Set(LISTS.map((l) => String(l.id))) };

/** Everything a note may name: the workflow's nodes, and the package's nodes, parameters and options. */
function knownTerms(workflow) {
	const names = new Set([...EDITOR_WORDS, ...workflow.nodes.map((node) => node.name)]);
	const choices = new Map(); // an options parameter's name → the names of its options
	const operations = new Set();
	const visit = (properties) => {
		for (const property of properties ?? []) {
			if (property.displayName) names.add(property.displayName);
			if (property.type === 'options' || property.type === 'multiOptions') {
				const offered = (property.options ?? []).map((option) => option.name);
				offered.forEach((option) => names.add(option));
				choices.set(property.displayName, [...(choices.get(property.displayName) ?? []), ...offered]);
			}
			if (property.type === 'collection') visit(property.options);
			if (property.type === 'fixedCollection') for (const group of property.options) visit([group, ...group.values]);
		}
	};
	for (const description of packageTypes) {
		names.add(description.displayName);
		visit(description.properties);
		const resources = description.properties.find((property) => property.name === 'resource')?.options ?? [];
		for (const operation of description.properties.filter((property) => property.name === 'operation')) {
			for (const resource of resources.filter((r) => operation.displayOptions?.show?.resource?.includes(r.value))) {
				for (const option of operation.options) operations.add(`${resource.name} → ${option.name}`);
			}
		}
	}
	return { names, choices, operations };
}

function stickyProblems(content, { names, choices, operations }) {
	const problems = [];
	for (const [, bold, italic] of content.matchAll(/\*\*([^*]+)\*\*|\*([^*\n]+)\*/g)) {
		const term = bold ?? italic;
		if (!names.has(term)) problems.push(`names “${term}”, which is no node, parameter or option here`);
	}
	for (const [, kind, id] of content.matchAll(/\b(campaign|list)s?\s+(?:#|ID\s+)?(\d+)/gi)) {
		if (!SANDBOX[kind.toLowerCase()].has(id)) problems.push(`names ${kind} ${id}, which the sandbox does not have`);
	}
	for (const [path] of content.matchAll(/\b(?:Campaign|Contact|Task) → [A-Z][\w ]*?(?=[,.;)\n]|$)/g)) {
		if (!operations.has(path)) problems.push(`names ${path}, which is no operation`);
	}
	// n8n 2.x publishes a workflow; "activate" is n8n 1.x's word and must say so.
	for (const [sentence] of content.matchAll(/(?:[^.\n]|\.(?=\S))*\bactivat(?:[^.\n]|\.(?=\S))*/gi)) {
		if (!sentence.includes('n8n 1.x')) problems.push(`says “${sentence.trim()}”: n8n 2.x says publish`);
	}
	for (const [parameter, offered] of choices) {
		for (const [whole, chosen] of content.matchAll(new RegExp(`\\b${parameter}: ([^,.;)\\n]+)`, 'g'))) {
			if (!offered.some((option) => chosen.startsWith(option))) problems.push(`names ${whole}, which ${parameter} does not offer`);
		}
	}
	return problems;
}

// ——— layout (n8n's canvas units; positions are top-left corners) ———

const nodeBox = (node) => ({ x: node.position[0], y: node.position[1], width: 100, height: 100 });
const noteBox = (note) => ({
	x: note.position[0],
	y: note.position[1],
	width: note.parameters.width ?? 240,
	height: note.parameters.height ?? 160,
});
const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
