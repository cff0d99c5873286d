'use strict';
/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1, ::1 and localhost,
 * made with the openssl command line at test time (nothing secret is committed). A process
 * trusts the CA only when started with NODE_EXTRA_CA_CERTS=<caPath>: Node reads that variable
 * once, at start-up.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

function createTestCertificates() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selzy-test-ca-'));
	const file = (name) => path.join(dir, name);
	const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

	openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=n8n-nodes-selzy test CA');
	openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
	fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
	openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');

	return {
		caPath: file('ca.pem'),
		key: fs.readFileSync(file('server.key')),
		cert: fs.readFileSync(file('server.pem')),
		cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
	};
}

module.exports = { createTestCertificates };
