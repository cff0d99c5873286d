'use strict';
/**
 * Run by selzy.changedSince.test.js in a child process with its own TZ: runs the node for each
 * case in argv[2] (JSON: [{ value, timezone }]) and prints the changed_since Selzy received.
 * Not a test file itself (jest only collects *.test.js).
 */
const path = require('node:path');

require(require.resolve('ts-node', { paths: [path.resolve(__dirname, '../..')] })).register({
	transpileOnly: true,
	compilerOptions: { module: 'commonjs' },
});
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');

async function main() {
	const cases = JSON.parse(process.argv[2]);
	const sb = await createSandbox();
	const harness = await createHarness({ credentials: { selzyApi: { apiKey: sb.apiKey, baseUrl: sb.url } } });
	const wire = [];
	try {
		for (const { value, timezone } of cases) {
			sb.reset();
			const { error } = await harness.runExecute(Selzy, {
				parameters: {
					resource: 'campaign',
					operation: 'getDeliveryReport',
					campaignId: { __rl: true, mode: 'id', value: '1001' },
					waitMode: 'none',
					options: { changedSince: value },
				},
				timezone,
			});
			wire.push(error ? `error: ${error.message}` : sb.requests.find((r) => r.apiMethod === 'async/getCampaignDeliveryStats').params.changed_since);
		}
	} finally {
		await harness.close();
		await sb.close();
	}
	process.stdout.write(JSON.stringify({ tz: process.env.TZ, offsetMinutes: new Date(2025, 4, 20).getTimezoneOffset(), wire }));
}

main().catch((error) => {
	process.stderr.write(String(error?.stack ?? error));
	process.exit(1);
});
