import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { fetchCampaigns } from '../transport/catalog';

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
