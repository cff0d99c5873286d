'use strict';
// An https report link that redirects to plain http is refused: the signed link's protection
// would end at the redirect. The first hop must really be https with a trusted certificate, so
// the trigger runs in a child process that trusts a CA made for this test.

const path = require('node:path');
const { execFile } = require('node:child_process');
const { createHostileServer } = require('../sandbox/hostile');
const { createTestCertificates } = require('../sandbox/tls');

let certificates;
let api; // plain http on loopback: the credential's (local) API and a plain-http file server
let tlsHost; // https on loopback, trusted by the child process

beforeAll(async () => {
	certificates = createTestCertificates();
	api = await createHostileServer();
	tlsHost = await createHostileServer({ tls: certificates });
});
afterAll(async () => {
	await Promise.all([api?.close(), tlsHost?.close()]);
	certificates?.cleanup();
});

function runTriggerInChild(links) {
	const plan = { credentials: { apiKey: 'k-local-0000', baseUrl: api.url, language: 'en' }, links };
	const script = path.join(__dirname, 'child', 'trigger-downloads.js');
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[script, JSON.stringify(plan)],
			{ env: { ...process.env, NODE_EXTRA_CA_CERTS: certificates.caPath }, timeout: 60_000 },
			(error, stdout, stderr) => {
				const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
				if (!line) return reject(new Error(`child failed: ${error?.message}\n${stderr}`));
				resolve(JSON.parse(line.slice('RESULT '.length)));
			},
		);
	});
}

test('an https link that redirects to http is refused, and the http server is never asked', async () => {
	const downgrade = `${tlsHost.url}/redirect?to=${encodeURIComponent(`${api.url}/file`)}`;
	const [control, refused] = await runTriggerInChild([`${tlsHost.url}/file`, downgrade]);

	// The child trusts the https server: a plain https link downloads.
	expect(control.status).toBe(200);
	expect(control.fileText).toContain('forged@example.com,ok_read');

	expect(refused.status).toBe(200); // the https first hop itself is acceptable
	expect(refused.error).toBe('Refused to download the report: its link redirected from https to http://127.0.0.1');
	expect(refused.fileText).toBeUndefined();
	expect(tlsHost.requests.map((r) => r.path)).toEqual(['/file', '/redirect']);
	expect(api.requests).toHaveLength(0);
}, 60_000);
