#!/usr/bin/env node
'use strict';
// `npm run screenshots`: regenerates the README's screenshots in docs/screenshots/ from the real
// editor. Starts the Selzy sandbox and n8n with this package (like `npm run demo`, but in a
// temporary user folder on free ports), creates a workflow with a Selzy node per operation plus
// the examples, runs two examples through n8n's REST API, then opens the editor in headless
// Chromium (playwright-core) and photographs each node's parameters, the two triggers and the
// outputs. Every PNG in docs/screenshots/ is one of these; others there are removed.
// Env: SCREENSHOTS_SKIP_BUILD=1 (pack the existing dist/), SCREENSHOTS_KEEP=1 (keep the temporary
// folder: n8n log, Chromium profile), CHROMIUM_PATH (default /usr/bin/chromium: Debian's
// `apt-get install -y chromium`), N8N_VERSION, SELZY_CACHE.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const h = require('../test/tooling');
const { loadExample } = require('./examples');
const { createSandbox } = require('../test/sandbox/server');
const { SEL, signIn, openNode, openExecutionNode, pickFromList, dismissOverlays, until } = require('./screenshots-editor');

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
// Tall enough that the longest parameter list (Contact → Import) is not scrolled.
const VIEWPORT = { width: 1440, height: 1800 };
const LOGIN = { email: 'screenshots@example.com', password: 'Selzy-Screens-2025', firstName: 'Selzy', lastName: 'Demo' };
// Shown as the triggers' Production URL; nothing is ever sent there.
const PUBLIC_WEBHOOK_URL = 'https://n8n.example.com/';
const CAMPAIGN = '1002'; // sandbox campaign with 1,000 recipients
const LIST = '1'; // sandbox list "Newsletter"
const CONTACT = 'anna.petrova@example.com';
const MANUAL_TRIGGER = 'When clicking ‘Execute workflow’';

