'use strict';
// Scenario d-file of `npm run bench`: the Selzy node's Rows with Row Format "As in the File",
// next to the do-it-yourself workflow e-d, and the check of its output against the sandbox.

const { createSandbox } = require('../sandbox/server');
const data = require('../sandbox/data');
const { fileOptionFields } = require('../../nodes/Selzy/results/descriptions.ts');
const { scenarios } = require('../../bench/delivery/scenarios');
const { parseArgs } = require('../../bench/delivery/options');
const { fileRowsOf } = require('../../bench/delivery/ground-truth');
const { compareFileRows } = require('../../bench/delivery/verify');
const { selzyWorkflow } = require('../../bench/lib/workflows');

const credential = { id: 'c', name: 'C' };

describe('the scenario', () => {
	it('reads the same whole report as e-d, through Rows as in the file', () => {
		const list = scenarios(parseArgs(['--only', 'd-file,e-d']));
		expect(list.map((s) => s.id)).toEqual(['d-file', 'e-d']);
		const [asInFile, diy] = list;
		expect(asInFile).toMatchObject({ kind: 'selzy', output: 'rows', rowFormat: 'asInFile', rows: 1_000_000 });
		expect(asInFile.filter).toBeUndefined();
		expect([asInFile.campaignId, asInFile.rows]).toEqual([diy.campaignId, diy.rows]);
	});

	it('sets the node’s Row Format option to a value the node offers; other scenarios keep the default', () => {
		const rowFormat = fileOptionFields.find((field) => field.name === 'rowFormat');
		const offered = rowFormat.options.map((option) => option.value);
		const parameters = (spec) => selzyWorkflow('w', { campaignId: 1, output: 'rows', fields: [101], credential, ...spec }).nodes[1].parameters;
		expect(offered).toContain(parameters({ rowFormat: 'asInFile' }).options.rowFormat);
		expect(parameters({ rowFormat: 'asInFile' }).options).toMatchObject({ pollInterval: 1, timeout: 10, additionalFields: ['101'] });
		expect(parameters({}).options).not.toHaveProperty('rowFormat');
	});
});

describe('the expected rows', () => {
	let sandbox;
	beforeAll(async () => {
		sandbox = await createSandbox({ port: 0 });
	});
	afterAll(() => sandbox.close());

	it('are the sandbox’s rows with the additional fields under the file’s column names', () => {
		const fieldIds = [101, 104];
		const { rows } = sandbox.groundTruth({ campaignId: 1002, fieldIds });
		const expected = fileRowsOf(sandbox, 1002, fieldIds, 4);
		expect(expected).toHaveLength(4);
		expected.forEach((row, i) => {
			const { fields, ...own } = rows[i];
			expect(row).toEqual({ ...own, 101: fields['Имя'], 104: fields['Last order note'] });
		});
	});

	it('match the first lines of the file the sandbox serves', async () => {
		const campaign = sandbox.campaigns.get(1002);
		const spec = { seed: sandbox.seed, campaign, changedSince: null, fieldIds: [103], fieldHeader: 'id', format: 'csv' };
		let text = '';
		for await (const chunk of data.reportBytes(spec)) {
			text += chunk.toString('utf8');
			if (text.length > 2000) break;
		}
		const lines = text.split('\n');
		const header = lines[0].split(',');
		expect(header).toEqual(['email', 'send_result', 'last_update', '103']);
		// customer_id values have no commas or quotes, so a plain split reads these lines.
		const fromFile = lines.slice(1, 4).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header[i], cell])));
		expect(fileRowsOf(sandbox, 1002, [103], 3)).toEqual(fromFile);
	});
});

describe('the comparison of items with the expected rows', () => {
	const expected = [
		{ 101: 'Иван', email: 'a@example.com', send_result: 'ok_read', last_update: '2025-05-01 10:00:00' },
		{ 101: ' spaces ', email: 'b@example.com', send_result: 'err_user_unknown', last_update: '2025-05-02 10:00:00' },
	];

	it('accepts the same rows', () => {
		expect(compareFileRows(structuredClone(expected), expected)).toEqual({ sampleRows: 2, sampleMatches: true });
	});

	it('rejects derived or missing columns, changed values, another column order and too few items', () => {
		const items = () => structuredClone(expected);
		const enriched = items();
		enriched[1].status_group = 'hard_bounce';
		const trimmed = items();
		trimmed[1][101] = 'spaces';
		const isoTime = items();
		isoTime[0].last_update = '2025-05-01T10:00:00Z';
		const missing = items();
		delete missing[0].send_result;
		const reordered = items().map(({ email, send_result, last_update, ...rest }) => ({ ...rest, send_result, email, last_update }));
		for (const wrong of [enriched, trimmed, isoTime, missing, reordered, items().slice(0, 1)]) {
			expect(compareFileRows(wrong, expected).sampleMatches).toBe(false);
		}
		expect(compareFileRows(enriched, expected).sampleMismatch).toMatchObject({ index: 1, item: { status_group: 'hard_bounce' } });
	});
});
