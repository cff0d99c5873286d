import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { describeCampaignStatus, fetchCampaignStatus, isCampaignFinished } from '../../transport/campaigns';
import { selzyCodeOf } from '../../transport/errors';
import type { StartCondition } from '../taskRun';

/**
 * Before a delivery report is requested, the campaign's status: a campaign still sending gives a
 * partial report. With `waits`, the report is requested only once the campaign has finished
 * (checked by the run's one poll loop, within its Timeout); otherwise it is requested at once and
 * a campaign still sending is named in an execution hint. The status goes into `about` (and so
 * into the report's Summary).
 */
export function campaignFinished(
	context: IExecuteFunctions,
	campaignId: string,
	itemIndex: number,
	{ waits, about, callsPerMinute }: { waits: boolean; about: IDataObject; callsPerMinute?: number },
): Omit<StartCondition, 'timeoutMs'> {
	return {
		async check(signal, maxTotalMs) {
			let status: string;
			try {
				({ status } = await fetchCampaignStatus.call(context, campaignId, { itemIndex, signal, callsPerMinute, retry: { maxTotalMs } }));
			} catch (error) {
				// An unknown campaign ends here, before a report is requested; any other failure
				// (a method this endpoint lacks, say) leaves the report to be requested as before.
				if (waits || signal.aborted || selzyCodeOf(error) === 'invalid_arg') {
					throw error instanceof NodeApiError || error instanceof NodeOperationError
						? error
						: new NodeOperationError(context.getNode(), error as Error, { itemIndex });
				}
				context.logger.warn(`Selzy campaign ${campaignId}: its status is unknown (${(error as Error).message}); the report is requested all the same`);
				return { met: true, status: 'unknown' };
			}
			about.campaign_status = status;
			const finished = isCampaignFinished(status);
			if (!finished && !waits) hintPartial(context, campaignId, status);
			return { met: finished || !waits, status };
		},
		notMetError(status, waitedMs) {
			return new NodeOperationError(
				context.getNode(),
				`Campaign ${campaignId} had not finished sending after ${Math.round(waitedMs / 1000)} s (status "${status}": ${describeCampaignStatus(status)})`,
				{
					itemIndex,
					description: 'No report was requested. Raise the Timeout option, or turn off “Wait for Campaign to Finish” to get the report as it stands.',
				},
			);
		},
	};
}

function hintPartial(context: IExecuteFunctions, campaignId: string, status: string): void {
	// Older n8n versions may lack hints; the Summary's campaign_status says it as well.
	if (typeof context.addExecutionHints !== 'function') return;
	context.addExecutionHints({
		message: `Campaign ${campaignId} was still sending when its report was requested (status “${status}”: ${describeCampaignStatus(status)}), so the report covers only what happened so far. Turn on the option “Wait for Campaign to Finish”, or run again later.`,
		type: 'warning',
		location: 'outputPane',
	});
}