/** A Selzy node per operation, set up as a user would; `pick` is chosen in the editor's list. */
const OPERATIONS = [
	{ file: 'campaign-get-delivery-report.png', name: 'Get delivery report', pick: 'campaign', parameters: { resource: 'campaign', operation: 'getDeliveryReport', waitMode: 'poll', output: 'summary' } },
	{ file: 'campaign-get-status.png', name: 'Get campaign status', pick: 'campaign', parameters: { resource: 'campaign', operation: 'getStatus' } },
	{ file: 'campaign-get-stats.png', name: 'Get campaign stats', pick: 'campaign', parameters: { resource: 'campaign', operation: 'getStats' } },
	{ file: 'contact-export.png', name: 'Export contacts', pick: 'list', parameters: { resource: 'contact', operation: 'export', fieldNames: ['email', 'email_status', 'phone', 'phone_status', 'tags'], waitMode: 'poll', output: 'rows' } },
	{ file: 'contact-import.png', name: 'Import contacts', example: ['contacts-sync-loop.json', 'Import contacts'] },
	{ file: 'contact-subscribe.png', name: 'Subscribe', lists: true, parameters: { resource: 'contact', operation: 'subscribe', listIds: [LIST], email: CONTACT, tags: 'sign-up form', doubleOptin: 'confirm', overwrite: 'add' } },
	{ file: 'contact-exclude.png', name: 'Exclude contact', lists: true, parameters: { resource: 'contact', operation: 'exclude', contactType: 'email', contact: CONTACT, listIds: [LIST] } },
	{ file: 'contact-unsubscribe.png', name: 'Unsubscribe contact', lists: true, parameters: { resource: 'contact', operation: 'unsubscribe', contactType: 'email', contact: CONTACT, listIds: [LIST] } },
	{ file: 'contact-get.png', name: 'Get contact', parameters: { resource: 'contact', operation: 'get', email: CONTACT } },
	{ file: 'task-get-result.png', name: 'Get task result', parameters: { resource: 'task', operation: 'getResult', taskUuid: 'ff719cf2-5b3c-4d21-9a0e-6c1f2d8b7a45', waitMode: 'poll', output: 'summary' } },
];
const EXAMPLES = {
	summary: { file: 'poll-report-summary.json', node: 'Get delivery report summary' },
	rows: { file: 'hard-bounces-rows.json', node: 'Hard bounces' },
	trigger: { file: 'trigger-report-file.json', node: 'Selzy Trigger' },
	events: { file: 'unsubscribes-bounces-to-crm.json', node: 'Unsubscribes and hard bounces' },
};
// A pack made while another `npm run build` empties dist/ can miss files; n8n would then show
// broken icons, so the pack is checked first.
const PACKED_FILES = [
	'dist/nodes/Selzy/Selzy.node.js',
	'dist/nodes/Selzy/SelzyTrigger.node.js',
	'dist/nodes/Selzy/SelzyEventsTrigger.node.js',
	'dist/nodes/Selzy/selzy.svg',
	'dist/nodes/Selzy/selzy.dark.svg',
	'dist/credentials/SelzyApi.credentials.js',
];

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
		if (!fs.existsSync(CHROMIUM)) {
			throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH`);
		}
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
		const operationsId = (await client.createWorkflow(operationsWorkflow(credential))).id;

		console.log('Running the examples…');
		const summaryRun = await runExample(client, ids.summary, EXAMPLES.summary.node);
		const rowsRun = await runExample(client, ids.rows, EXAMPLES.rows.node);

		console.log(`Opening the editor of n8n ${install.version} in Chromium…`);
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
		page.setDefaultTimeout(30_000);
		await signIn(page, base, LOGIN);

		// 1. Each operation's parameters.
		for (const operation of OPERATIONS) {
			const ndv = await openNode(page, `${base}/workflow/${operationsId}`, operation.name);
			if (operation.pick === 'campaign') await pickFromList(page, ndv, `(#${CAMPAIGN} `);
			if (operation.pick === 'list') await pickFromList(page, ndv, `(#${LIST})`);
			// The lists' names come from Selzy (load options); the chip shows the name once they are in.
			if (operation.lists) await ndv.locator('.el-tag').filter({ hasText: 'Newsletter' }).first().waitFor();
			if (operation.example) await ndv.locator(SEL.mapperField('email')).waitFor();
			await snapParameters(page, ndv, path.join(shotsDir, operation.file));
			await page.keyboard.press('Escape');
			await page.locator(SEL.ndv).waitFor({ state: 'hidden' });
		}

		await page.keyboard.press('Control+s'); // the picks, so that leaving the workflow asks nothing
		await until(async () => (await client.getWorkflow(operationsId)).nodes.some((node) => node.parameters?.campaignId?.cachedResultName), 'n8n to save the picks');

		// 2. The triggers: their Production URLs and notices.
		for (const [key, file, notice] of [
			['trigger', 'selzy-trigger.png', 'Selzy has no webhook settings'],
			['events', 'selzy-events-trigger.png', 'Publishing this workflow registers'],
		]) {
			const ndv = await openNode(page, `${base}/workflow/${ids[key]}`, EXAMPLES[key].node);
			const headline = ndv.locator(SEL.webhooksHeadline);
			if (!/\bexpanded\b/.test((await headline.getAttribute('class')) ?? '')) await headline.click();
			await ndv.locator(SEL.productionUrlTab).click();
			await ndv.locator(SEL.webhookUrl).filter({ hasText: `${PUBLIC_WEBHOOK_URL}webhook/` }).first().waitFor();
			await ndv.getByText(notice).waitFor();
			await snapParameters(page, ndv, path.join(shotsDir, file));
		}

		// 3. The outputs of finished runs: Summary (schema view) and hard-bounce Rows (table).
		let ndv = await openExecutionNode(page, `${base}/workflow/${ids.summary}/executions/${summaryRun}`, EXAMPLES.summary.node);
		let output = ndv.locator(SEL.outputPanel);
		await output.locator(SEL.displayMode('schema')).click();
		// Fold the count per Selzy code (about 30 lines) so that what the file was fits too.
		await foldSchemaItem(page, output, 'bySendResult');
		await output.locator('[data-name="format"]').waitFor();
		await snapOutput(page, output, output.locator(SEL.schemaItem).last(), path.join(shotsDir, 'output-summary.png'));

		ndv = await openExecutionNode(page, `${base}/workflow/${ids.rows}/executions/${rowsRun}`, EXAMPLES.rows.node);
		output = ndv.locator(SEL.outputPanel);
		await output.locator(SEL.displayMode('table')).click();
		await output.locator('table td').filter({ hasText: 'hard_bounce' }).first().waitFor();
		await widenOutputPanel(page, output);
		await snapOutput(page, output, output.locator('table tr').nth(10), path.join(shotsDir, 'output-rows.png')); // the first ten

		fs.mkdirSync(OUT_DIR, { recursive: true });
		const made = fs.readdirSync(shotsDir);
		for (const file of fs.readdirSync(OUT_DIR)) if (file.endsWith('.png') && !made.includes(file)) fs.rmSync(path.join(OUT_DIR, file));
		for (const file of made) fs.copyFileSync(path.join(shotsDir, file), path.join(OUT_DIR, file));
		console.log(`Saved ${made.length} screenshots of n8n ${install.version} in ${path.relative(h.REPO, OUT_DIR)}/`);
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
		const workflow = loadExample(file, credential, { mode: 'id', value: CAMPAIGN });
		ids[key] = (await client.createWorkflow(workflow)).id;
	}
	return ids;
}

