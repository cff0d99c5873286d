'use strict';
// Finding one's way in n8n's editor (2.40) with playwright-core, for scripts/screenshots.js.

const { sleep } = require('../test/tooling');

const UI_TIMEOUT_MS = 30_000;

// data-test-id attributes of the n8n 2.40 editor, unless noted.
const SEL = {
	signinEmail: 'input[name="emailOrLdapLoginId"]',
	signinPassword: 'input[name="password"]',
	signinSubmit: '[data-test-id="form-submit-button"]',
	canvasNode: (name) => `[data-test-id="canvas-node"][data-node-name="${name}"]`,
	executionPreview: '[data-test-id="execution-preview-host"]',
	ndv: '[data-test-id="ndv"]',
	parametersColumn: '.node-settings', // class name: the column of tabs and parameters has no test id
	parameters: '[data-test-id="node-parameters"]',
	issues: '.has-issues, [data-test-id="parameter-issues"]',
	mapperField: (name) => `[data-test-id="parameter-input-${name}"]`,
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

async function signIn(page, base, login) {
	await page.goto(`${base}/signin`);
	await page.locator(SEL.signinEmail).fill(login.email);
	await page.locator(SEL.signinPassword).fill(login.password);
	await page.locator(SEL.signinSubmit).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

/** Opens a workflow in the editor and double-clicks a node; returns the node panel (NDV). */
async function openNode(page, workflowUrl, nodeName) {
	if (!page.url().startsWith(workflowUrl) || page.url().includes('/executions')) await page.goto(workflowUrl);
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

/** Picks the entry containing `text` in the resource locator's list (loaded from Selzy by the node). */
async function pickFromList(page, ndv, text) {
	const input = ndv.locator(SEL.rlcInput);
	await input.click();
	await page.locator(SEL.rlcItem).filter({ hasText: text }).click();
	await until(async () => (await input.inputValue()).includes(text), `the picker to show “${text}”`);
}

/** Closes modals, drawers and toasts n8n may show (what's new, surveys, notifications). */
async function dismissOverlays(page, { toastsOnly = false } = {}) {
	for (let attempt = 0; attempt < 5; attempt++) {
		for (const button of await page.locator(SEL.toastClose).filter({ visible: true }).all()) {
			await button.click().catch(() => {});
		}
		if (toastsOnly) return;
		const open = page.locator(SEL.overlays).filter({ visible: true });
		if ((await open.count()) === 0) return;
		const close = open.first().locator(SEL.overlayClose).filter({ visible: true });
		if (await close.count()) await close.first().click();
		else await page.keyboard.press('Escape');
		await open.first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => {});
	}
	throw new Error('an n8n dialog stays open; see the failure screenshot');
}

/** Polls check() until it returns true; fails with what was being waited for. */
async function until(check, what, timeoutMs = UI_TIMEOUT_MS) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(200);
	}
}

module.exports = { SEL, signIn, openNode, openExecutionNode, pickFromList, dismissOverlays, until };
