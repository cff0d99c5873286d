'use strict';
// This package's node classes, and the tool variant n8n makes of a node that is `usableAsTool`.
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const packageJson = require(path.join(ROOT, 'package.json'));

/** The node classes package.json lists, loaded from their TypeScript source. */
function packageNodeClasses() {
	return packageJson.n8n.nodes.flatMap((distPath) => {
		const source = path.join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		return Object.values(require(source)).filter((exported) => typeof exported === 'function');
	});
}

/**
 * `<name>Tool`, as n8n 2.40 builds it (n8n's tool-generation/ai-tools.js, convertNodeToAiTool):
 * the same node with a Tool Description choice and the description text added.
 */
function toolVariant(nodeType) {
	const description = structuredClone({ ...nodeType.description, methods: undefined });
	description.name += 'Tool';
	description.displayName += ' Tool';
	const descriptionType = {
		displayName: 'Tool Description',
		name: 'descriptionType',
		type: 'options',
		options: [
			{ name: 'Set Automatically', value: 'auto' },
			{ name: 'Set Manually', value: 'manual' },
		],
		default: 'auto',
	};
	const toolDescription = {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: description.description,
		required: true,
		displayOptions: { show: { descriptionType: ['manual'] } },
	};
	description.properties = [descriptionType, toolDescription, ...description.properties];
	return { description };
}

module.exports = { packageNodeClasses, toolVariant };
