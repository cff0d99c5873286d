'use strict';
// Host classification behind the download guard: every way a URL can spell an address of this
// machine or a private network, as `URL` normalises it.

const { classifyHost } = require('../../nodes/Selzy/transport/addresses.ts');

const kindOf = (link) => classifyHost(new URL(link).hostname);

test.each([
	['https://127.0.0.1/', 'loopback'],
	['https://127.1/', 'loopback'],
	['https://0x7f000001/', 'loopback'],
	['https://0177.0.0.1/', 'loopback'],
	['https://2130706433/', 'loopback'],
	['https://localhost./', 'loopback'],
	['https://Files.LOCALHOST/', 'loopback'],
	['https://[::1]/', 'loopback'],
	['https://[0:0:0:0:0:0:0:1]/', 'loopback'],
	['https://[::ffff:127.0.0.1]/', 'loopback'],
	['https://[::127.0.0.1]/', 'loopback'],
	['https://[64:ff9b::127.0.0.1]/', 'loopback'],
	['https://[2002:7f00:1::]/', 'loopback'],
	['https://10.255.0.1/', 'private'],
	['https://172.16.0.1/', 'private'],
	['https://172.31.255.255/', 'private'],
	['https://192.168.0.10/', 'private'],
	['https://100.64.0.1/', 'private'],
	['https://[::ffff:10.0.0.1]/', 'private'],
	['https://[fc00::1]/', 'private'],
	['https://[fdff:ffff::1]/', 'private'],
	['https://169.254.169.254/', 'link-local'],
	['https://[fe80::abcd]/', 'link-local'],
	['https://[::ffff:169.254.169.254]/', 'link-local'],
	['https://0.0.0.0/', 'reserved'],
	['https://0/', 'reserved'],
	['https://[::]/', 'reserved'],
	['https://255.255.255.255/', 'reserved'],
	['https://[ff02::1]/', 'reserved'],
	['https://printer.local/', 'local-name'],
	['https://metadata.google.internal/', 'local-name'],
	['https://nas.home.arpa/', 'local-name'],
	['https://intranet/', 'local-name'],
	['https://api.selzy.com/', 'public'],
	['https://172.32.0.1/', 'public'],
	['https://100.128.0.1/', 'public'],
	['https://8.8.8.8/', 'public'],
	['https://[2606:4700:4700::1111]/', 'public'],
	['https://[::ffff:8.8.8.8]/', 'public'],
])('%s is %s', (link, kind) => {
	expect(kindOf(link)).toBe(kind);
});
