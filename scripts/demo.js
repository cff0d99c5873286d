#!/usr/bin/env node
'use strict';
// `npm run demo`: n8n with this package installed, a Selzy credential and the example workflows.
// Uses the local Selzy sandbox, or the real API when SELZY_API_KEY is set. Ctrl-C (or SIGTERM/SIGHUP
// to npm or to this process, or npm exiting) stops everything it started. Every start re-imports the
// examples (overwriting edits to them) and restores the demo credential.
// `npm run demo -- --check`: the same set-up in a throwaway user folder on a free port, then runs the
// summary example through n8n's API, stops, and exits 0 when it ran green (1 otherwise).
// Env: N8N_PORT (default 5678), SELZY_API_KEY, SELZY_SANDBOX_PORT, WEBHOOK_URL, SELZY_CACHE, N8N_VERSION,
// DEMO_USER_FOLDER (default <cache>/demo-user), DEMO_SKIP_BUILD=1 (pack the existing dist/).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const h = require('../test/tooling');
const { formatDuration } = require('../test/tooling/progress');
const { SANDBOX_CAMPAIGN, exampleFiles, loadExample } = require('./examples');

const LOGIN = { email: 'demo@example.com', password: 'Selzy-Demo-2025', firstName: 'Selzy', lastName: 'Demo' };
const CREDENTIAL_NAME = 'Selzy account';
const SUMMARY_EXAMPLE = 'poll-report-summary.json';
const TRIGGER_EXAMPLE = 'trigger-report-file.json';

const checkOnly = process.argv.includes('--check');
const startedAt = Date.now();
const running = {};
let stopping = false;

/** Stops n8n (its whole process group, task runner included) and the sandbox, then exits. */
async function stop(code, reason) {
	if (stopping) return;
	stopping = true;
	if (reason) log(`\n${reason}: stopping n8n and the sandbox…`);
	await running.n8n?.stop().catch(() => {});
	await running.sandbox?.close().catch(() => {});
	if (running.temporaryFolder) fs.rmSync(running.temporaryFolder, { recursive: true, force: true });
	if (running.n8n || running.sandbox) log('Stopped: n8n, its task runner and the sandbox have exited.');
	process.exit(code);
}

/** Output may go to a terminal that has closed (npm killed); the shutdown must not fail on it. */
function log(line) {
	try {
		process.stdout.write(`${line}\n`);
	} catch {
		// nowhere to write to
	}
}

function watchForShutdown() {
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0, signal));
	process.stdout.on('error', () => {}); // EPIPE once the reader is gone
	// npm passes SIGINT and SIGTERM on to the script (package.json execs node, so they reach this
	// process and are named right). When npm goes away without a signal (killed, or its terminal
	// closed), so does the demo; a `sh -c` between npm and this process is watched as well.
	const watched = commandOf(process.ppid) === 'sh' ? [process.ppid, parentOf(process.ppid)] : [process.ppid];
	const ancestors = watched.filter((pid) => pid > 1);
	setInterval(() => {
		if (ancestors.some((pid) => !isAlive(pid))) stop(0, 'npm exited');
	}, 1000).unref();
	// A last resort if this process dies before stop() finishes.
	process.on('exit', () => running.n8n?.killNow());
}

function parentOf(pid) {
	try {
		// /proc/<pid>/stat: "pid (name) state ppid …"; the name may contain spaces.
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		return 0;
	}
}

function commandOf(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
	} catch {
		return '';
	}
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

