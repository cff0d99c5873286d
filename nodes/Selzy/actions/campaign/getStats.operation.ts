import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { fetchCampaignStats } from '../../transport/campaigns';
import type { Operation } from '../operation';
import { campaignPicker } from '../pickers';
import { campaignIdOf } from './getStatus.operation';

/** Selzy's totals, in the order it documents them. */
const COUNTS = ['total', 'sent', 'delivered', 'read_unique', 'read_all', 'clicked_unique', 'clicked_all', 'unsubscribed', 'spam'];

const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

/** Campaign → Get Stats: the campaign's totals (getCampaignCommonStats) and the rates read from them. */
export const getStats: Operation = {
	option: {
		name: 'Get Stats',
		value: 'getStats',
		action: 'Get the totals of a campaign',
		description: 'A campaign’s sent, delivered, open, click, unsubscribe and spam totals and rates',
	},
	description: updateDisplayOptions({ show: { resource: ['campaign'], operation: ['getStats'] } }, [
		campaignPicker('The campaign whose totals to get. As an AI agent’s tool, By ID also takes a campaign subject.'),
	]),
	async execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
		const campaignId = await campaignIdOf(this, itemIndex);
		const stats = await fetchCampaignStats.call(this, campaignId, { itemIndex });
		const json: IDataObject = { campaign_id: Number(campaignId) };
		const number = (name: string) => Number(stats[name] ?? 0) || 0;
		for (const name of COUNTS) if (stats[name] !== undefined) json[name] = number(name);
		// Fields Selzy adds later are kept as they come.
		for (const [name, value] of Object.entries(stats)) if (!Object.prototype.hasOwnProperty.call(json, name)) json[name] = value;
		json.rates = {
			delivery: rate(number('delivered'), number('sent')),
			open: rate(number('read_unique'), number('delivered')),
			click: rate(number('clicked_unique'), number('delivered')),
			unsubscribe: rate(number('unsubscribed'), number('delivered')),
			spam: rate(number('spam'), number('delivered')),
		};
		return [{ json, pairedItem: { item: itemIndex } }];
	},
};
