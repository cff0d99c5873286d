/**
 * One item per Selzy event, readable first: `event` (Selzy's name), `event_id` (the event's key
 * from its own fields, the same for every delivery of it), `time` (ISO 8601 UTC, as in report
 * rows), the event's own fields with campaign and list IDs as numbers, what its status
 * means (for email statuses the readable status and the status group reports use), and the event
 * as it arrived under `raw`. Event names and statuses this package does not know are passed
 * through as they are.
 */
import type { IDataObject } from 'n8n-workflow';

import { toIsoUtc } from '../report/rows';
import { describeSendResult } from '../report/statuses';
import { describeCampaignStatus, isCampaignFinished } from '../transport/campaigns';
import type { SelzyEvent } from './eventEnvelope';

/** Field names n8n drops when it copies an item; kept only under `raw`. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** campaign_id, list_id, list_ids, subscribed_list_ids, … */
const ID_FIELD = /(^|_)(campaign|list)_ids?$/;

export function eventItem(event: SelzyEvent, eventId: string): IDataObject {
	const item: IDataObject = { event: event.name, event_id: eventId, time: toIsoUtc(event.time.trim()) };
	if (event.login !== undefined) item.login = event.login;
	for (const [key, value] of Object.entries(event.data)) {
		if (RESERVED.has(key) || Object.prototype.hasOwnProperty.call(item, key)) continue;
		item[key] = ID_FIELD.test(key) ? asIds(value) : (value as IDataObject[string]);
	}
	const listIds = listIdsOf(event);
	if (listIds.length && item.list_ids === undefined) item.list_ids = listIds;
	Object.assign(item, statusMeaning(event));
	item.raw = event.raw as IDataObject;
	return item;
}

/** The lists an event names, whatever the field (subscribed_list_ids, unsubscribed_list_ids, list_ids, list_id). */
export function listIdsOf(event: SelzyEvent): number[] {
	const ids: number[] = [];
	for (const [key, value] of Object.entries(event.data)) {
		if (!/(^|_)list_ids?$/.test(key)) continue;
		const read = asIds(value);
		for (const id of Array.isArray(read) ? read : [read]) if (typeof id === 'number') ids.push(id);
	}
	return [...new Set(ids)];
}

function statusMeaning(event: SelzyEvent): IDataObject {
	const status = event.data.status;
	if (typeof status !== 'string') return {};
	if (event.name === 'email_status') {
		const described = describeSendResult(status);
		return { status_description: described.status, status_group: described.group, final: described.final };
	}
	if (event.name === 'campaign_status') {
		return { status_description: describeCampaignStatus(status), finished: isCampaignFinished(status) };
	}
	return {};
}

/** Numbers from an ID, a list of IDs or "1,2"; anything that is not a whole number stays as it is. */
function asIds(value: unknown): IDataObject[string] {
	const one = (id: unknown) => (typeof id === 'number' || (typeof id === 'string' && /^\s*\d+\s*$/.test(id)) ? Number(id) : id);
	if (Array.isArray(value)) return value.map(one) as IDataObject[string];
	if (typeof value === 'string' && value.includes(',')) return value.split(',').map(one) as IDataObject[string];
	return one(value) as IDataObject[string];
}