async function main() {
	watchForShutdown();
	const useRealApi = Boolean(process.env.SELZY_API_KEY);
	const port = process.env.N8N_PORT ? Number(process.env.N8N_PORT) : checkOnly ? await h.freePort() : 5678;
	let userFolder = process.env.DEMO_USER_FOLDER || path.join(h.cacheRoot(), 'demo-user');
	if (checkOnly && !process.env.DEMO_USER_FOLDER) {
		userFolder = running.temporaryFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'selzy-demo-check-'));
	}
	const logFile = path.join(userFolder, 'n8n.log');

	if (!(await h.portIsFree(port))) {
		throw new Error(`port ${port} is in use (is another demo or n8n running?); set N8N_PORT to another port`);
	}
	log('Checking the n8n install (the first run installs Node 24 and n8n into the cache; later runs take seconds)…');
	const install = await h.ensureN8n();
	log(process.env.DEMO_SKIP_BUILD === '1' ? 'Packing the existing dist/…' : 'Building and packing the package…');
	const packed = await h.buildAndPack(path.join(userFolder, 'pack'), { build: process.env.DEMO_SKIP_BUILD !== '1' });
	await h.installPackage(userFolder, packed);

	const selzy = useRealApi ? realApi() : await startSandbox();
	log(`Starting n8n ${install.version} on port ${port} (user folder ${userFolder}; log ${logFile})…`);
	// A public WEBHOOK_URL (e.g. a tunnel) lets the real Selzy reach the trigger.
	const webhookBase = process.env.WEBHOOK_URL?.replace(/\/+$/, '');
	running.n8n = await h.startN8n({
		install,
		userFolder,
		port,
		logFile,
		announce: true,
		env: webhookBase ? { WEBHOOK_URL: `${webhookBase}/` } : {},
	});
	const client = new h.N8nClient(running.n8n.url);
	await client.ownerLogin(LOGIN);

	const credential = await upsertCredential(client, { apiKey: selzy.apiKey, baseUrl: selzy.baseUrl, language: 'en' });
	const imported = await importExamples(client, credential, useRealApi);
	const triggerUrl = await publishTrigger(client, imported, webhookBase ?? running.n8n.url);

	if (checkOnly) {
		await checkSummaryExample(client, imported);
		log(`Demo check passed in ${formatDuration(Date.now() - startedAt)}.`);
		await stop(0);
		return;
	}

	const editor = running.n8n.url; // the same host n8n listens on and the trigger URL uses
	const summary = imported.find((entry) => entry.file === SUMMARY_EXAMPLE)?.workflow;
	log('');
	log(`n8n is ready with n8n-nodes-selzy ${packed.version}, using ${selzy.label}.`);
	log(`  Editor:      ${editor}`);
	log(`  Login:       ${LOGIN.email} / ${LOGIN.password}`);
	if (summary) log(`  Start here:  "${summary.name}" (${editor}/workflow/${summary.id}): press Execute workflow`);
	log('  Workflows:');
	for (const entry of imported) log(`    ${entry.workflow.name}: ${editor}/workflow/${entry.workflow.id}`);
	if (triggerUrl) log(`  Selzy Trigger URL (paste as Notify URL): ${triggerUrl}`);
	if (useRealApi) {
		if (!webhookBase) log('  (Selzy can call the trigger only at a public address: set WEBHOOK_URL, e.g. to a tunnel.)');
	} else {
		for (const line of sandboxLines(running.sandbox)) log(`  ${line}`);
	}
	const restored = useRealApi ? 'API key, language' : 'API key, sandbox address, language; a fresh sandbox starts';
	log(`  Restart:     Ctrl-C, then npm run demo: the ${imported.length} example workflows are imported again`);
	log('               (your edits to them are overwritten; duplicate one to keep changes) and the credential');
	log(`               "${CREDENTIAL_NAME}" is restored (${restored}).`);
	log(`               Other workflows and credentials, and all executions, stay in ${userFolder};`);
	log('               delete that folder to start from scratch.');
	log('Press Ctrl-C to stop.');
	await new Promise(() => {}); // until a signal
}

function realApi() {
	return { apiKey: process.env.SELZY_API_KEY, baseUrl: 'https://api.selzy.com', label: 'the real Selzy API' };
}

async function startSandbox() {
	const { createSandbox } = require('../test/sandbox/server');
	running.sandbox = await createSandbox({ port: Number(process.env.SELZY_SANDBOX_PORT || 0) });
	// Reports become ready a few seconds after they are requested, and Notify URLs are called.
	running.sandbox.configure({ readyAfterMs: 3000 });
	const { url, apiKey } = running.sandbox;
	return { apiKey, baseUrl: url, label: `the Selzy sandbox at ${url}` };
}

/** The demo credential, created once and pointed at the current Selzy endpoint on every start. */
async function upsertCredential(client, data) {
	const existing = (await client.listCredentials()).find((c) => c.name === CREDENTIAL_NAME && c.type === 'selzyApi');
	if (existing) {
		await client.rest('PATCH', `/credentials/${existing.id}`, { name: CREDENTIAL_NAME, type: 'selzyApi', data });
		return existing;
	}
	return client.createCredential({ name: CREDENTIAL_NAME, type: 'selzyApi', data });
}

