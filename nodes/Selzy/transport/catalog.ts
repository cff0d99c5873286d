import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { selzyApiRequest } from './request';

/** Read-only lookups of account data used by pickers and to name report columns. */

export interface SelzyField {
	id: number | string;
	name: string;
	type?: string;
}

export interface SelzyCampaign {
	id: number | string;
	subject?: string;
	sender_name?: string;
	start_time?: string;
	status?: string;
}

type Context = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

export async function fetchFields(this: Context): Promise<SelzyField[]> {
	const result = await selzyApiRequest.call(this, 'getFields');
	return Array.isArray(result) ? (result as SelzyField[]) : [];
}

export async function fetchFieldNamesById(this: Context): Promise<Record<string, string>> {
	const names: Record<string, string> = {};
	for (const field of await fetchFields.call(this)) names[String(field.id)] = field.name;
	return names;
}

const CAMPAIGN_PAGE = 100;

/**
 * Campaigns, newest first. Pages of 100 (the smallest maximum Selzy's documentation gives)
 * up to `maxCampaigns`; the order Selzy returns is not documented, so the result is sorted here.
 */
export async function fetchCampaigns(this: Context, maxCampaigns = 1000): Promise<SelzyCampaign[]> {
	const campaigns: SelzyCampaign[] = [];
	for (let offset = 0; offset < maxCampaigns; offset += CAMPAIGN_PAGE) {
		const page = await selzyApiRequest.call(this, 'getCampaigns', { limit: CAMPAIGN_PAGE, offset });
		if (!Array.isArray(page)) break;
		campaigns.push(...(page as SelzyCampaign[]));
		if (page.length < CAMPAIGN_PAGE) break;
	}
	return campaigns.sort(
		(a, b) =>
			String(b.start_time ?? '').localeCompare(String(a.start_time ?? '')) || Number(b.id) - Number(a.id),
	);
}

export interface SelzyList {
	id: number | string;
	title?: string;
}

export async function fetchLists(this: Context): Promise<SelzyList[]> {
	const result = await selzyApiRequest.call(this, 'getLists');
	return Array.isArray(result) ? (result as SelzyList[]) : [];
}
