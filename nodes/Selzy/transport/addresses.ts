/**
 * Classifies the host of a URL without resolving it: IP literals in every form `URL` accepts
 * (it already turns `0x7f.1`, `2130706433` or `127.1` into `127.0.0.1`) and names that can
 * only mean this machine or a local network.
 */
export type HostKind = 'public' | 'loopback' | 'private' | 'link-local' | 'local-name' | 'reserved';

type Range = [network: number, prefixLength: number, kind: Exclude<HostKind, 'public'>];

const ipv4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

const IPV4_RANGES: Range[] = [
	[ipv4(0, 0, 0, 0), 8, 'reserved'], // "this network"; 0.0.0.0 reaches this machine
	[ipv4(10, 0, 0, 0), 8, 'private'],
	[ipv4(100, 64, 0, 0), 10, 'private'], // carrier-grade NAT
	[ipv4(127, 0, 0, 0), 8, 'loopback'],
	[ipv4(169, 254, 0, 0), 16, 'link-local'], // cloud metadata services live here
	[ipv4(172, 16, 0, 0), 12, 'private'],
	[ipv4(192, 0, 0, 0), 24, 'reserved'],
	[ipv4(192, 168, 0, 0), 16, 'private'],
	[ipv4(198, 18, 0, 0), 15, 'reserved'],
	[ipv4(224, 0, 0, 0), 4, 'reserved'], // multicast
	[ipv4(240, 0, 0, 0), 4, 'reserved'], // reserved and broadcast
];

/** Suffixes that name hosts of this machine or the local network, never a public file server. */
const LOCAL_NAME_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa', '.lan'];

export function classifyHost(hostname: string): HostKind {
	const host = withoutTrailingDots(hostname.toLowerCase());
	if (host.startsWith('[')) return classifyIpv6(host.slice(1, -1));
	const v4 = parseIpv4(host);
	if (v4 !== undefined) return classifyIpv4(v4);
	if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
	// A name without a dot is completed by the resolver's search domains: an internal host.
	if (!host.includes('.') || LOCAL_NAME_SUFFIXES.some((suffix) => host.endsWith(suffix))) return 'local-name';
	return 'public';
}

/**
 * `example.com.` is `example.com`. Scanned from the end by hand: a pattern such as /\.+$/ tries
 * every dot of a long run and is quadratic on a hostile link's host.
 */
function withoutTrailingDots(host: string): string {
	let end = host.length;
	while (end > 0 && host.charCodeAt(end - 1) === 46) end--;
	return host.slice(0, end);
}

export function isLoopbackHost(hostname: string): boolean {
	return classifyHost(hostname) === 'loopback';
}

/** Dotted quad as `URL` writes it; anything else is not an IPv4 literal. */
function parseIpv4(host: string): number | undefined {
	const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (!parts) return undefined;
	const octets = parts.slice(1).map(Number);
	if (octets.some((octet) => octet > 255)) return undefined;
	return ipv4(octets[0], octets[1], octets[2], octets[3]);
}

function classifyIpv4(address: number): HostKind {
	for (const [network, prefixLength, kind] of IPV4_RANGES) {
		const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
		if ((address & mask) >>> 0 === network) return kind;
	}
	return 'public';
}

/** Eight 16-bit groups, or undefined when the text is not an IPv6 address. */
function parseIpv6(text: string): number[] | undefined {
	const zone = text.indexOf('%');
	let body = zone < 0 ? text : text.slice(0, zone);
	const tail: number[] = [];
	const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(body);
	if (dotted) {
		const v4 = parseIpv4(dotted[2]);
		if (v4 === undefined) return undefined;
		tail.push(v4 >>> 16, v4 & 0xffff);
		body = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
	}
	const halves = body.split('::');
	if (halves.length > 2) return undefined;
	const groups = (part: string) => (part === '' ? [] : part.split(':'));
	const head = groups(halves[0]);
	const rest = halves.length === 2 ? groups(halves[1]) : [];
	if ([...head, ...rest].some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return undefined;
	const known = head.length + rest.length + tail.length;
	if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
	const zeros = new Array<number>(8 - known).fill(0);
	return [...head.map((g) => parseInt(g, 16)), ...zeros, ...rest.map((g) => parseInt(g, 16)), ...tail];
}

function classifyIpv6(text: string): HostKind {
	const groups = parseIpv6(text);
	if (!groups) return 'reserved';
	const embeddedV4 = (high: number, low: number) => classifyIpv4(((high << 16) | low) >>> 0);
	const zeroUntil = (count: number) => groups.slice(0, count).every((group) => group === 0);

	if (zeroUntil(7) && groups[7] === 1) return 'loopback'; // ::1
	if (zeroUntil(8)) return 'reserved'; // ::
	if (zeroUntil(5) && groups[5] === 0xffff) return embeddedV4(groups[6], groups[7]); // ::ffff:a.b.c.d
	if (zeroUntil(6)) return embeddedV4(groups[6], groups[7]); // ::a.b.c.d (deprecated form)
	if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) {
		return embeddedV4(groups[6], groups[7]); // NAT64
	}
	if (groups[0] === 0x2002) return embeddedV4(groups[1], groups[2]); // 6to4
	if ((groups[0] & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
	if ((groups[0] & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
	if ((groups[0] & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 old site-local
	if ((groups[0] & 0xff00) === 0xff00) return 'reserved'; // multicast
	return 'public';
}
