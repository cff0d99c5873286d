'use strict';
// n8n as the bench scripts use it: the package packed once, a fresh n8n per scenario with an
// owner, an API key and a Selzy credential for the sandbox, stopped on exit or Ctrl-C.

const path = require('node:path');

const h = require('../../test/tooling');

const OWNER = { email: 'bench-owner@example.com', password: 'Bench-Owner-Passw0rd', firstName: 'Bench', lastName: 'Owner' };

/** The package to measure: a given tarball (--tarball) or the worktree built and packed. */
async function preparePackage(options, workRoot, log) {
	const packed = await packOrRead(options, workRoot, log);
	// Other builds may replace dist/ meanwhile: everything is taken from the packed copy.
	if (!packed.files.includes('dist/nodes/Selzy/Selzy.node.js')) {
		throw new Error(`${packed.tarball} has no dist/nodes/Selzy/Selzy.node.js; was dist/ being rebuilt? Run again.`);
	}
	return packed;
}

async function packOrRead(options, workRoot, log) {
	if (options.tarball) {
		log(`using ${options.tarball}`);
		const { stdout } = await h.runCommand('tar', ['-tzf', options.tarball]);
		const files = stdout.split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
		const version = JSON.parse((await h.runCommand('tar', ['-xzOf', options.tarball, 'package/package.json'])).stdout).version;
		return { tarball: options.tarball, version, files };
	}
	log(options.skipBuild ? 'packing the existing dist/' : 'building and packing the package');
	return h.buildAndPack(path.join(workRoot, 'pack'), { build: !options.skipBuild });
}

/**
 * Logs in to a started n8n (main process) as the owner, creates an API key and the sandbox's
 * credential, and checks that n8n loaded `nodeType`. Returns { client, nodeTypes, credential }.
 */
async function prepareN8n(n8n, { install, sandbox, nodeType, label = 'bench' }) {
	const client = new h.N8nClient(n8n.url, { version: install.version });
	await client.ownerLogin(OWNER);
	await client.createApiKey(label);
	const nodeTypes = await client.nodeTypes();
	if (!nodeTypes.some((t) => t.name === nodeType)) throw new Error(`n8n did not load ${nodeType}; log tail:\n${h.tailOf(n8n.logFile)}`);
	const credential = await client.createCredential({
		name: 'Selzy sandbox',
		type: 'selzyApi',
		data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, language: 'en' },
	});
	return { client, nodeTypes, credential };
}

/** The first error message stored with a failed execution. */
async function executionError(client, executionId) {
	try {
		const { data } = await client.rest('GET', `/executions/${executionId}`);
		const text = typeof data === 'string' ? data : JSON.stringify(data);
		const message = /"message":"((?:[^"\\]|\\.){1,300})/.exec(text)?.[1];
		return message ?? 'no error message';
	} catch (error) {
		return `could not read the execution: ${error.message}`;
	}
}

/** Stops whatever ctx.running holds (an n8n, or a set of processes) when the script ends or is interrupted. */
function stopOnExit(ctx, log) {
	process.on('exit', () => ctx.running?.killNow());
	process.on('SIGINT', () => {
		log('interrupted; stopping n8n');
		Promise.resolve(ctx.running?.stop(5000)).finally(() => process.exit(130));
	});
}

/** A logger that prefixes the seconds since `started`. */
function stderrLog(prefix, started = Date.now()) {
	return (text) => process.stderr.write(`[${prefix} ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${text}\n`);
}

module.exports = { OWNER, preparePackage, prepareN8n, executionError, stopOnExit, stderrLog };
