'use strict';
// Report downloads go only where Selzy's files can be, and they end. Both nodes share one guard:
// the trigger (a forged callback, verification off) and the action node (a link handed over by
// a Selzy-compatible API). Hostile servers on loopback record every connection they get.

const crypto = require('node:crypto');
const fs = require('node:fs');
const dns = require('node:dns');
const { createHarness } = require('../harness');
const { createHostileServer } = require('../sandbox/hostile');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');

let harness;
let api; // plain http on 127.0.0.1: a Selzy-compatible API and file server
let tlsHost; // https on 127.0.0.1 (its certificate is never trusted: no request may reach it)
let tlsHost6; // the same on ::1, when this machine has IPv6 loopback

const remoteApi = { apiKey: 'k-remote-0000', baseUrl: 'https://api.selzy.invalid', language: 'en' };
const localApi = () => ({ apiKey: 'k-local-0000', baseUrl: api.url, language: 'en' });
const SIGNATURE = 'X-Amz-Signature=5ecret5ignature';

beforeAll(async () => {
	harness = await createHarness({ credentials: { selzyApi: remoteApi } });
	api = await createHostileServer();
	const { createTestCertificates } = require('../sandbox/tls');
	const certificates = createTestCertificates();
	tlsHost = await createHostileServer({ tls: certificates });
	tlsHost6 = await createHostileServer({ tls: certificates, host: '::1' }).catch(() => undefined);
	certificates.cleanup();
});
afterAll(async () => {
	await harness?.close();
	await Promise.all([api, tlsHost, tlsHost6].filter(Boolean).map((server) => server.close()));
});
beforeEach(async () => {
	for (const server of [api, tlsHost, tlsHost6]) server?.reset();
	harness.setStaticData(SelzyTrigger, undefined);
	await harness.credentialsHelper.setCredential('selzyApi', remoteApi, { id: 'cred-remote-api' });
});

/**
 * A forged callback to the trigger with Verify With Selzy off. The file is read in the execution
 * the callback starts, so a failure there is the call's error.
 */
async function forgedCallback(link, options = {}) {
	const call = await harness.runWebhook(SelzyTrigger, {
		parameters: { verify: false, output: 'file', options },
		request: {
			body: { result: { task_uuid: crypto.randomUUID(), task_type: 'getCampaignDeliveryStats', status: 'completed', file_to_download: link } },
		},
	});
	return { ...call, error: call.error ?? call.execution?.error };
}

/** Task → Get Result on the action node, whose API (the hostile server) hands over `link`. */
async function reportFromApi(link, { output = 'file', options = {} } = {}) {
	await harness.credentialsHelper.setCredential('selzyApi', localApi(), { id: 'cred-local-api' });
	api.api.fileLink = link;
	return await harness.runExecute(Selzy, {
		parameters: { resource: 'task', operation: 'getResult', taskUuid: crypto.randomUUID(), waitMode: 'none', output, options },
	});
}

const errorText = (error) => JSON.stringify({ message: error?.message, description: error?.description });

/**
 * A dotted name this machine resolves to a loopback address, other than localhost (from
 * /etc/hosts, e.g. Debian's "127.0.1.1 host.example host"). Single-label names are refused
 * before any lookup, so only a dotted one reaches the resolution step.
 */
function loopbackAlias() {
	let hosts = '';
	try {
		hosts = fs.readFileSync('/etc/hosts', 'utf8');
	} catch {
		return undefined;
	}
	for (const line of hosts.split('\n')) {
		const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
		if (!/^127\.|^::1$/.test(address ?? '')) continue;
		const alias = names.find((name) => name.includes('.') && !/localhost|loopback|localdomain|\.local$/i.test(name));
		if (alias) return alias;
	}
	return undefined;
}

