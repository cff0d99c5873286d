'use strict';
/**
 * Child process for downgrade.test.js: forged callbacks to the Selzy Trigger (verification off)
 * in a process that trusts the test CA (NODE_EXTRA_CA_CERTS is read only at start-up, so jest's
 * own process cannot). argv[2] is `{ credentials, links }`; the last stdout line is
 * `RESULT <json>` with one `{ status, error, fileText }` per link.
 */
require('ts-node').register({ transpileOnly: true });
const crypto = require('node:crypto');
const { createHarness } = require('../../harness');
const { SelzyTrigger } = require('../../../nodes/Selzy/SelzyTrigger.node.ts');

async function main() {
	const { credentials, links } = JSON.parse(process.argv[2]);
	const harness = await createHarness({ credentials: { selzyApi: credentials } });
	const results = [];
	try {
		for (const link of links) {
			const call = await harness.runWebhook(SelzyTrigger, {
				parameters: { verify: false, output: 'file' },
				request: {
					body: { result: { task_uuid: crypto.randomUUID(), task_type: 'getCampaignDeliveryStats', status: 'completed', file_to_download: link } },
				},
			});
			// The file is read in the execution the callback starts.
			const item = call.execution?.output?.[0]?.[0];
			results.push({
				status: call.response.statusCode,
				error: (call.error ?? call.execution?.error)?.message,
				fileText: item?.binary ? harness.binaries(item).data.text() : undefined,
			});
		}
	} finally {
		await harness.close();
	}
	process.stdout.write(`\nRESULT ${JSON.stringify(results)}\n`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
