/**
 * A campaign's state: getCampaignStatus (where it is in its life) and getCampaignCommonStats
 * (its totals), and what each status means to someone waiting for a report.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SelzyContext } from './credentials';
import { selzyApiRequest, type SelzyCallOptions } from './request';

/** Statuses after which nothing more is sent: a delivery report is then whole. */
const FINISHED = new Set(['completed', 'canceled', 'declined']);

const DESCRIPTIONS: Record<string, string> = {
	waits_censor: 'Waiting for moderation',
	censor_hold: 'Held by moderation',
	declined: 'Declined by moderation, not sent',
	waits_schedule: 'Waiting to be scheduled',
	scheduled: 'Scheduled',
	in_progress: 'Sending',
	analysed: 'All sent, results still being collected',
	completed: 'Sent and results collected',
	stopped: 'Paused',
	canceled: 'Canceled',
};

/** Whether a campaign in this status will send no more messages. Unknown statuses count as not finished. */
export function isCampaignFinished(status: unknown): boolean {
	return FINISHED.has(String(status ?? '').trim().toLowerCase());
}

export function describeCampaignStatus(status: unknown): string {
	const name = String(status ?? '').trim().toLowerCase();
	return Object.prototype.hasOwnProperty.call(DESCRIPTIONS, name) ? DESCRIPTIONS[name] : `Unrecognised status ${name || '(none)'}`;
}

export interface CampaignStatus {
	status: string;
	creation_time?: string;
	start_time?: string;
}

export async function fetchCampaignStatus(
	this: SelzyContext,
	campaignId: string,
	options: SelzyCallOptions = {},
): Promise<CampaignStatus & IDataObject> {
	const result = (await selzyApiRequest.call(this, 'getCampaignStatus', { campaign_id: campaignId }, options)) as IDataObject | undefined;
	return { ...(result ?? {}), status: String(result?.status ?? 'unknown') };
}

export async function fetchCampaignStats(this: SelzyContext, campaignId: string, options: SelzyCallOptions = {}): Promise<IDataObject> {
	const result = await selzyApiRequest.call(this, 'getCampaignCommonStats', { campaign_id: campaignId }, options);
	return typeof result === 'object' && result !== null && !Array.isArray(result) ? (result as IDataObject) : {};
}
