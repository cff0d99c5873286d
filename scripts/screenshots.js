#!/usr/bin/env node
'use strict';
// `npm run screenshots`: regenerates the README screenshots in docs/screenshots/.
// Starts the Selzy sandbox and n8n with this package (like `npm run demo`, but in a temporary user
// folder on free ports), imports the examples, runs two of them through n8n's REST API, then opens
// the editor in headless Chromium (playwright-core) and photographs the node panels.
// Env: SCREENSHOTS_SKIP_BUILD=1 (pack the existing dist/), SCREENSHOTS_KEEP=1 (keep the temporary
// folder: n8n log, Chromium profile), CHROMIUM_PATH (default /usr/bin/chromium), N8N_VERSION,
// SELZY_CACHE.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const h = require('../test/tooling');
const { exampleFiles, loadExample } = require('./examples');
const { createSandbox } = require('../test/sandbox/server');

const OUT_DIR = path.join(h.REPO, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const VIEWPORT = { width: 1440, height: 900 };
const LOGIN = { email: 'screenshots@example.com', password: 'Selzy-Screens-2025', firstName: 'Selzy', lastName: 'Demo' };
// Shown as the trigger's Production URL; nothing is ever sent there.
const PUBLIC_WEBHOOK_URL = 'https://n8n.example.com/';
const CAMPAIGN = '1002'; // sandbox campaign with 1,000 recipients
const MANUAL_TRIGGER = 'When clicking ‘Execute workflow’';
const EXAMPLES = {
	summary: { file: 'poll-report-summary.json', node: 'Get delivery report summary' },
	rows: { file: 'hard-bounces-rows.json', node: 'Hard bounces' },
	trigger: { file: 'trigger-report-file.json', node: 'Selzy Trigger' },
};
// A pack made while another `npm run build` empties dist/ can miss files; n8n would then show
// broken icons, so the pack is checked first.
const PACKED_FILES = [
	'dist/nodes/Selzy/Selzy.node.js',
	'dist/nodes/Selzy/SelzyTrigger.node.js',
	'dist/nodes/Selzy/selzy.svg',
	'dist/nodes/Selzy/selzy.dark.svg',
	'dist/credentials/SelzyApi.credentials.js',
];
const UI_TIMEOUT_MS = 30_000;

// Editor selectors (n8n 2.40 editor's data-test-id attributes, unless noted).
const SEL = {
	signinEmail: 'input[name="emailOrLdapLoginId"]',
	signinPassword: 'input[name="password"]',
	signinSubmit: '[data-test-id="form-submit-button"]',
	canvasNode: (name) => `[data-test-id="canvas-node"][data-node-name="${name}"]`,
	executionPreview: '[data-test-id="execution-preview-host"]',
	ndv: '[data-test-id="ndv"]',
	rlcInput: '[data-test-id="rlc-input"]',
	rlcItem: '[data-test-id="rlc-item"]',
	webhooksHeadline: '.webhooks .headline', // class names: no test ids on this section
	webhookUrl: '.node-webhooks .webhook-url',
	productionUrlTab: '[data-test-id="radio-button-production"]',
	outputPanel: '[data-test-id="output-panel"]',
	displayMode: (mode) => `[data-test-id="radio-button-${mode}"]`,
	schemaItem: '[data-test-id="run-data-schema-item"]',
	panelDivider: '[data-test-id="panel-drag-button"]',
	// Modals, drawers and toasts that could cover a screenshot, and their close buttons.
	overlays: '.el-overlay, .el-drawer, [role="dialog"], [role="alertdialog"]',
	overlayClose: '.el-dialog__headerbtn, .el-drawer__close-btn, [aria-label="Close"], [data-test-id="close-button"]',
	toastClose: '.el-notification .el-notification__closeBtn',
};

async function main() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'selzy-screenshots-'));
	const userFolder = path.join(work, 'n8n-user');
	const logFile = path.join(work, 'n8n.log');
	const shotsDir = path.join(work, 'shots');
	fs.mkdirSync(shotsDir);
	const running = {};
	let keep = process.env.SCREENSHOTS_KEEP === '1';

	let cleaning;
	const cleanup = () =>
		(cleaning ??= (async () => {
			await running.browser?.close().catch(() => {});
			// A signal during n8n's start: its process exists before startN8n returns the handle.
			const n8n = running.n8n ?? (await running.n8nStarting?.catch(() => null));
			await n8n?.stop().catch(() => {});
			await running.sandbox?.close().catch(() => {});
			if (keep) console.log(`Kept ${work}`);
			else fs.rmSync(work, { recursive: true, force: true });
		})());
	let interrupted = false;
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.on(signal, () => {
			interrupted = true;
			console.log(`\n${signal}: stopping…`);
			cleanup().finally(() => process.exit(130));
		});
	}
	process.on('exit', () => running.n8n?.killNow());

	let page;
	try {
		console.log('Checking the n8n install (the first run downloads it)…');
		const install = await h.ensureN8n();
		const build = process.env.SCREENSHOTS_SKIP_BUILD !== '1';
		console.log(build ? 'Building and packing the package…' : 'Packing the existing dist/…');
		const packed = await h.buildAndPack(path.join(work, 'pack'), { build });
		const missing = PACKED_FILES.filter((file) => !packed.files.includes(file));
		if (missing.length) {
			throw new Error(`the pack lacks ${missing.join(', ')} (was dist/ rebuilt meanwhile?); run again`);
		}
		await h.installPackage(userFolder, packed);

		running.sandbox = await createSandbox({ port: 0 });
		running.sandbox.configure({ readyAfterMs: 3000 });

		console.log(`Starting n8n ${install.version} (log: ${logFile})…`);
		running.n8nStarting = h.startN8n({ install, userFolder, logFile, env: { WEBHOOK_URL: PUBLIC_WEBHOOK_URL } });
		running.n8n = await running.n8nStarting;
		const base = running.n8n.url;
		const client = new h.N8nClient(base);
		await client.ownerLogin(LOGIN);
		await client.createApiKey('screenshots');
		const credential = await client.createCredential({
			name: 'Selzy account',
			type: 'selzyApi',
			data: { apiKey: running.sandbox.apiKey, baseUrl: running.sandbox.url, language: 'en' },
		});
		const ids = await importExamples(client, credential);

		console.log('Opening the editor in Chromium…');
		running.browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: VIEWPORT,
			locale: 'en-US',
			timezoneId: 'UTC',
			colorScheme: 'light',
		});
		page = running.browser.pages()[0] ?? (await running.browser.newPage());
		page.setDefaultTimeout(UI_TIMEOUT_MS);
		await signIn(page, base);

		// 1. The Selzy node's parameters, with the campaign picked from the list as a user would.
		// The pick is saved so that the executions below show the campaign's name too.
		let ndv = await openNode(page, `${base}/workflow/${ids.summary}`, EXAMPLES.summary.node);
		await pickCampaign(page, ndv);
		await snap(page, ndv, shotsDir, 'selzy-node-parameters.png');
		await closeNodeAndSave(page, client, ids.summary, EXAMPLES.summary.node);

		ndv = await openNode(page, `${base}/workflow/${ids.rows}`, EXAMPLES.rows.node);
		await pickCampaign(page, ndv);
		await closeNodeAndSave(page, client, ids.rows, EXAMPLES.rows.node);

		// 2. The trigger's webhook URLs (production) and the notice about the Notify URL.
		ndv = await openNode(page, `${base}/workflow/${ids.trigger}`, EXAMPLES.trigger.node);
		const headline = ndv.locator(SEL.webhooksHeadline);
		if (!/\bexpanded\b/.test((await headline.getAttribute('class')) ?? '')) await headline.click();
		await ndv.locator(SEL.productionUrlTab).click();
		await ndv.locator(SEL.webhookUrl).filter({ hasText: `${PUBLIC_WEBHOOK_URL}webhook/` }).waitFor();
		await ndv.getByText('Selzy has no webhook settings').waitFor();
		await snap(page, ndv, shotsDir, 'selzy-trigger-webhook.png');

		// 3 and 4. Run the examples through the REST API, then open their finished executions.
		console.log('Running the examples…');
		const summaryRun = await runExample(client, ids.summary, EXAMPLES.summary.node);
		const rowsRun = await runExample(client, ids.rows, EXAMPLES.rows.node);

		ndv = await openExecutionNode(page, `${base}/workflow/${ids.summary}/executions/${summaryRun}`, EXAMPLES.summary.node);
		let output = ndv.locator(SEL.outputPanel);
		await output.locator(SEL.displayMode('schema')).click();
		// Fold the counts so that the rates and the file description fit.
		await foldSchemaItem(page, output, 'bySendResult');
		await foldSchemaItem(page, output, 'byGroup');
		await output.locator('[data-name="delivery"]').waitFor();
		await output.locator('[data-name="format"]').waitFor();
		await snap(page, ndv, shotsDir, 'selzy-execution-output.png');

		ndv = await openExecutionNode(page, `${base}/workflow/${ids.rows}/executions/${rowsRun}`, EXAMPLES.rows.node);
		output = ndv.locator(SEL.outputPanel);
		await output.locator(SEL.displayMode('table')).click();
		await output.locator('table td').filter({ hasText: 'hard_bounce' }).first().waitFor();
		await widenOutputPanel(page, output);
		await snap(page, output, shotsDir, 'selzy-rows-output.png');

		fs.mkdirSync(OUT_DIR, { recursive: true });
		for (const file of fs.readdirSync(shotsDir)) fs.copyFileSync(path.join(shotsDir, file), path.join(OUT_DIR, file));
		console.log(`Saved ${fs.readdirSync(shotsDir).length} screenshots in ${path.relative(h.REPO, OUT_DIR)}/`);
	} catch (error) {
		if (interrupted) return; // the signal handler cleans up and exits
		process.exitCode = 1;
		keep = true;
		console.error(`screenshots failed: ${error.stack ?? error.message}`);
		if (page) {
			const failure = path.join(work, 'failure.png');
			await page.screenshot({ path: failure }).then(
				() => console.error(`The page at the failure: ${failure} (${page.url()})`),
				() => {},
			);
		}
		if (running.n8n) console.error(`n8n log tail:\n${h.tailOf(logFile, 20)}`);
	} finally {
		await cleanup();
	}
}

