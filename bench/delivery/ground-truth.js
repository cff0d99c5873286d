'use strict';
// What each scenario's output must be, from the sandbox's own record of the reports it serves.

const path = require('node:path');

const data = require('../../test/sandbox/data');
const { MAIN_CAMPAIGN } = require('./scenarios');

/** How many leading rows of a report the Rows "as in the file" check compares cell by cell. */
const FILE_ROWS_SAMPLE = 5;

/**
 * The hard-bounce codes (as the packed package groups them) and truth(scenario): the expected
 * item count, the report's total rows, and file() → { sha256, size } of the report file.
 */
function groundTruth(sandbox, options, unpackedPackage) {
	const { describeSendResult } = require(path.join(unpackedPackage, 'dist', 'nodes', 'Selzy', 'report', 'statuses.js'));
	const facts = new Map();
	const factsOf = (campaignId) => {
		if (!facts.has(campaignId)) facts.set(campaignId, sandbox.groundTruth({ campaignId, fieldIds: options.fields }));
		return facts.get(campaignId);
	};
	const hardBounceCodes = Object.keys(factsOf(MAIN_CAMPAIGN).bySendResult).filter((code) => describeSendResult(code).group === 'hard_bounce');
	const hardBounces = (truth) => hardBounceCodes.reduce((sum, code) => sum + (truth.bySendResult[code] ?? 0), 0);
	const files = new Map();
	const truth = (scenario) => {
		const facts = factsOf(scenario.campaignId);
		const single = scenario.output === 'file' || scenario.output === 'summary';
		return {
			items: single ? 1 : scenario.filter ? hardBounces(facts) : facts.total,
			total: facts.total,
			file: () => {
				if (!files.has(scenario.campaignId)) files.set(scenario.campaignId, facts.sha256AndSize());
				return files.get(scenario.campaignId);
			},
		};
	};
	return { hardBounceCodes, truth, fileRows: (campaignId, count = FILE_ROWS_SAMPLE) => fileRowsOf(sandbox, campaignId, options.fields, count) };
}

/**
 * The first `count` rows of a campaign's report as the file has them: its own column names (the
 * additional fields under the header the sandbox writes, id or name) and values exactly as
 * written. From the sandbox's row-by-row record of the report (its rows come from the row index
 * alone, so the first rows of a shorter report with the same id are the first rows of this one).
 */
function fileRowsOf(sandbox, campaignId, fieldIds, count) {
	const campaign = sandbox.campaigns.get(Number(campaignId));
	if (!campaign) throw new Error(`no campaign ${campaignId}`);
	const fieldHeader = sandbox.config.fieldHeader;
	const facts = data.reportFacts({
		seed: sandbox.seed,
		campaign: { ...campaign, rows: Math.min(count, campaign.rows) },
		changedSince: null,
		fieldIds,
		fieldHeader,
	});
	const fields = fieldIds.map((id) => data.FIELD_BY_ID.get(Number(id)));
	return facts.rows.map(({ fields: byName, ...own }) => {
		const row = { ...own };
		for (const field of fields) row[fieldHeader === 'name' ? field.name : String(field.id)] = byName[field.name];
		return row;
	});
}

module.exports = { groundTruth, fileRowsOf, FILE_ROWS_SAMPLE };
