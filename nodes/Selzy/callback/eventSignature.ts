/**
 * Selzy's `auth` field: the hex MD5 of the raw request body in which the `auth` value is replaced
 * by the account's API key. Checked on the bytes as they arrived (Selzy writes `/` as `\/`, so a
 * body serialised again would hash differently), compared in constant time.
 */
import { createHash, timingSafeEqual } from 'crypto';

const AUTH_KEY = Buffer.from('"auth"');
const HEX32 = /^[0-9a-f]{32}$/i;
/** Places in one body where `"auth"` is tried (the envelope's is the first in every known sample). */
const MAX_CANDIDATES = 8;

export type SignatureCheck = { valid: true } | { valid: false; problem: string };

export function checkSelzySignature(rawBody: Buffer | undefined, auth: string | undefined, apiKey: string): SignatureCheck {
	if (!rawBody?.length) return { valid: false, problem: 'The request has no body to check' };
	if (!auth || !HEX32.test(auth)) return { valid: false, problem: 'The body has no auth field of 32 hex digits' };
	const expected = Buffer.from(auth.toLowerCase(), 'latin1');
	const key = Buffer.from(apiKey, 'utf8');
	let from = 0;
	for (let tried = 0; tried < MAX_CANDIDATES; tried++) {
		const at = rawBody.indexOf(AUTH_KEY, from);
		if (at < 0) break;
		from = at + AUTH_KEY.length;
		const value = valueAfter(rawBody, from);
		if (!value || rawBody.subarray(value.start, value.end).toString('latin1').toLowerCase() !== auth.toLowerCase()) continue;
		const signed = Buffer.concat([rawBody.subarray(0, value.start), key, rawBody.subarray(value.end)]);
		const actual = Buffer.from(createHash('md5').update(signed).digest('hex'), 'latin1');
		if (timingSafeEqual(actual, expected)) return { valid: true };
	}
	return {
		valid: false,
		problem:
			'The Selzy signature (auth) does not match this credential’s API key: the delivery is forged, or the hook belongs to another Selzy account or key',
	};
}

/** Where the string value after `"auth"` lies: skips `\s*:\s*"`, then 32 characters and `"`. */
function valueAfter(body: Buffer, from: number): { start: number; end: number } | undefined {
	let at = skipSpace(body, from);
	if (body[at] !== 0x3a) return undefined; // ':'
	at = skipSpace(body, at + 1);
	if (body[at] !== 0x22) return undefined; // '"'
	const start = at + 1;
	const end = start + 32;
	return body[end] === 0x22 ? { start, end } : undefined;
}

function skipSpace(body: Buffer, at: number): number {
	while (at < body.length && (body[at] === 0x20 || body[at] === 0x09 || body[at] === 0x0a || body[at] === 0x0d)) at++;
	return at;
}
