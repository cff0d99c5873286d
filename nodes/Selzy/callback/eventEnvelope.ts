/**
 * A Selzy event delivery, in either envelope: batched
 * `{"auth", "events_by_user": [{"login", "events": [{"event_name", "event_time", "event_data"}]}]}`
 * or, with single_event, one flat object `{"auth", "login", "event_name", "event_time", …fields}`.
 * Everything is checked once, in time linear in the body: its size, its depth, the number of
 * events and of values.
 */

/** Selzy's batches are a few kilobytes per hundred events; far more is not a delivery. */
export const MAX_DELIVERY_BYTES = 8 * 1024 * 1024;

/** Events read from one request. */
export const MAX_EVENTS_PER_DELIVERY = 10_000;

/** An event is three levels deep; deeper bodies would overflow n8n's recursive copies. */
export const MAX_DELIVERY_DEPTH = 32;

/** Values (objects, arrays, scalars) in one body. */
const MAX_VALUES = 1_000_000;

/** Fields of the envelope, not of the event. */
const ENVELOPE_FIELDS = new Set(['auth', 'login', 'event_name', 'event_time', 'retry_count']);

export interface SelzyEvent {
	name: string;
	/** As Selzy wrote it ("YYYY-MM-DD hh:mm:ss", UTC). */
	time: string;
	login?: string;
	/** The event's own fields. */
	data: Record<string, unknown>;
	/** The event as it arrived (with its login), for the item's `raw`. */
	raw: Record<string, unknown>;
}

export interface EventDelivery {
	events: SelzyEvent[];
	/** The `auth` field Selzy computed over the body, when present. */
	auth?: string;
	/** Selzy's retry number: 0 for the first attempt. */
	retryCount: number;
	batched: boolean;
}

type Body = Record<string, unknown>;

export type UnreadableDelivery = { problem: string; tooLarge?: boolean };

export function readEventDelivery(parsedBody: unknown, rawBody: Buffer | undefined, query: Body = {}): EventDelivery | UnreadableDelivery {
	if (rawBody && rawBody.length > MAX_DELIVERY_BYTES) {
		return { problem: `The body has ${rawBody.length} bytes, more than ${MAX_DELIVERY_BYTES} (a Selzy delivery is far smaller)`, tooLarge: true };
	}
	const body = isObject(parsedBody) ? parsedBody : parseRaw(rawBody);
	if (!body) return { problem: 'The body is not a JSON object' };
	const shape = checkShape(body);
	if (shape) return { problem: shape };

	const retryCount = Math.max(0, Math.floor(Number(body.retry_count ?? query.retry_count ?? 0)) || 0);
	const auth = typeof body.auth === 'string' ? body.auth : undefined;
	if (Array.isArray(body.events_by_user)) {
		const events: SelzyEvent[] = [];
		for (const user of body.events_by_user) {
			if (!isObject(user) || !Array.isArray(user.events)) return { problem: 'An entry of events_by_user has no events list' };
			const login = user.login === undefined ? undefined : String(user.login);
			for (const event of user.events) {
				const read = batchedEvent(event, login);
				if ('problem' in read) return read;
				events.push(read);
			}
		}
		return { events, auth, retryCount, batched: true };
	}
	if (body.event_name !== undefined) {
		const data: Record<string, unknown> = {};
		const raw: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(body)) {
			if (!ENVELOPE_FIELDS.has(key)) data[key] = value;
			// What the delivery adds to the event (its signature, the retry number) is not the event.
			if (key !== 'auth' && key !== 'retry_count') raw[key] = value;
		}
		const login = body.login === undefined ? undefined : String(body.login);
		return { events: [{ name: String(body.event_name), time: String(body.event_time ?? ''), login, data, raw }], auth, retryCount, batched: false };
	}
	return { problem: 'The body has neither events_by_user nor event_name' };
}

function batchedEvent(event: unknown, login: string | undefined): SelzyEvent | { problem: string } {
	if (!isObject(event) || event.event_name === undefined) return { problem: 'An event has no event_name' };
	let data: Record<string, unknown>;
	if (isObject(event.event_data)) data = event.event_data;
	else {
		// Fields beside the name and time, should an event carry them flat.
		data = {};
		for (const [key, value] of Object.entries(event)) if (!ENVELOPE_FIELDS.has(key) && key !== 'event_data') data[key] = value;
	}
	const raw = login === undefined ? event : { login, ...event };
	return { name: String(event.event_name), time: String(event.event_time ?? ''), login, data, raw };
}

/** Depth, value count and event count, in one walk without recursion. */
function checkShape(body: Body): string | undefined {
	const pending: Array<[unknown, number]> = [[body, 1]];
	let values = 0;
	while (pending.length) {
		const [value, depth] = pending.pop()!;
		if (++values > MAX_VALUES) return `The body holds more than ${MAX_VALUES} values`;
		if (typeof value !== 'object' || value === null) continue;
		if (depth > MAX_DELIVERY_DEPTH) return `The body is nested more than ${MAX_DELIVERY_DEPTH} levels deep`;
		for (const child of Object.values(value)) pending.push([child, depth + 1]);
	}
	const users = Array.isArray(body.events_by_user) ? body.events_by_user : [];
	let events = 0;
	for (const user of users) events += isObject(user) && Array.isArray(user.events) ? user.events.length : 0;
	if (events > MAX_EVENTS_PER_DELIVERY) return `The body carries ${events} events, more than ${MAX_EVENTS_PER_DELIVERY} in one request`;
	return undefined;
}

function parseRaw(rawBody: Buffer | undefined): Body | undefined {
	const text = rawBody?.toString('utf8').trim() ?? '';
	if (!text.startsWith('{')) return undefined;
	try {
		const parsed: unknown = JSON.parse(text);
		return isObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

function isObject(value: unknown): value is Body {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
