import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fetchCampaigns, type SelzyCampaign } from '../../transport/catalog';

/** Campaigns named in an error, so the user (or a model) can pick the right ID. */
const LISTED_CAMPAIGNS = 10;

/**
 * The campaign's ID from what the Campaign parameter holds: an ID (also written "#123"), or, with
 * `byName` (an AI agent's tool, whose model may know only the subject), a campaign's subject looked
 * up in the campaign list: an exact match first, then a unique partial one.
 */
export async function resolveCampaignId(
	context: IExecuteFunctions,
	written: string,
	itemIndex: number,
	byName: boolean,
): Promise<string> {
	const plain = written.trim().replace(/^#/, '');
	if (/^\d+$/.test(plain)) return plain;
	if (!plain || !byName) {
		throw new NodeOperationError(context.getNode(), 'Campaign: choose a campaign from the list or enter its numeric ID', {
			itemIndex,
		});
	}
	const campaigns = await fetchCampaigns.call(context);
	const needle = plain.toLowerCase();
	const subjectOf = (campaign: SelzyCampaign) => String(campaign.subject ?? '').trim().toLowerCase();
	const exact = campaigns.filter((campaign) => subjectOf(campaign) === needle);
	const matches = exact.length ? exact : campaigns.filter((campaign) => subjectOf(campaign).includes(needle));
	if (matches.length === 1) return String(matches[0].id);

	const listed = (matches.length ? matches : campaigns).slice(0, LISTED_CAMPAIGNS).map(describeCampaign).join('; ');
	const message = matches.length
		? `Campaign: "${plain}" matches ${matches.length} campaigns; give the numeric ID of one`
		: `Campaign: no campaign is named "${plain}"; give a numeric campaign ID`;
	throw new NodeOperationError(context.getNode(), message, {
		itemIndex,
		description: listed ? `${matches.length ? 'Matching' : 'Newest'} campaigns: ${listed}.` : 'The account has no campaigns.',
	});
}

function describeCampaign(campaign: SelzyCampaign): string {
	const started = campaign.start_time ? `, sent ${campaign.start_time} UTC` : '';
	return `"${campaign.subject || 'Untitled'}" (ID ${campaign.id}${started})`;
}
