import type { IDataObject } from 'n8n-workflow';

import { TASK_UUID_PATTERN, type SelzyTask } from '../transport/tasks';

/** Callbacks are a few hundred bytes; anything far larger is not from Selzy. */
export const MAX_CALLBACK_BYTES = 64 * 1024;

export type ParsedCallback = { task: SelzyTask } | { problem: string };

/**
 * Reads Selzy's callback `{"result": {task_uuid, task_type, status, file_to_download}}`, sent as
 * JSON or as a form body. n8n parses forms with flat keys (`result[task_uuid]`), and leaves only
 * the raw bytes for content types it does not know, so both shapes are handled here.
 */
export function parseCallback(parsedBody: unknown, rawBody: Buffer | undefined): ParsedCallback {
	if (rawBody && rawBody.length > MAX_CALLBACK_BYTES) {
		return { problem: `The body has ${rawBody.length} bytes; a Selzy callback is much smaller` };
	}
	let body = parsedBody;
	if (!isObject(body)) body = rawBody && rawBody.length ? parseRaw(rawBody.toString('utf8')) : undefined;
	if (!isObject(body)) return { problem: 'The body is not JSON or form data' };

	const result = extractResult(body);
	if (!result) return { problem: 'The body has no "result" object' };
	const taskUuid = String(result.task_uuid ?? '').trim();
	if (!taskUuid) return { problem: 'The body has no result.task_uuid' };
	if (!TASK_UUID_PATTERN.test(taskUuid)) return { problem: 'result.task_uuid is not a task ID' };

	const task: SelzyTask = { ...result, task_uuid: taskUuid, status: String(result.status ?? 'unknown') };
	if (result.task_type !== undefined) task.task_type = String(result.task_type);
	if (result.file_to_download !== undefined) task.file_to_download = String(result.file_to_download);
	return { task };
}

function extractResult(body: Record<string, unknown>): IDataObject | undefined {
	if (isObject(body.result)) return body.result as IDataObject;
	// Flat form keys such as result[task_uuid]
	const flat: IDataObject = {};
	for (const [key, value] of Object.entries(body)) {
		const match = /^result\[([^\]]+)\]$/.exec(key);
		if (match) flat[match[1]] = Array.isArray(value) ? value[0] : (value as string);
	}
	if (Object.keys(flat).length) return flat;
	// A JSON string inside a form field, e.g. result={"task_uuid":…}
	if (typeof body.result === 'string') {
		const inner = parseRaw(body.result);
		if (isObject(inner)) return (isObject(inner.result) ? inner.result : inner) as IDataObject;
	}
	return undefined;
}

function parseRaw(text: string): unknown {
	const trimmed = text.trim();
	if (trimmed.startsWith('{')) {
		try {
			return JSON.parse(trimmed);
		} catch {
			return undefined;
		}
	}
	if (!trimmed.includes('=')) return undefined;
	const form: Record<string, string> = {};
	for (const [key, value] of new URLSearchParams(trimmed)) form[key] = value;
	return form;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Remembers recent deliveries in the workflow's static data, bounded so it never grows. */
export const REMEMBERED_DELIVERIES = 500;

export interface TriggerState {
	recentDeliveries?: string[];
}

export function deliveryKey(task: SelzyTask): string {
	return `${task.task_uuid}:${task.status}`;
}

export function wasDelivered(state: TriggerState, key: string): boolean {
	return state.recentDeliveries?.includes(key) ?? false;
}

export function rememberDelivery(state: TriggerState, key: string): void {
	const recent = state.recentDeliveries ?? [];
	recent.push(key);
	state.recentDeliveries = recent.slice(-REMEMBERED_DELIVERIES);
}