/** Creates the example workflows with the credential and the sandbox campaign filled in. */
async function importExamples(client, credential) {
	const ids = {};
	for (const [key, { file }] of Object.entries(EXAMPLES)) {
		const workflow = loadExample(file, credential, { mode: 'list', value: CAMPAIGN });
		ids[key] = (await client.createWorkflow(workflow)).id;
	}
	return ids;
}

/** Runs a workflow from its manual trigger and returns the id of the successful execution. */
async function runExample(client, workflowId, nodeName) {
	const executionId = await client.runManually(workflowId, MANUAL_TRIGGER);
	const execution = await client.waitForExecution(executionId);
	const items = h.nodeOutput(execution, nodeName);
	if (execution.status !== 'success' || !items?.length) {
		const error = h.nodeError(execution, nodeName);
		throw new Error(`execution ${executionId} of "${nodeName}": ${execution.status}, ${items?.length ?? 0} items ${error?.message ?? ''}`);
	}
	return executionId;
}

async function signIn(page, base) {
	await page.goto(`${base}/signin`);
	await page.locator(SEL.signinEmail).fill(LOGIN.email);
	await page.locator(SEL.signinPassword).fill(LOGIN.password);
	await page.locator(SEL.signinSubmit).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

/** Opens a workflow in the editor and double-clicks a node; returns the node panel (NDV). */
async function openNode(page, workflowUrl, nodeName) {
	await page.goto(workflowUrl);
	return doubleClickNode(page, page.locator(SEL.canvasNode(nodeName)));
}

/** Opens a finished execution and double-clicks one of its nodes (read-only panel with its data). */
async function openExecutionNode(page, executionUrl, nodeName) {
	await page.goto(executionUrl);
	const node = page.locator(SEL.executionPreview).locator(SEL.canvasNode(nodeName));
	await node.locator('[data-test-id="canvas-node-status-success"]').waitFor();
	const ndv = await doubleClickNode(page, node);
	await ndv.locator(SEL.outputPanel).locator('[data-test-id="node-run-status-success"]').waitFor();
	return ndv;
}

async function doubleClickNode(page, node) {
	await node.waitFor();
	await dismissOverlays(page);
	await node.dblclick();
	const ndv = page.locator(SEL.ndv);
	await ndv.waitFor();
	return ndv;
}

/** Picks the sandbox campaign in the Campaign field's list (loaded from Selzy by the node). */
async function pickCampaign(page, ndv) {
	const input = ndv.locator(SEL.rlcInput);
	await input.click();
	await page.locator(SEL.rlcItem).filter({ hasText: `(#${CAMPAIGN} ` }).click();
	await until(async () => (await input.inputValue()).includes(`(#${CAMPAIGN} `), 'the campaign to show its name');
}

/** Closes the node panel, saves the workflow and waits until n8n has stored the campaign's name. */
async function closeNodeAndSave(page, client, workflowId, nodeName) {
	await page.keyboard.press('Escape');
	await page.locator(SEL.ndv).waitFor({ state: 'hidden' });
	await page.keyboard.press('Control+s');
	await until(async () => {
		const workflow = await client.getWorkflow(workflowId);
		return Boolean(workflow.nodes.find((node) => node.name === nodeName)?.parameters?.campaignId?.cachedResultName);
	}, `n8n to save workflow ${workflowId}`);
}

/** Folds an object in the output's schema view (its row has a chevron toggle). */
async function foldSchemaItem(page, output, name) {
	const row = output.locator(SEL.schemaItem).filter({ has: page.locator(`[data-name="${name}"]`) });
	await row.locator('.toggle').click();
	await row.locator('.toggle .collapsed').waitFor();
}

/** Drags the divider of the node panel to the left so that the output table gets the room. */
async function widenOutputPanel(page, output) {
	const before = (await output.boundingBox()).width;
	const handle = await page.locator(SEL.panelDivider).boundingBox();
	const y = handle.y + handle.height / 2;
	await page.mouse.move(handle.x + handle.width / 2, y);
	await page.mouse.down();
	await page.mouse.move(200, y, { steps: 10 });
	await page.mouse.up();
	await until(async () => (await output.boundingBox()).width > before + 200, 'the output panel to widen');
}

/** Closes modals, drawers and toasts n8n may show (what's new, surveys, notifications). */
async function dismissOverlays(page) {
	for (let attempt = 0; attempt < 5; attempt++) {
		for (const button of await page.locator(SEL.toastClose).filter({ visible: true }).all()) {
			await button.click().catch(() => {});
		}
		const open = page.locator(SEL.overlays).filter({ visible: true });
		if ((await open.count()) === 0) return;
		const close = open.first().locator(SEL.overlayClose).filter({ visible: true });
		if (await close.count()) await close.first().click();
		else await page.keyboard.press('Escape');
		await open.first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => {});
	}
	throw new Error('an n8n dialog stays open; see the failure screenshot');
}

/** Screenshot of one element, once its images are loaded and no pointer hovers over it. */
async function snap(page, element, dir, name) {
	for (const button of await page.locator(SEL.toastClose).filter({ visible: true }).all()) {
		await button.click().catch(() => {});
	}
	await page.mouse.move(1, 1); // hover styles (e.g. the Fixed/Expression switch) off
	await until(
		() =>
			element.evaluate(async (root) => {
				await document.fonts.ready;
				return [...root.querySelectorAll('img')].every((img) => img.complete && img.naturalWidth > 0);
			}),
		'the images in the panel to load (a missing node icon?)',
	);
	const file = path.join(dir, name);
	await element.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
	console.log(`  ${name}`);
}

/** Polls check() until it returns true; fails with what was being waited for. */
async function until(check, what, timeoutMs = UI_TIMEOUT_MS) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await h.sleep(200);
	}
}

main();
