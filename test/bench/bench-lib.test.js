'use strict';
// The pure parts of the bench scripts: option parsing, statistics, the results file's shape and
// the docs blocks.

const { parseArgs } = require('../../bench/delivery/options');
const { median, percentile } = require('../../bench/lib/format');
const { compactPairs, downsample } = require('../../bench/lib/results');
const { replaceBlock } = require('../../bench/lib/docs');

describe('npm run bench options', () => {
	it('has the documented defaults', () => {
		const options = parseArgs([]);
		expect(options).toMatchObject({ rows: 1_000_000, bigRows: 4_000_000, diyFilterRows: 1_000_000, diySmallRows: 100_000, repeat: 3, fields: [101, 104], only: null });
	});

	it('takes --name value and --name=value, digit separators, lists and flags', () => {
		const options = parseArgs(['--rows', '20_000', '--big-rows=0', '--only', 'b, e-d', '--fields=101', '--skip-parser', '--repeat', '1.7']);
		expect(options).toMatchObject({ rows: 20_000, bigRows: 0, skipParser: true, fields: [101], repeat: 1 });
		expect([...options.only]).toEqual(['b', 'e-d']);
		// No DIY run on a tenth of a report under 200,000 rows.
		expect(options.diySmallRows).toBe(0);
		expect(options.diyFilterRows).toBe(20_000);
	});

	it('refuses unknown options, negative numbers and a missing value', () => {
		expect(() => parseArgs(['--rowz', '5'])).toThrow('unknown option --rowz');
		expect(() => parseArgs(['--rows', '-5'])).toThrow('--rows: not a number');
		expect(() => parseArgs(['--rows'])).toThrow('--rows needs a value');
	});
});

describe('statistics', () => {
	it('median of odd and even counts, ignoring non-numbers', () => {
		expect(median([3, 1, 2])).toBe(2);
		expect(median([4, 1, 3, 2, NaN, undefined])).toBe(2.5);
		expect(median([])).toBeUndefined();
	});

	it('nearest-rank percentile', () => {
		const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
		expect(percentile(values, 50)).toBe(50);
		expect(percentile(values, 99)).toBe(99);
		expect(percentile(values, 100)).toBe(100);
		expect(percentile([7], 99)).toBe(7);
		expect(percentile([], 50)).toBeUndefined();
	});
});

describe('results file', () => {
	it('keeps the peak of every stretch when it thins a timeline', () => {
		const timeline = Array.from({ length: 10 }, (_, i) => [i, i === 7 ? 500 : 100]);
		const thin = downsample(timeline, 5);
		expect(thin).toHaveLength(5);
		expect(thin).toContainEqual([7, 500]);
		expect(downsample(timeline, 20)).toBe(timeline);
	});

	it('keeps [seconds, MiB] points on one line', () => {
		const json = JSON.stringify({ timeline: [[0.1, 200], [1, -3]] }, null, '\t');
		expect(compactPairs(json)).toContain('[0.1, 200]');
		expect(JSON.parse(compactPairs(json))).toEqual({ timeline: [[0.1, 200], [1, -3]] });
	});
});

describe('docs blocks', () => {
	const text = 'intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\n<!-- other:start -->\nkeep\n<!-- other:end -->\n';

	it('replaces only the named block', () => {
		expect(replaceBlock(text, 'bench', 'new')).toBe('intro\n<!-- bench:start -->\nnew\n<!-- bench:end -->\n<!-- other:start -->\nkeep\n<!-- other:end -->\n');
	});

	it('refuses a missing block', () => {
		expect(() => replaceBlock(text, 'missing', 'x')).toThrow('no <!-- missing:start -->');
	});
});
