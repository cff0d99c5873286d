'use strict';
// The credential a trigger decrypted for its callbacks stays in memory only for its ten seconds,
// whether or not another callback comes. Its own file: the reused credential lives in this
// process's memory, and this test needs none left over from other tests.

const v8 = require('node:v8');
const vm = require('node:vm');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { WEBHOOK_CREDENTIAL_TTL_MS } = require('../../nodes/Selzy/transport/credentials.ts');
const { useTriggerSandbox, completedTask } = require('./trigger-support');

let sb;
let harness;
useTriggerSandbox(15, (ready) => ({ sb, harness } = ready));

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

test('the decrypted key is let go when its ten seconds are over, though no later callback comes', async () => {
	const decrypted = [];
	const original = harness.credentialsHelper.getDecrypted.bind(harness.credentialsHelper);
	const spy = jest.spyOn(harness.credentialsHelper, 'getDecrypted').mockImplementation(async (...args) => {
		const data = await original(...args);
		decrypted.push(new WeakRef(data));
		return data;
	});
	try {
		const task = await completedTask(sb);
		const call = await harness.runWebhook(SelzyTrigger, { parameters: { output: 'task' }, request: { body: { result: task } } });
		expect(call.response.statusCode).toBe(200);
	} finally {
		spy.mockRestore();
	}
	expect(decrypted).toHaveLength(1);

	await new Promise((resolve) => setTimeout(resolve, WEBHOOK_CREDENTIAL_TTL_MS + 500));
	collectGarbage();
	await new Promise((resolve) => setImmediate(resolve));
	collectGarbage();
	expect(decrypted[0].deref()).toBeUndefined();
}, 30_000);
