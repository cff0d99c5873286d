#!/usr/bin/env node
'use strict';
// `npm run demo`: n8n with this package installed, a Selzy credential and the example workflows.
// Uses the local Selzy sandbox, or the real API when SELZY_API_KEY is set. Ctrl-C stops everything.
// Env: N8N_PORT (default 5678), SELZY_API_KEY, SELZY_SANDBOX_PORT, WEBHOOK_URL, SELZY_CACHE, N8N_VERSION,
// DEMO_USER_FOLDER (default <cache>/demo-user), DEMO_SKIP_BUILD=1 (pack the existing dist/).

const path = require('node:path');

const h = require('../test/e2e/n8n');
const { exampleFiles, loadExample } = require('./examples');

const LOGIN = { email: 'demo@example.com', password: 'Selzy-Demo-2025', firstName: 'Selzy', lastName: 'Demo' };
const CREDENTIAL_NAME = 'Selzy account';
const SANDBOX_CAMPAIGN = '1002';

async function main() {
	const port = Number(process.env.N8N_PORT || 5678);
	const useRealApi = Boolean(process.env.SELZY_API_KEY);
	const userFolder = process.env.DEMO_USER_FOLDER || path.join(h.cacheRoot(), 'demo-user');
	const logFile = path.join(userFolder, 'n8n.log');
	const running = {};

	let stopping = false;
	const stop = async (code) => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n…');
		await running.n8n?.stop().catch(() => {});
		await running.sandbox?.close().catch(() => {});
		process.exit(code);
	};
	process.on('SIGINT', () => stop(0));
	process.on('SIGTERM', () => stop(0));
	process.on('exit', () => running.n8n?.killNow());

	try {
		if (!(await h.portIsFree(port))) throw new Error(`port ${port} is in use; set N8N_PORT to another port`);

		console.log('Checking the n8n install (the first run downloads it)…');
		const install = await h.ensureN8n();
		console.log('Building and packing the package…');
		const packed = await h.buildAndPack(path.join(userFolder, 'pack'), { build: process.env.DEMO_SKIP_BUILD !== '1' });
		await h.installPackage(userFolder, packed);

		let selzy;
		if (useRealApi) {
			selzy = { apiKey: process.env.SELZY_API_KEY, baseUrl: 'https://api.selzy.com', label: 'the real Selzy API' };
		} else {
			const { createSandbox } = require('../test/sandbox/server');
			running.sandbox = await createSandbox({ port: Number(process.env.SELZY_SANDBOX_PORT || 0) });
			// Reports become ready a few seconds after they are requested, and Notify URLs are called.
			running.sandbox.configure({ readyAfterMs: 3000 });
			selzy = { apiKey: running.sandbox.apiKey, baseUrl: running.sandbox.url, label: `the Selzy sandbox at ${running.sandbox.url}` };
		}

		console.log(`Starting n8n ${install.version} on port ${port} (log: ${logFile})…`);
		// A public WEBHOOK_URL (e.g. a tunnel) lets the real Selzy reach the trigger.
		const webhookBase = process.env.WEBHOOK_URL?.replace(/\/+$/, '');
		running.n8n = await h.startN8n({ install, userFolder, port, logFile, env: webhookBase ? { WEBHOOK_URL: `${webhookBase}/` } : {} });
		const client = new h.N8nClient(running.n8n.url);
		await client.ownerLogin(LOGIN);

		const credential = await upsertCredential(client, { apiKey: selzy.apiKey, baseUrl: selzy.baseUrl, language: 'en' });
		const imported = await importExamples(client, credential, useRealApi);
		const trigger = imported.find((entry) => entry.file === 'trigger-report-file.json');
		let triggerUrl;
		if (trigger) {
			const node = trigger.workflow.nodes.find((n) => n.type === 'n8n-nodes-selzy.selzyTrigger');
			triggerUrl = `${webhookBase ?? running.n8n.url}/webhook/${node.webhookId}/selzy`;
			if (!trigger.workflow.active) {
				await client.activate(trigger.workflow.id).catch((error) => console.log(`  (could not activate the trigger workflow: ${error.message})`));
			}
		}

		const editor = `http://localhost:${port}`;
		console.log('');
		console.log(`n8n is ready with n8n-nodes-selzy ${packed.version}, using ${selzy.label}.`);
		console.log(`  Editor:   ${editor}`);
		console.log(`  Login:    ${LOGIN.email} / ${LOGIN.password}`);
		console.log(`  Workflows:`);
		for (const entry of imported) console.log(`    ${entry.workflow.name}: ${editor}/workflow/${entry.workflow.id}`);
		if (triggerUrl) console.log(`  Selzy Trigger URL (paste as Notify URL): ${triggerUrl}`);
		if (!useRealApi) console.log(`  Sandbox campaigns: 1001 (25 recipients), 1002 (1,000), 1004 (100,000)`);
		else if (!webhookBase) console.log('  (Selzy can call the trigger only at a public address: set WEBHOOK_URL, e.g. to a tunnel.)');
		console.log('Press Ctrl-C to stop.');
		await new Promise(() => {}); // until Ctrl-C
	} catch (error) {
		console.error(`demo failed: ${error.message}`);
		await stop(1);
	}
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

/** Imports each example once (matched by name), with the credential placeholder filled in. */
async function importExamples(client, credential, useRealApi) {
	const existing = await client.listWorkflows();
	const result = [];
	for (const file of exampleFiles()) {
		// In the sandbox a campaign is known in advance; with the real API the user picks one.
		const workflow = loadExample(file, credential, useRealApi ? undefined : { mode: 'id', value: SANDBOX_CAMPAIGN });
		const found = existing.find((w) => w.name === workflow.name);
		const saved = found ? await client.getWorkflow(found.id) : await client.createWorkflow(workflow);
		result.push({ file, workflow: saved });
	}
	return result;
}

main();