/** A Manual Trigger feeding one Selzy node per operation, in a grid. */
function operationsWorkflow(credential) {
	const trigger = { id: 'op-trigger', name: MANUAL_TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const nodes = OPERATIONS.map((operation, index) => {
		const parameters = operation.example
			? loadExample(operation.example[0], credential).nodes.find((node) => node.name === operation.example[1]).parameters
			: operation.parameters;
		return {
			id: `op-${index}`,
			name: operation.name,
			type: 'n8n-nodes-selzy.selzy',
			typeVersion: 1,
			position: [300 + 260 * (index % 5), 200 * Math.floor(index / 5)],
			parameters,
			credentials: { selzyApi: { id: credential.id, name: credential.name } },
		};
	});
	const targets = nodes.map((node) => ({ node: node.name, type: 'main', index: 0 }));
	return { name: 'Screenshots: every operation', nodes: [trigger, ...nodes], connections: { [MANUAL_TRIGGER]: { main: [targets] } } };
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

/** The node panel's middle column (tabs and parameters), cut below its last parameter. */
async function snapParameters(page, ndv, file) {
	const column = ndv.locator(SEL.parametersColumn);
	const issues = column.locator(SEL.issues).filter({ visible: true });
	if (await issues.count()) throw new Error(`${path.basename(file)}: the panel shows a parameter issue`);
	const bottom = await column.locator(SEL.parameters).evaluate((list) =>
		Math.max(...[...list.children].filter((child) => !child.matches('[data-test-id="node-feature-request"]')).map((child) => child.getBoundingClientRect().bottom)),
	);
	await snapClip(page, column, bottom + 12, file);
}

/** An output panel, cut just below `lastRow`. */
async function snapOutput(page, output, lastRow, file) {
	const bottom = await lastRow.evaluate((row) => row.getBoundingClientRect().bottom);
	await snapClip(page, output, bottom + 2, file);
}

async function snapClip(page, element, bottom, file) {
	await dismissOverlays(page, { toastsOnly: true });
	await page.mouse.move(1, 1); // hover styles (e.g. the Fixed/Expression switch) off
	await until(
		() =>
			element.evaluate(async (root) => {
				await document.fonts.ready;
				return [...root.querySelectorAll('img')].every((img) => img.complete && img.naturalWidth > 0);
			}),
		'the images in the panel to load (a missing node icon?)',
	);
	const box = await element.boundingBox();
	if (bottom > box.y + box.height) throw new Error(`${path.basename(file)}: the content is taller than the panel (it would be cut)`);
	const clip = { x: box.x, y: box.y, width: box.width, height: Math.ceil(bottom - box.y) };
	await page.screenshot({ path: file, clip, animations: 'disabled', caret: 'hide' });
	console.log(`  ${path.basename(file)}`);
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

main();
