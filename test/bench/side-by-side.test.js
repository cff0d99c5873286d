'use strict';
// The side-by-side comparisons of `npm run bench`: their targets (a threshold compared the wrong
// way fails here) and the shape of the "20 reports" workflows.

const { evaluateTargets } = require('../../bench/delivery/targets');
const { comparisons, manyWorkflow } = require('../../bench/delivery/comparisons');
const { parseArgs } = require('../../bench/delivery/options');

const many = (node, control) => ({ id: 'many', status: 'success', slowestSeconds: 20, sumSeconds: 210, node: { wallSeconds: node }, control: { wallSeconds: control } });
const small = (node, control) => ({ id: 'small', status: 'success', node: { wallSeconds: node }, control: { wallSeconds: control } });
const target = (targets, start) => {
	const found = targets.filter((t) => t.name.startsWith(start));
	if (found.length !== 1) throw new Error(`expected one target starting "${start}", got ${found.map((t) => t.name).join(' | ') || 'none'}`);
	return found[0];
};
const side = (...list) => evaluateTargets(undefined, [], list);

describe('20 reports, one run', () => {
	it('about the time of the slowest report: at most 1.5× its preparation time', () => {
		expect(target(side(many(30, 240)), "(many) one node with 20 items ≤ 1.5× the slowest").met).toBe(true);
		expect(target(side(many(30.1, 240)), "(many) one node with 20 items ≤ 1.5× the slowest").met).toBe(false);
	});

	it('at most a quarter of one item after another', () => {
		expect(target(side(many(25, 100)), '(many) one node with 20 items ≤ 0.25×').met).toBe(true);
		expect(target(side(many(25, 99)), '(many) one node with 20 items ≤ 0.25×').met).toBe(false);
	});

	it('a comparison that did not finish misses', () => {
		expect(side({ id: 'many', status: 'error', error: 'boom' })).toEqual([{ name: '(many) 20 reports in one run', met: false, measured: 'error: boom' }]);
	});
});

describe('small report latency', () => {
	it('the node is never slower than the do-it-yourself loop', () => {
		expect(target(side(small(3, 3)), '(small)').met).toBe(true);
		expect(target(side(small(3.01, 3)), '(small)').met).toBe(false);
		expect(target(side(small(1.5, 3)), '(small)').measured).toBe('1.5 s vs 3.0 s = 0.50×');
	});
});

describe('the comparisons', () => {
	it('spreads the 20 preparation times evenly up to --many-max-seconds', () => {
		const [spec] = comparisons(parseArgs(['--only', 'many', '--many-max-seconds', '10']));
		expect(spec.campaigns.map((c) => c.readyAfterMs)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 500));
		expect(spec.slowestSeconds).toBe(10);
		expect(spec.sumSeconds).toBe(105);
	});

	it('runs both by default and only the listed ones with --only', () => {
		expect(comparisons(parseArgs([])).map((c) => c.id)).toEqual(['many', 'small']);
		expect(comparisons(parseArgs(['--only', 'a,small'])).map((c) => c.id)).toEqual(['small']);
	});

	it('one node receives all items at once; the control feeds it one item per loop', () => {
		const nodeTypes = [
			{ name: 'n8n-nodes-base.code', version: [1, 2] },
			{ name: 'n8n-nodes-base.splitInBatches', version: [1, 2, 3] },
		];
		const settings = { ids: [1, 2], credential: { id: 'c', name: 'C' }, nodeTypes, fields: [] };
		const together = manyWorkflow('x', { ...settings, loop: false });
		expect(together.connections.Campaigns.main[0][0].node).toBe('Selzy');
		const loop = manyWorkflow('y', { ...settings, loop: true });
		const batches = loop.nodes.find((n) => n.name === 'Loop Over Items');
		expect(batches.parameters.batchSize).toBe(1);
		expect(loop.connections['Loop Over Items'].main[1][0].node).toBe('Selzy');
		expect(loop.connections.Selzy.main[0][0].node).toBe('Loop Over Items');
		const selzy = loop.nodes.find((n) => n.name === 'Selzy');
		expect(selzy.parameters).toMatchObject({ operation: 'getDeliveryReport', waitMode: 'poll', output: 'summary', campaignId: { value: '={{ $json.campaignId }}' } });
	});
});