describe('a forged callback cannot make the trigger fetch this machine', () => {
	const cases = [
		['https://127.0.0.1', () => `https://127.0.0.1:${tlsHost.port}/file?${SIGNATURE}`, '127.0.0.1'],
		['https://localhost', () => `https://localhost:${tlsHost.port}/file?${SIGNATURE}`, 'localhost'],
		['a hexadecimal 127.0.0.1', () => `https://0x7f.0.0.1:${tlsHost.port}/file`, '127.0.0.1'],
		['a 32-bit number for 127.0.0.1', () => `https://2130706433:${tlsHost.port}/file`, '127.0.0.1'],
		['127.0.0.1 mapped into IPv6', () => `https://[::ffff:127.0.0.1]:${tlsHost.port}/file`, '[::ffff:7f00:1]'],
	];
	test.each(cases)('%s is refused with 400 naming the host, and never connected to', async (_name, link, host) => {
		const call = await forgedCallback(link());
		expect(call.response.statusCode).toBe(400);
		expect(call.response.body.error).toContain(host);
		expect(call.response.body.error).not.toContain('5ecret');
		expect(call.webhookResult?.workflowData).toBeUndefined();
		expect(tlsHost.connections).toBe(0);
	});

	test('https://[::1] is refused the same way', async () => {
		if (!tlsHost6) return console.warn('no IPv6 loopback here; [::1] case not run');
		const call = await forgedCallback(`https://[::1]:${tlsHost6.port}/file`);
		expect(call.response.statusCode).toBe(400);
		expect(call.response.body.error).toMatch(/\[::1\], an address of this n8n server/);
		expect(tlsHost6.connections).toBe(0);
	});

	test('a host name is resolved first: one that resolves to this machine is refused (n8n 2.x egress filter)', async () => {
		const alias = loopbackAlias();
		if (!alias) return console.warn('no dotted loopback alias in /etc/hosts; resolution case not run');
		const addresses = await dns.promises.lookup(alias, { all: true });
		expect(addresses.length).toBeGreaterThan(0);
		const call = await forgedCallback(`https://${alias}:${tlsHost.port}/file`);
		expect(call.response.statusCode).toBe(400);
		expect(call.response.body.error).toBe(`file_to_download points to ${alias}, which resolves to an address that is not public`);
		expect(tlsHost.connections).toBe(0);
	});

	test('an address n8n blocks by default is refused through n8n’s egress filter (n8n 2.x)', async () => {
		// 203.0.113.0/24 is a documentation range: public to this package's own rules, blocked by n8n's.
		const call = await forgedCallback('https://203.0.113.5/r.csv');
		expect(call.response.statusCode).toBe(400);
		expect(call.response.body.error).toBe('file_to_download points to 203.0.113.5, which resolves to an address that is not public');
	});

	test('a host name that does not resolve is left to the request, which fails with a clear error', async () => {
		const call = await forgedCallback('https://no-such-host.invalid/r.csv');
		expect(call.response.statusCode).toBe(200);
		expect(call.error?.message).toBe('Could not download the report: the host name was not found');
	});

	test.each([
		['https://10.0.0.7/r.csv', '10.0.0.7, a private network address'],
		['https://192.168.1.1/r.csv', '192.168.1.1, a private network address'],
		['https://100.64.0.9/r.csv', '100.64.0.9, a private network address'],
		['https://169.254.169.254/latest/meta-data/', '169.254.169.254, a link-local address'],
		['https://[fd00::5]/r.csv', '[fd00::5], a private network address'],
		['https://[fe80::1]/r.csv', '[fe80::1], a link-local address'],
		['https://[::]/r.csv', '[::], a reserved address'],
		['https://0.0.0.0/r.csv', '0.0.0.0, a reserved address'],
		['https://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal, a local network name'],
		['https://intranet/r.csv', 'intranet, a local network name'],
	])('%s is refused with 400', async (link, words) => {
		const call = await forgedCallback(link);
		expect(call.response.statusCode).toBe(400);
		expect(call.response.body.error).toContain(`file_to_download points to ${words}`);
	});
});

describe('every redirect hop is checked before it is requested', () => {
	// A loopback API (the sandbox case) allows loopback links, so the first hop can be local.
	beforeEach(() => harness.credentialsHelper.setCredential('selzyApi', localApi(), { id: 'cred-local-api' }));
	const via = (target) => `${api.url}/redirect?to=${encodeURIComponent(target)}&${SIGNATURE}`;

	test.each([
		['a private address', 'https://10.9.8.7/report.csv', /its link points to 10\.9\.8\.7, a private network address/],
		['a cloud metadata address', 'http://169.254.169.254/latest/meta-data/', /its link points to 169\.254\.169\.254, a link-local/],
		['an IPv6 unique local address', 'https://[fd12::1]/r.csv', /\[fd12::1\], a private network address/],
	])('the trigger refuses a redirect to %s', async (_name, target, message) => {
		const call = await forgedCallback(via(target));
		expect(call.response.statusCode).toBe(200); // the first hop was acceptable
		expect(call.error?.message).toMatch(message);
		expect(call.error?.message).toMatch(/^Refused to download the report/);
		expect(errorText(call.error)).not.toContain('5ecret');
		expect(api.requests.map((r) => r.path)).toEqual(['/redirect']);
	});

	test('the action node refuses a link to a metadata address handed over by the API, without connecting', async () => {
		const run = await reportFromApi(`https://169.254.169.254/latest/meta-data/iam?${SIGNATURE}`);
		expect(run.status).toBe('error');
		expect(run.error.message).toBe(
			'Refused to download the report: its link points to 169.254.169.254, a link-local address (where cloud metadata services answer)',
		);
		expect(run.error.description).toMatch(/only over https from public addresses/);
		expect(errorText(run.error)).not.toContain('5ecret');
	});

	test('the action node refuses a redirect to a private address', async () => {
		const run = await reportFromApi(via('http://10.1.2.3/report.csv'));
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/its link points to 10\.1\.2\.3/);
	});

	test('redirects are followed only a few times', async () => {
		await harness.credentialsHelper.setCredential('selzyApi', localApi(), { id: 'cred-local-api' });
		let link = `${api.url}/file`;
		for (let hop = 0; hop < 7; hop++) link = via(link);
		const run = await reportFromApi(link);
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/redirected more than 5 times/);
		expect(api.requests.filter((r) => r.path === '/redirect')).toHaveLength(6);
	});

	test('with a loopback API (a local test server) a local redirect chain is downloaded', async () => {
		const run = await reportFromApi(via(via(`${api.url}/file`)));
		expect(run.status).toBe('success');
		expect(harness.binaries(run.output[0][0]).data.text()).toContain('forged@example.com,ok_read');
	});
});