/** The sandbox's address, keys and data, for a user who wants to restore the credential by hand. */
function sandboxLines(sandbox) {
	const { LISTS, seedCampaigns } = require('../test/sandbox/data');
	const campaigns = seedCampaigns()
		.map((c) => `${c.id} (${c.rows.toLocaleString('en-US')} ${c.sms ? 'SMS recipients' : 'recipients'})`)
		.join(', ');
	return [
		`Sandbox:     Base URL ${sandbox.url}, API key ${sandbox.apiKey}`,
		`             (${sandbox.accessDeniedKey} is a key without API access: Selzy answers access_denied)`,
		`             campaigns ${campaigns}; lists ${LISTS.map((l) => `${l.id} ${l.title}`).join(', ')}`,
	];
}

/**
 * Imports every example, with the credential placeholder filled in. An example imported before
 * (matched by name) is overwritten, so a restart undoes edits to it and points it at the credential.
 */
async function importExamples(client, credential, useRealApi) {
	const existing = await client.listWorkflows();
	const result = [];
	for (const file of exampleFiles()) {
		// In the sandbox a campaign is known in advance; with the real API the user picks one.
		const workflow = loadExample(file, credential, useRealApi ? undefined : { mode: 'id', value: SANDBOX_CAMPAIGN });
		const found = existing.find((w) => w.name === workflow.name);
		const saved = found ? await overwriteWorkflow(client, found.id, workflow) : await client.createWorkflow(workflow);
		result.push({ file, workflow: saved });
	}
	return result;
}

async function overwriteWorkflow(client, id, workflow) {
	const { versionId } = await client.getWorkflow(id); // n8n 1.x refuses a save without it
	const { name, nodes, connections, settings = {} } = workflow;
	await client.rest('PATCH', `/workflows/${id}`, { name, nodes, connections, settings: { executionOrder: 'v1', ...settings }, versionId });
	return client.getWorkflow(id);
}

/** Publishes the trigger example (its latest version); returns its production URL. */
async function publishTrigger(client, imported, base) {
	const trigger = imported.find((entry) => entry.file === TRIGGER_EXAMPLE);
	if (!trigger) return undefined;
	const { workflow } = trigger;
	const node = workflow.nodes.find((n) => n.type === 'n8n-nodes-selzy.selzyTrigger');
	const published = workflow.active && (!workflow.activeVersionId || workflow.activeVersionId === workflow.versionId);
	if (!published) {
		log('Publishing the Selzy Trigger example…');
		await client.activate(workflow.id).catch((error) => log(`  (could not publish the trigger workflow: ${error.message})`));
	}
	return `${base}/webhook/${node.webhookId}/selzy`;
}

/** Runs the summary example as a user would (Execute workflow) and checks it ran green with report numbers. */
async function checkSummaryExample(client, imported) {
	const entry = imported.find((candidate) => candidate.file === SUMMARY_EXAMPLE);
	if (!entry) throw new Error(`examples/${SUMMARY_EXAMPLE} was not imported`);
	log(`Running "${entry.workflow.name}" through n8n's API…`);
	await client.createApiKey('demo-check');
	const trigger = entry.workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
	const executionId = await client.runManually(entry.workflow.id, trigger.name);
	const execution = await client.waitForExecution(executionId, { timeoutMs: 180_000 });
	const selzyNode = entry.workflow.nodes.find((node) => node.type === 'n8n-nodes-selzy.selzy');
	const [item] = h.nodeOutput(execution, selzyNode.name) ?? [];
	if (execution.status !== 'success' || !(item?.json?.total > 0)) {
		const error = h.nodeError(execution, selzyNode.name);
		throw new Error(
			`the summary example did not run green (status ${execution.status}${error ? `: ${error.message}` : ''}; output ${JSON.stringify(item?.json ?? null).slice(0, 300)})`,
		);
	}
	log(`  ✓ execution ${executionId}: ${item.json.total} recipients, delivery rate ${item.json.rates?.delivery}`);
}

main().catch((error) => {
	log(`demo failed: ${error.message}`);
	stop(1);
});
