import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { fetchCampaigns, fetchLists } from '../transport/catalog';

export async function searchCampaigns(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase();
	const campaigns = await fetchCampaigns.call(this);
	const results = campaigns
		.map((campaign) => {
			const title = campaign.subject || campaign.sender_name || 'Untitled campaign';
			const started = campaign.start_time ? ` · ${campaign.start_time} UTC` : '';
			return { name: `${title} (#${campaign.id}${started})`, value: String(campaign.id) };
		})
		.filter((entry) => !needle || entry.name.toLowerCase().includes(needle));
	return { results };
}

/** Contact lists by title, searchable by title or `#id`. */
export async function searchLists(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase();
	const lists = await fetchLists.call(this);
	const results = lists
		.map((list) => ({ name: `${list.title || 'Untitled list'} (#${list.id})`, value: String(list.id) }))
		.filter((entry) => !needle || entry.name.toLowerCase().includes(needle))
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}
