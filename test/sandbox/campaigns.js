'use strict';
// Campaigns in the sandbox over time: getCampaignStatus (a status that can change on a schedule,
// each change also sent to hooks as a campaign_status event) and getCampaignCommonStats (totals
// that agree with the campaign's delivery report).

const { selzyTime } = require('./hooks');

const STATUSES = ['waits_censor', 'censor_hold', 'declined', 'waits_schedule', 'scheduled', 'in_progress', 'analysed', 'completed', 'stopped', 'canceled'];
const OPENED = new Set(['ok_read', 'ok_link_visited', 'ok_unsubscribed']);

class CampaignStates {
	/** sandbox: campaigns, later/cancel timers, groundTruth; hooks: a HookStore for campaign_status events. */
	constructor(sandbox, hooks, errors) {
		this.sandbox = sandbox;
		this.hooks = hooks;
		this.errors = errors;
		this.clear();
	}

	clear() {
		for (const timer of this.timers ?? []) this.sandbox.cancel(timer);
		this.timers = [];
		this.statuses = new Map(); // campaign id → status (seed campaigns: completed)
	}

	campaignOf(params) {
		const idText = params.campaign_id;
		if (idText === undefined || idText === '') throw this.errors('invalid_arg', 'Argument "campaign_id" is required');
		const campaign = /^\d+$/.test(String(idText)) ? this.sandbox.campaigns.get(Number(idText)) : undefined;
		if (!campaign) throw this.errors('invalid_arg', `Argument "campaign_id": campaign "${idText}" not found`);
		return campaign;
	}

	statusOf(campaign) {
		return this.statuses.get(campaign.id) ?? 'completed';
	}

	getCampaignStatus(params) {
		const campaign = this.campaignOf(params);
		return { status: this.statusOf(campaign), creation_time: campaign.startTime, start_time: campaign.startTime };
	}

	/** Totals as Selzy counts them, from the same rows as the campaign's report. */
	getCampaignCommonStats(params) {
		const campaign = this.campaignOf(params);
		const { total, bySendResult } = this.sandbox.groundTruth({ campaignId: campaign.id });
		const count = (test) => Object.entries(bySendResult).reduce((sum, [code, n]) => sum + (test(code) ? n : 0), 0);
		const readUnique = count((code) => OPENED.has(code));
		const clickedUnique = count((code) => code === 'ok_link_visited');
		return {
			total,
			sent: total - count((code) => code === 'not_sent'),
			delivered: count((code) => code.startsWith('ok_') && code !== 'ok_sent'),
			read_unique: readUnique,
			read_all: readUnique + Math.floor(readUnique / 3),
			clicked_unique: clickedUnique,
			clicked_all: clickedUnique + Math.floor(clickedUnique / 2),
			unsubscribed: count((code) => code === 'ok_unsubscribed'),
			spam: count((code) => code === 'ok_spam_folder' || code === 'ok_fbl'),
		};
	}

	/**
	 * The campaign goes through `statuses`, the first now and each next one `everyMs` later; every
	 * change is a campaign_status event to the hooks that asked for it.
	 */
	schedule({ id, statuses, everyMs = 1000 }) {
		const campaign = this.sandbox.campaigns.get(Number(id));
		if (!campaign) throw new Error(`no campaign ${id}`);
		if (!Array.isArray(statuses) || statuses.length === 0) throw new Error('statuses: a non-empty list');
		const unknown = statuses.filter((status) => !STATUSES.includes(status));
		if (unknown.length) throw new Error(`unknown statuses ${unknown.join(', ')}; known: ${STATUSES.join(', ')}`);
		statuses.forEach((status, index) => {
			const change = () => {
				this.statuses.set(campaign.id, status);
				void this.hooks.emit([{ event_name: 'campaign_status', event_time: selzyTime(), campaign_id: campaign.id, status }]);
			};
			if (index === 0) change();
			else this.timers.push(this.sandbox.later(index * everyMs, change));
		});
		return { id: campaign.id, status: statuses[0] };
	}
}

module.exports = { CampaignStates, CAMPAIGN_STATUSES: STATUSES };
