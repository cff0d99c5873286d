import type { IDataObject } from 'n8n-workflow';

import { TASK_UUID_PATTERN, type SelzyTask } from '../tasks/task';

/** Callbacks are a few hundred bytes; anything far larger is not from Selzy. */
export const MAX_CALLBACK_BYTES = 64 * 1024;

/** Selzy's callback is two levels deep; a deeply nested body would overflow n8n's recursive copies. */
export const MAX_CALLBACK_DEPTH = 32;

const TOO_DEEP = `The body is nested more than ${MAX_CALLBACK_DEPTH} levels deep`;

export type ParsedCallback = { task: SelzyTask } | { problem: string };

type Body = Record<string, unknown>;

/**
 * Reads Selzy's callback `{"result": {task_uuid, task_type, status, file_to_download}}` in every
 * shape its lineage sends: JSON, a form with flat keys (`result[task_uuid]`, as n8n parses forms),
 * or a form whose one field carries that JSON (whatever the field's name). Content types n8n
 * does not parse leave only the raw bytes, so those are read here too.
 */
export function parseCallback(parsedBody: unknown, rawBody: Buffer | undefined): ParsedCallback {
	if (rawBody && rawBody.length > MAX_CALLBACK_BYTES) {
		return { problem: `The body has ${rawBody.length} bytes; a Selzy callback is much smaller` };
	}
	const rawText = rawBody && rawBody.length ? rawBody.toString('utf8') : '';
	const bodies: unknown[] = [parsedBody];
	// A JSON body sent as a form (or with no content type n8n knows) is only readable raw.
	if (rawText) bodies.push(parseRaw(rawText));

	let found: IDataObject | undefined;
	let problem = 'The body is not JSON or form data';
	for (const body of bodies) {
		if (!isObject(body)) continue;
		if (tooDeep(body)) return { problem: TOO_DEEP };
		const extracted = extractResult(body);
		if ('problem' in extracted) {
			problem = extracted.problem;
			continue;
		}
		found = extracted.result;
		break;
	}
	if (!found) return { problem };

	const taskUuid = String(found.task_uuid ?? '').trim();
	if (!taskUuid) return { problem: 'The body has no result.task_uuid' };
	if (!TASK_UUID_PATTERN.test(taskUuid)) return { problem: 'result.task_uuid is not a task ID' };

	const task: SelzyTask = { ...found, task_uuid: taskUuid, status: String(found.status ?? 'unknown') };
	if (found.task_type !== undefined) task.task_type = String(found.task_type);
	if (found.file_to_download !== undefined) task.file_to_download = String(found.file_to_download);
	return { task };
}

function extractResult(body: Body): { result: IDataObject } | { problem: string } {
	if (isObject(body.result)) return { result: body.result as IDataObject };
	// Flat form keys such as result[task_uuid]
	const flat: IDataObject = {};
	for (const [key, value] of Object.entries(body)) {
		const match = /^result\[([^\]]+)\]$/.exec(key);
		if (match) flat[match[1]] = Array.isArray(value) ? value[0] : (value as string);
	}
	if (Object.keys(flat).length) return { result: flat };

	// The JSON inside one field, e.g. result={"task_uuid":…} or data={"result":{…}}
	const embedded: IDataObject[] = [];
	for (const value of Object.values(body)) {
		if (typeof value !== 'string') continue;
		const inner = parseJson(value);
		if (!isObject(inner)) continue;
		if (tooDeep(inner)) return { problem: TOO_DEEP };
		const result = isObject(inner.result) ? inner.result : inner;
		if ('task_uuid' in result) embedded.push(result as IDataObject);
	}
	if (embedded.length > 1) return { problem: 'Several fields of the body carry a callback' };
	if (embedded.length === 1) return { result: embedded[0] };
	return { problem: 'The body has no "result" object' };
}

function parseRaw(text: string): unknown {
	const json = parseJson(text);
	if (json !== undefined) return json;
	const trimmed = text.trim();
	if (!trimmed.includes('=')) return undefined;
	const form: Record<string, string> = {};
	for (const [key, value] of new URLSearchParams(trimmed)) form[key] ??= value;
	return form;
}

function parseJson(text: string): unknown {
	const trimmed = text.trim();
	if (!trimmed.startsWith('{')) return undefined;
	try {
		return JSON.parse(trimmed);
	} catch {
		return undefined;
	}
}

/** Walks the value without recursion, so no depth can overflow the stack here. */
function tooDeep(root: unknown): boolean {
	const pending: Array<[unknown, number]> = [[root, 1]];
	while (pending.length) {
		const [value, depth] = pending.pop()!;
		if (typeof value !== 'object' || value === null) continue;
		if (depth > MAX_CALLBACK_DEPTH) return true;
		for (const child of Object.values(value)) pending.push([child, depth + 1]);
	}
	return false;
}

function isObject(value: unknown): value is Body {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
