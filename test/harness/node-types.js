'use strict';
/**
 * The node-type and credential-type registries a Workflow needs (n8n's
 * `INodeTypes`), holding the classes under test. In n8n these come from
 * LoadNodesAndCredentials; here they are filled directly from the classes.
 */
const path = require('node:path');
const { NodeHelpers, UnexpectedError } = require('n8n-workflow');
const { DirectoryLoader } = require('n8n-core');

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const packageJson = require(path.join(PROJECT_ROOT, 'package.json'));

/** n8n names a community node `<package name>.<description.name>`. */
function typeNameFor(nodeType) {
	return `${packageJson.name}.${nodeType.description.name}`;
}

/** Accepts a node class or an already built instance. */
function instantiate(NodeClassOrInstance) {
	return typeof NodeClassOrInstance === 'function' ? new NodeClassOrInstance() : NodeClassOrInstance;
}

/**
 * Applies what n8n's DirectoryLoader does to every node it loads (records the
 * loadOptions method names, adds polling/CORS/declarative option parameters),
 * so the description the harness runs is the one n8n would run.
 */
function prepareLikeLoader(nodeType) {
	const versions = 'nodeVersions' in nodeType ? Object.values(nodeType.nodeVersions) : [nodeType];
	for (const version of versions) {
		DirectoryLoader.prototype.addLoadOptionsMethods.call(undefined, version);
		DirectoryLoader.prototype.applySpecialNodeParameters.call(undefined, version);
	}
	return nodeType;
}

class HarnessNodeTypes {
	constructor() {
		this.byName = new Map();
	}

	/**
	 * Registers a node class and returns `{ typeName, nodeType }`. A class is
	 * instantiated once; later calls (same class or same type name) reuse it.
	 */
	register(NodeClassOrInstance) {
		const key = typeof NodeClassOrInstance === 'function' ? NodeClassOrInstance : NodeClassOrInstance.constructor;
		for (const [typeName, entry] of this.byName) {
			if (entry.key === key) return { typeName, nodeType: entry.nodeType };
		}
		const candidate = instantiate(NodeClassOrInstance);
		const typeName = typeNameFor(candidate);
		const existing = this.byName.get(typeName);
		if (existing) return { typeName, nodeType: existing.nodeType };
		const nodeType = prepareLikeLoader(candidate);
		this.byName.set(typeName, { key, nodeType });
		return { typeName, nodeType };
	}

	/** Temporarily adds a node type that is not a class under test (credential tests). */
	add(typeName, nodeType) {
		this.byName.set(typeName, { key: nodeType, nodeType });
	}

	remove(typeName) {
		this.byName.delete(typeName);
	}

	getByName(typeName) {
		return this.byName.get(typeName)?.nodeType;
	}

	getByNameAndVersion(typeName, version) {
		const entry = this.byName.get(typeName);
		if (!entry) {
			throw new UnexpectedError(`Unknown node type "${typeName}" (not registered in the harness)`);
		}
		return NodeHelpers.getVersionedNodeType(entry.nodeType, version);
	}

	getKnownTypes() {
		return {};
	}
}

/**
 * Credential types: by default every credential listed in package.json's
 * `n8n.credentials`, loaded from its TypeScript source (jest compiles it).
 */
function sourcePathFor(distPath) {
	return path.join(PROJECT_ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

function loadPackageCredentialTypes() {
	const types = {};
	for (const distPath of packageJson.n8n?.credentials ?? []) {
		const exported = require(sourcePathFor(distPath));
		for (const CredentialClass of Object.values(exported)) {
			if (typeof CredentialClass !== 'function') continue;
			const credentialType = new CredentialClass();
			types[credentialType.name] = credentialType;
		}
	}
	return types;
}

class HarnessCredentialTypes {
	constructor(credentialTypes) {
		this.types = { ...credentialTypes };
	}

	add(credentialType) {
		this.types[credentialType.name] = credentialType;
	}

	recognizes(name) {
		return name in this.types;
	}

	getByName(name) {
		const type = this.types[name];
		if (!type) throw new UnexpectedError(`Unknown credential type "${name}"`);
		return type;
	}

	getParentTypes(name) {
		const parents = this.types[name]?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}
}

module.exports = {
	HarnessNodeTypes,
	HarnessCredentialTypes,
	loadPackageCredentialTypes,
	instantiate,
	PROJECT_ROOT,
};