describe('downloads end', () => {
	test('an endless file stops at Max Download Size, with an error naming the option', async () => {
		const run = await reportFromApi(`${api.url}/endless?limitMb=64`, { options: { maxDownloadSize: 2 } });
		expect(run.status).toBe('error');
		expect(run.error.message).toBe('The report is larger than Max Download Size (2 MB)');
		expect(run.error.description).toMatch(/raise Max Download Size/);
		expect(api.bytesSent).toBeLessThan(24 * 1024 * 1024);
	});

	test('a declared size above Max Download Size is refused before reading', async () => {
		const run = await reportFromApi(`${api.url}/huge`, { options: { stallTimeout: 5 } });
		expect(run.status).toBe('error');
		expect(run.error.message).toBe('The report is larger than Max Download Size (1,024 MB)');
	});

	test('a server that trickles data forever is cut off at Download Time Limit (Summary output)', async () => {
		const started = Date.now();
		const run = await reportFromApi(`${api.url}/trickle?everyMs=100&forMs=9000`, {
			output: 'summary',
			options: { downloadTimeLimit: 2, stallTimeout: 5 },
		});
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^The report download took longer than Download Time Limit \(2 s\)/);
		expect(run.error.description).toMatch(/raise Download Time Limit/);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	test('the trigger’s download (no execution to cancel) is cut off at Download Time Limit too', async () => {
		await harness.credentialsHelper.setCredential('selzyApi', localApi(), { id: 'cred-local-api' });
		const started = Date.now();
		const call = await forgedCallback(`${api.url}/trickle?everyMs=100&forMs=9000`, { downloadTimeLimit: 2, stallTimeout: 5 });
		expect(call.response.statusCode).toBe(200);
		expect(call.error?.message).toMatch(/Download Time Limit \(2 s\)/);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	test.each([
		['Download Stall Timeout', { stallTimeout: 'abc' }, 'Download Stall Timeout must be a number of seconds, not "abc"'],
		['Max Download Size', { maxDownloadSize: 'lots' }, 'Max Download Size must be a number of MB, not "lots"'],
		['Download Time Limit', { downloadTimeLimit: '30 min' }, 'Download Time Limit must be a number of seconds, not "30 min"'],
	])('a %s that is not a number (an expression gone wrong) is refused, not switched off', async (_name, options, message) => {
		const run = await reportFromApi(`${api.url}/file`, { output: 'summary', options });
		expect(run.status).toBe('error');
		expect(run.error.message).toContain(message);
		expect(api.requests.filter((r) => r.path === '/file')).toHaveLength(0);
	});

	test('bounds written as numbers in text (from an expression) are read as numbers', async () => {
		const run = await reportFromApi(`${api.url}/endless?limitMb=64`, { options: { maxDownloadSize: '2', stallTimeout: '10' } });
		expect(run.status).toBe('error');
		expect(run.error.message).toBe('The report is larger than Max Download Size (2 MB)');
	});

	test('one record larger than Max Record Size stops the report, naming the record and the option', async () => {
		api.routes['/wide'] = (req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/csv' });
			res.end(`email,send_result,last_update\nsomeone@example.com,ok_read,\nwide@example.com,ok_read,${`${'x'.repeat(200_000)},`.repeat(10)}\n`);
		};
		const run = await reportFromApi(`${api.url}/wide`, { output: 'summary', options: { maxRecordSize: 1 } });
		expect(run.status).toBe('error');
		expect(run.error.message).toContain('Record 3 of the report (counting the header) is larger than 1 MB (Max Record Size)');
		expect(run.error.description).toMatch(/raise the Max Record Size \(MB\) option/);
	});

	test('a genuine report passes the default limits', async () => {
		const run = await reportFromApi(`${api.url}/file`, { output: 'summary' });
		expect(run.status).toBe('success');
		expect(run.output[0][0].json.total).toBe(1);
	});
});
