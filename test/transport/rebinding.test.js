'use strict';
// DNS rebinding: a report link's host name is resolved to check it (n8n 2.x's egress filter), and
// the download connects to the address that was checked. A resolver that answers an allowed
// address first and this machine second must not get the download to this machine.
//
// Two https servers listen on one port: 127.0.0.2 stands for the public address the name gave
// when it was checked (allowed here through N8N_SSRF_ALLOWED_IP_RANGES, read once when the
// harness boots), 127.0.0.1 for the loopback address it gives afterwards.

const crypto = require('node:crypto');
const dns = require('node:dns');

const ALLOWED_RANGES = process.env.N8N_SSRF_ALLOWED_IP_RANGES;
process.env.N8N_SSRF_ALLOWED_IP_RANGES = '127.0.0.2/32';

const { createHarness } = require('../harness');
const { createHostileServer } = require('../sandbox/hostile');
const { createTestCertificates } = require('../sandbox/tls');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');

const NAME = 'files.rebinding.example';

let harness;
let api; // a Selzy-compatible API on loopback that hands out the link
let checked; // https on 127.0.0.2: the address the name had when it was checked
let rebound; // https on 127.0.0.1, same port: the address the name has afterwards
const answers = [];
const original = { lookup: dns.lookup, promisesLookup: dns.promises.lookup };

/** The name answers 127.0.0.2 the first time it is looked up, 127.0.0.1 every time after. */
function rebindingAnswer() {
	const address = answers.length === 0 ? '127.0.0.2' : '127.0.0.1';
	answers.push(address);
	return { address, family: 4 };
}

beforeAll(async () => {
	dns.lookup = function lookup(hostname, options, callback) {
		const done = typeof options === 'function' ? options : callback;
		if (hostname !== NAME) return original.lookup.apply(this, arguments);
		const answer = rebindingAnswer();
		process.nextTick(() => (options?.all ? done(null, [answer]) : done(null, answer.address, answer.family)));
	};
	dns.promises.lookup = async function lookup(hostname, options) {
		if (hostname !== NAME) return original.promisesLookup.apply(this, arguments);
		const answer = rebindingAnswer();
		return options?.all ? [answer] : answer;
	};
	harness = await createHarness();
	api = await createHostileServer();
	const certificates = createTestCertificates();
	checked = await createHostileServer({ tls: certificates, host: '127.0.0.2' });
	rebound = await createHostileServer({ tls: certificates, host: '127.0.0.1', port: checked.port });
	certificates.cleanup();
});

afterAll(async () => {
	dns.lookup = original.lookup;
	dns.promises.lookup = original.promisesLookup;
	if (ALLOWED_RANGES === undefined) delete process.env.N8N_SSRF_ALLOWED_IP_RANGES;
	else process.env.N8N_SSRF_ALLOWED_IP_RANGES = ALLOWED_RANGES;
	await harness?.close();
	await Promise.all([api, checked, rebound].filter(Boolean).map((server) => server.close()));
});

test('the download connects to the address its host was checked at, not to a second answer', async () => {
	await harness.credentialsHelper.setCredential('selzyApi', { apiKey: 'k-local-0000', baseUrl: api.url, language: 'en' });
	api.api.fileLink = `https://${NAME}:${checked.port}/file?X-Amz-Signature=5ecret`;
	const run = await harness.runExecute(Selzy, {
		parameters: { resource: 'task', operation: 'getResult', taskUuid: crypto.randomUUID(), waitMode: 'none', output: 'file' },
	});
	expect(answers[0]).toBe('127.0.0.2');
	expect(rebound.connections).toBe(0);
	expect(checked.connections).toBe(1);
	// The test certificate is not trusted, so the download itself fails, naming no secret.
	expect(run.status).toBe('error');
	expect(run.error.message).toMatch(/^Could not download the report/);
	expect(JSON.stringify(run.error)).not.toContain('5ecret');
});
