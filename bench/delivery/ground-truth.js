'use strict';
// What each scenario's output must be, from the sandbox's own record of the reports it serves.

const path = require('node:path');

const { MAIN_CAMPAIGN } = require('./scenarios');

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
	return { hardBounceCodes, truth };
}

module.exports = { groundTruth };
