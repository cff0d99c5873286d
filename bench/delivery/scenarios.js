'use strict';
// The scenarios of `npm run bench`: which workflow, which output, how many rows, which campaign.

const WARMUP_CAMPAIGN = 1002; // 1,000 rows, seeded by the sandbox
const MAIN_CAMPAIGN = 9001;
const BIG_CAMPAIGN = 9004;
const DIY_FILTER_CAMPAIGN = 9010; // used when --diy-filter-rows differs from --rows
const DIY_SMALL_CAMPAIGN = 9011;

function scenarios(options) {
	const { rows, bigRows, diyFilterRows } = options;
	const list = [
		{ id: 'a', label: 'Selzy node, output File', kind: 'selzy', output: 'file', rows, campaignId: MAIN_CAMPAIGN },
		{ id: 'b', label: 'Selzy node, output Summary', kind: 'selzy', output: 'summary', rows, campaignId: MAIN_CAMPAIGN },
		{ id: 'c', label: 'Selzy node, Rows, Status Groups = Hard Bounce', kind: 'selzy', output: 'rows', filter: true, rows, campaignId: MAIN_CAMPAIGN },
		{ id: 'd', label: 'Selzy node, Rows, no filter', kind: 'selzy', output: 'rows', rows, campaignId: MAIN_CAMPAIGN },
		{ id: 'd-file', label: 'Selzy node, Rows, whole report, as in the file', kind: 'selzy', output: 'rows', rowFormat: 'asInFile', rows, campaignId: MAIN_CAMPAIGN },
		{
			id: 'e-c',
			label: 'DIY: HTTP → Wait → HTTP → IF → HTTP (file) → Extract From File → Filter',
			kind: 'diy',
			filter: true,
			rows: diyFilterRows,
			campaignId: diyFilterRows === rows ? MAIN_CAMPAIGN : DIY_FILTER_CAMPAIGN,
			diy: true,
		},
		{ id: 'e-d', label: 'DIY: HTTP → Wait → HTTP → IF → HTTP (file) → Extract From File', kind: 'diy', rows, campaignId: MAIN_CAMPAIGN, diy: true },
	];
	if (options.diySmallRows > 0) {
		// The same DIY-with-Filter workflow on a tenth of the report: a finished run even if the
		// full-size one runs out of memory or time, and a look at how its cost scales.
		list.splice(list.findIndex((s) => s.id === 'e-c'), 0, {
			id: 'e-c-small',
			label: 'DIY with Filter (as e-c), smaller report',
			kind: 'diy',
			filter: true,
			rows: options.diySmallRows,
			campaignId: DIY_SMALL_CAMPAIGN,
			diy: true,
		});
	}
	if (bigRows > 0) {
		list.push(
			{ id: 'a-big', label: 'Selzy node, output File', kind: 'selzy', output: 'file', rows: bigRows, campaignId: BIG_CAMPAIGN },
			{ id: 'b-big', label: 'Selzy node, output Summary', kind: 'selzy', output: 'summary', rows: bigRows, campaignId: BIG_CAMPAIGN },
		);
	}
	return list.filter((s) => (!options.only || options.only.has(s.id)) && !(options.skipDiy && s.diy));
}

/** Adds the campaigns the chosen options need to the sandbox. */
function seedCampaigns(sandbox, options) {
	sandbox.addCampaign({ id: MAIN_CAMPAIGN, rows: options.rows });
	if (options.bigRows > 0) sandbox.addCampaign({ id: BIG_CAMPAIGN, rows: options.bigRows });
	if (options.diyFilterRows !== options.rows) sandbox.addCampaign({ id: DIY_FILTER_CAMPAIGN, rows: options.diyFilterRows });
	if (options.diySmallRows > 0) sandbox.addCampaign({ id: DIY_SMALL_CAMPAIGN, rows: options.diySmallRows });
}

module.exports = { scenarios, seedCampaigns, WARMUP_CAMPAIGN, MAIN_CAMPAIGN };
