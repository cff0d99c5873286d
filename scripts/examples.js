// Example workflows from examples/, with the credential placeholder (and, for the sandbox, a
// campaign) filled in. Shared by the demo and the screenshot script.
const fs = require('node:fs');
const path = require('node:path');

const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');
const CREDENTIAL_PLACEHOLDER = 'SELZY_CREDENTIAL_ID';
/** The sandbox campaign (1,000 recipients) the demo puts into the examples' empty campaign pickers. */
const SANDBOX_CAMPAIGN = '1002';

function exampleFiles() {
	return fs.readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json')).sort();
}

/** `campaign`: { mode, value } to put into empty campaign pickers, or undefined to leave them for the user. */
function loadExample(file, credential, campaign) {
	const text = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8').replaceAll(CREDENTIAL_PLACEHOLDER, credential.id);
	const workflow = JSON.parse(text);
	for (const node of workflow.nodes) {
		if (node.credentials?.selzyApi) node.credentials.selzyApi.name = credential.name;
		// Other placeholders (the chat model's credential in ai-agent-tool.json) are left for the user to choose.
		for (const [type, reference] of Object.entries(node.credentials ?? {})) {
			if (/_CREDENTIAL_ID$/.test(String(reference.id))) delete node.credentials[type];
		}
		if (campaign && node.parameters?.campaignId?.__rl && !node.parameters.campaignId.value) {
			node.parameters.campaignId = { __rl: true, ...campaign };
		}
	}
	return workflow;
}

module.exports = { SANDBOX_CAMPAIGN, exampleFiles, loadExample };
