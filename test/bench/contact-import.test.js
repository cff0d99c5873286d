'use strict';
// The contact-import benchmark's pure parts: the busiest minute of a run, and targets judged as measured.
const { peakPerMinute } = require('../../bench/import');
const { importReport, floorSeconds } = require('../../bench/import/report');

test('the busiest minute counts the calls within any 60 seconds', () => {
	expect(peakPerMinute([])).toBe(0);
	expect(peakPerMinute([0, 30_000, 60_000])).toBe(2);
	expect(peakPerMinute([0, 10_000, 59_999, 60_000, 61_000])).toBe(4);
	expect(peakPerMinute(Array.from({ length: 2000 }, (_, i) => i * 50))).toBe(1200);
});

test('the floor is the batches at 1,200 calls a minute, and a target missed says so', () => {
	expect(floorSeconds(1_000_000)).toBe(100);
	expect(floorSeconds(100_001)).toBeCloseTo(10.05);
	const run = (id, extra) => ({ id, label: id, rows: 100_000, importCalls: 200, droppedCalls: 0, wallSeconds: 10, peakIncreaseMiB: 100, otherProcesses: [], ...extra });
	const stored = {
		startedAt: '2025-01-01T00:00:00Z',
		command: 'node bench/import.js',
		options: { latencyMs: 250, parallel: 8 },
		machine: { n8n: '2.40.7', n8nNode: 'v24', cpus: 2, cpuModel: 'x', memoryGiB: 8, loadAverageAtStart: [1, 1, 1] },
		loadAverageAtEnd: [1, 1, 1],
		runs: [
			run('node', { nodeSeconds: 9 }),
			run('node-big', { rows: 1_000_000, importCalls: 2003, droppedCalls: 2, nodeSeconds: 130, peakIncreaseMiB: 200, summary: { total: 1_000_000 } }),
			run('diy', { wallSeconds: 100, peakIncreaseMiB: 300, otherProcesses: [{ peakIncreaseMiB: 100 }] }),
		],
	};
	const markdown = importReport(stored);
	expect(markdown).toContain('| 2,003 (2,000 + 3 resent) |');
	expect(markdown).toMatch(/memory at most a quarter .* \(0\.25×; main process alone 0\.33×\) \| met \|/);
	expect(markdown).toMatch(/memory flat .* \| \*\*missed\*\* \|/);
	expect(markdown).toMatch(/calls = ⌈rows \/ 500⌉ \+ resent batches \| 2,003 = 2,000 \+ 3 \(2 connections dropped by the sandbox\) \| \*\*missed\*\* \|/);
	expect(markdown).toMatch(/within 1\.2× the floor .* 130\.0 s \(1\.30×.* \| \*\*missed\*\* \|/);
});
