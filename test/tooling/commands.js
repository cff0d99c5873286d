'use strict';
// Building and packing this package, and installing the tarball where n8n looks for community nodes.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-selzy';

/** Runs a command to completion; rejects with its output when it fails. */
function runCommand(command, args, { cwd = REPO, env = process.env, quiet = true, showStderr = false } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => {
			stdout += chunk;
			if (!quiet) process.stdout.write(chunk);
		});
		child.stderr.on('data', (chunk) => {
			stderr += chunk;
			if (!quiet || showStderr) process.stderr.write(chunk);
		});
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolve({ stdout, stderr });
			else {
				const tail = (stdout + stderr).trim().split('\n').slice(-30).join('\n');
				reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${tail}`));
			}
		});
	});
}

/** `npm run build` then `npm pack` into outDir; returns the tarball path. */
async function buildAndPack(outDir, { build = true } = {}) {
	if (build) await runCommand('npm', ['run', 'build']);
	fs.mkdirSync(outDir, { recursive: true });
	const { stdout } = await runCommand('npm', ['pack', '--json', '--pack-destination', outDir]);
	const [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
	const tarball = path.join(outDir, packed.filename);
	if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${packed.filename} but it is not in ${outDir}`);
	return { tarball, version: packed.version, files: packed.files.map((file) => file.path) };
}

/**
 * Installs the tarball the way n8n's community-package installer leaves it: extracted (not
 * linked) into <userFolder>/.n8n/nodes/node_modules/<name>, listed in .n8n/nodes/package.json.
 */
async function installPackage(userFolder, packed) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const target = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	await runCommand('tar', ['-xzf', packed.tarball, '-C', target, '--strip-components=1']);
	const manifestPath = path.join(nodesDir, 'package.json');
	let manifest = { name: 'installed-nodes', private: true, dependencies: {} };
	if (fs.existsSync(manifestPath)) manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	manifest.dependencies = { ...(manifest.dependencies ?? {}), [PACKAGE_NAME]: packed.version };
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
	return target;
}

module.exports = { REPO, PACKAGE_NAME, runCommand, buildAndPack, installPackage };
