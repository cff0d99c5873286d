'use strict';
/**
 * Process-wide n8n-core runtime for the harness: the DI container, a throwaway
 * n8n user folder, the filesystem binary-data store and a logger we can read.
 *
 * n8n-core 2.40.3 ships its own nested copies of @n8n/di, @n8n/config,
 * @n8n/backend-common and @n8n/backend-network (newer than the hoisted ones in
 * node_modules/@n8n). Services must be taken from the copies n8n-core itself
 * requires, otherwise `Container.get(X)` here and inside n8n-core are two
 * different containers. `coreRequire` resolves modules from n8n-core's folder.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

const coreRequire = createRequire(require.resolve('n8n-core'));
/** qs as n8n's outbound HTTP stack uses it (a dependency of @n8n/backend-network). */
const networkRequire = createRequire(coreRequire.resolve('@n8n/backend-network'));
const { useMemoryDeduplication } = require('./deduplication');

/** Promise of the booted runtime (one per jest module registry). */
let runtime;

// n8n reads its configuration from the environment the first time a config
// class is built, so the environment is prepared as soon as this module loads
// (index.js requires it before anything from n8n).
// Under the run's own temporary folder (test/tooling/jest-temp.js), removed when the run ends.
const userFolder = fs.mkdtempSync(path.join(process.env.SELZY_TEST_TMP || os.tmpdir(), 'n8n-harness-'));
prepareEnvironment(userFolder);

/** Sets the environment n8n reads when its config classes are first built. */
function prepareEnvironment(userFolder) {
	process.env.N8N_USER_FOLDER = userFolder;
	// Silence the winston console output unless a test asks for it; the harness
	// records every log call anyway (see wrapLogger).
	process.env.N8N_LOG_LEVEL ??= 'silent';
	// Same defaults as a regular (non-queue) n8n: filesystem binary data.
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
	// Loopback sandbox servers must stay reachable (n8n's default is off, too).
	process.env.N8N_SSRF_PROTECTION_ENABLED ??= 'false';
}

/**
 * Records every call on n8n's real Logger so tests can assert on node logging.
 * The calls still reach the real winston logger afterwards.
 */
function wrapLogger(logger) {
	const entries = [];
	for (const level of ['error', 'warn', 'info', 'debug']) {
		const original = logger[level].bind(logger);
		logger[level] = (message, meta) => {
			entries.push({ level, message, meta });
			original(message, meta);
		};
	}
	return entries;
}

/**
 * Builds n8n's BinaryDataService exactly as n8n's start command does (config
 * from the container, `init()` creates the filesystem byte store), but pointed
 * at our own folder.
 */
async function initBinaryData(Container, core, storagePath) {
	const config = Container.get(core.BinaryDataConfig);
	config.mode = 'filesystem';
	config.localStoragePath = storagePath;
	const service = Container.get(core.BinaryDataService);
	await service.init();
	return service;
}

/**
 * Boots the runtime once per jest module registry (i.e. once per test file).
 * `binaryDir` can only be chosen by the first caller: n8n's binary helpers read
 * the single BinaryDataService from the container, just like in n8n.
 */
async function getRuntime({ binaryDir } = {}) {
	// A promise, so two harnesses created at the same time share one boot.
	runtime ??= boot(binaryDir);
	const booted = await runtime;
	if (binaryDir && path.resolve(binaryDir) !== booted.binaryDir) {
		throw new Error(
			`The binary store is already at ${booted.binaryDir}; one store per test file (n8n has one BinaryDataService per process).`,
		);
	}
	return booted;
}

async function boot(binaryDir) {
	const core = require('n8n-core');
	const { Container } = coreRequire('@n8n/di');
	const { Logger } = coreRequire('@n8n/backend-common');

	// The Logger constructor also points n8n-workflow's LoggerProxy at itself,
	// and LoggerProxy looks methods up per call, so wrapping here covers both.
	const logger = Container.get(Logger);
	const logs = wrapLogger(logger);

	const storagePath = path.resolve(binaryDir ?? path.join(userFolder, 'storage'));
	fs.mkdirSync(storagePath, { recursive: true });
	const binaryDataService = await initBinaryData(Container, core, storagePath);
	const deduplication = await useMemoryDeduplication();

	return {
		/** n8n-core's DI container (the one its own code uses). */
		Container,
		logger,
		logs,
		binaryDataService,
		deduplication,
		binaryDir: storagePath,
		userFolder,
		workflowCounter: 0,
		qs: networkRequire('qs'),
		parseIncomingMessage: coreRequire('@n8n/backend-network').parseIncomingMessage,
	};
}

module.exports = { getRuntime, coreRequire };
