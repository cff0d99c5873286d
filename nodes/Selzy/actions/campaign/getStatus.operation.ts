import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { toIsoUtc } from '../../report/rows';
import { runsAsTool } from '../../results/toolAnswer';
import { describeCampaignStatus, fetchCampaignStatus, isCampaignFinished } from '../../transport/campaigns';
import type { Operation } from '../operation';
import { campaignPicker } from '../pickers';
import { resolveCampaignId } from './campaignId';

/** Campaign → Get Status: where a campaign is (getCampaignStatus), and whether it has finished sending. */
export const getStatus: Operation = {
	option: {
		name: 'Get Status',
		value: 'getStatus',
		action: 'Get the status of a campaign',
		description: 'Whether a campaign is still sending or has finished',
	},
	description: updateDisplayOptions({ show: { resource: ['campaign'], operation: ['getStatus'] } }, [
		campaignPicker('The campaign whose status to get. As an AI agent’s tool, By ID also takes a campaign subject.'),
	]),
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
		const campaignId = await campaignIdOf(this, itemIndex);
		const { status, creation_time, start_time, ...rest } = await fetchCampaignStatus.call(this, campaignId, { itemIndex });
		const json = {
			campaign_id: Number(campaignId),
			status,
			status_description: describeCampaignStatus(status),
			finished: isCampaignFinished(status),
			creation_time: typeof creation_time === 'string' ? toIsoUtc(creation_time) : creation_time,
			start_time: typeof start_time === 'string' ? toIsoUtc(start_time) : start_time,
			...rest,
		};
		return [{ json, pairedItem: { item: itemIndex } }];
	},
};

/** The item's campaign ID; a tool's model may name the campaign by its subject. */
export async function campaignIdOf(context: IExecuteFunctions, itemIndex: number): Promise<string> {
	const written = String(context.getNodeParameter('campaignId', itemIndex, '', { extractValue: true }) ?? '');
	return await resolveCampaignId(context, written, itemIndex, runsAsTool(context));
}
