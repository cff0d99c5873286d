import { DateTime } from 'luxon';
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DELIVERY_REPORT } from '../../tasks/kinds';
import { asyncTaskOperation } from '../asyncTask';
import { campaignPicker } from '../pickers';
import { callsPerMinuteFrom } from '../taskRun';
import { campaignFinished } from './campaignFinished';
import { resolveCampaignId } from './campaignId';
import { formatSelzyUtc, rememberReport, resolveChangedSince } from './changedSince';

const properties: INodeProperties[] = [
	campaignPicker(
		'The campaign whose delivery report to build. As an AI agent’s tool, By ID also takes a campaign subject, looked up in the campaign list.',
	),
];

const options: INodeProperties[] = [
	{
		displayName: 'Additional Field Names or IDs',
		name: 'additionalFields',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFields' },
		default: [],
		description:
			'Contact fields to add to each row. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Changed Since',
		name: 'changedSince',
		type: 'dateTime',
		default: '',
		description:
			'Only recipients whose status changed at or after this moment, e.g. 2026-05-01T09:00:00Z from an expression or an AI agent. A value without a time zone is read in the workflow’s time zone; Selzy receives it in UTC.',
	},
	{
		displayName: 'Only Changes Since Last Run',
		name: 'sinceLastRun',
		type: 'boolean',
		default: false,
		description:
			'Whether to ask only for statuses changed since the last report this node delivered for the campaign (remembered per workflow; only runs of the published workflow save it). The first run uses Changed Since, or the whole report.',
	},
	{
		displayName: 'Wait for Campaign to Finish',
		name: 'waitForCampaign',
		type: 'boolean',
		default: false,
		displayOptions: { show: { '/waitMode': ['poll', 'callback'] } },
		description:
			'Whether to request the report only once the campaign has finished sending (its status checked with growing pauses, within the Timeout). Off: a campaign still sending gives a partial report, and the run says so.',
	},
];

/** Campaign → Get Delivery Report: async/getCampaignDeliveryStats for the item's campaign. */
export const getDeliveryReport = asyncTaskOperation(
	'campaign',
	{
		name: 'Get Delivery Report',
		value: 'getDeliveryReport',
		action: 'Get a campaign delivery report',
		description: 'Build a campaign’s per-recipient delivery report: a file, rows or a summary',
	},
	{
		kind: DELIVERY_REPORT,
		properties,
		options,
		async readRequest(context, itemIndex, { waitMode, asTool, options: chosen }) {
			const written = String(context.getNodeParameter('campaignId', itemIndex, '', { extractValue: true }) ?? '');
			if (chosen.sinceLastRun && waitMode === 'callback' && !asTool) {
				throw new NodeOperationError(context.getNode(), '“Only Changes Since Last Run” needs “Poll Until Ready”', {
					itemIndex,
					description:
						'A resumed execution cannot save the node’s memory of the last run. Use Poll Until Ready, or set Changed Since with an expression.',
				});
			}
			const campaignId = await resolveCampaignId(context, written, itemIndex, asTool);
			const requestedAt = formatSelzyUtc(DateTime.utc());
			const params: IDataObject = { campaign_id: campaignId };
			const fieldIds = ((chosen.additionalFields as Array<string | number>) ?? []).map(String).filter(Boolean);
			if (fieldIds.length) params.field_ids = fieldIds;
			const changedSince = resolveChangedSince(context, campaignId, chosen, itemIndex);
			if (changedSince) params.changed_since = changedSince;
			const about: IDataObject = changedSince ? { campaign_id: Number(campaignId), changed_since: changedSince } : { campaign_id: Number(campaignId) };
			const waits = chosen.waitForCampaign === true && waitMode !== 'none';
			return {
				params,
				about,
				subject: `campaign ${campaignId}`,
				afterReturn: chosen.sinceLastRun ? () => rememberReport(context, campaignId, requestedAt) : undefined,
				startWhen: campaignFinished(context, campaignId, itemIndex, { waits, about, callsPerMinute: callsPerMinuteFrom(chosen) }),
			};
		},
	},
);
