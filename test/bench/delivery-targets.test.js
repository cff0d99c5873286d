'use strict';
// The targets `npm run bench` reports as met or missed: each threshold is checked on both sides,
// so a comparison turned the wrong way (or a bound moved) fails here.

const { evaluateTargets } = require('../../bench/delivery/targets');

const success = (id, figures) => ({ id, status: 'success', rows: 1_000_000, ...figures });
const target = (targets, start) => {
	const found = targets.filter((t) => t.name.startsWith(start));
	if (found.length !== 1) throw new Error(`expected one target starting "${start}", got ${found.map((t) => t.name).join(' | ') || 'none'}`);
	return found[0];
};

describe('parser target', () => {
	const parser = (times) => ({
		results: [
			{ contender: 'this package (batches)', rows: 100_000, timesCsvParse: 5 },
			{ contender: 'this package (batches)', rows: 1_000_000, timesCsvParse: times },
			{ contender: 'csv-parse', rows: 1_000_000, timesCsvParse: 1 },
		],
	});

	it('is met when the slowest size is at least 3× csv-parse, missed below', () => {
		expect(target(evaluateTargets(parser(3), []), 'Parser').met).toBe(true);
		expect(target(evaluateTargets(parser(2.9), []), 'Parser').met).toBe(false);
		expect(target(evaluateTargets(parser(2.9), []), 'Parser').measured).toBe('5× at 100,000 rows, 2.9× at 1,000,000 rows');
	});

	it('is absent without a parser run', () => {
		expect(evaluateTargets(undefined, [])).toEqual([]);
	});
});

describe('peak memory of File and Summary output', () => {
	it('is met at 64 MiB and missed above, taking the larger of the normal and the big report', () => {
		const at = (small, big) => evaluateTargets(undefined, [success('a', { peakIncreaseMiB: small }), success('a-big', { peakIncreaseMiB: big, rows: 4_000_000 })]);
		expect(target(at(10, 64), '(a) peak memory').met).toBe(true);
		expect(target(at(10, 64.1), '(a) peak memory').met).toBe(false);
		expect(target(at(64.1, 10), '(a) peak memory').met).toBe(false);
	});

	it('is missed when a run failed, whatever its memory', () => {
		const targets = evaluateTargets(undefined, [{ id: 'b', status: 'timeout', rows: 1000, peakIncreaseMiB: 1 }]);
		expect(target(targets, '(b) peak memory').met).toBe(false);
	});

	it('is flat when the big report grows the peak by less than 16 MiB, in the first and the median run', () => {
		const pair = (first, median) => [
			success('b', { peakIncreaseMiB: 20, firstRunPeakIncreaseMiB: 20, medianPeakIncreaseMiB: 10 }),
			success('b-big', { rows: 4_000_000, peakIncreaseMiB: 40, firstRunPeakIncreaseMiB: 20 + first, medianPeakIncreaseMiB: 10 + median }),
		];
		expect(target(evaluateTargets(undefined, pair(15.9, 0)), '(b) memory the same').met).toBe(true);
		expect(target(evaluateTargets(undefined, pair(16, 0)), '(b) memory the same').met).toBe(false);
		expect(target(evaluateTargets(undefined, pair(0, 16)), '(b) memory the same').met).toBe(false);
	});
});

describe('Summary against File', () => {
	const run = (summary, file) => evaluateTargets(undefined, [success('a', { wallSeconds: file }), success('b', { wallSeconds: summary })]);

	it('is met up to 1.5× the File wall time and missed beyond', () => {
		expect(target(run(15, 10), '(b) Summary wall time').met).toBe(true);
		expect(target(run(15.1, 10), '(b) Summary wall time').met).toBe(false);
		expect(target(run(5, 10), '(b) Summary wall time').met).toBe(true);
	});
});

describe('Rows with Status Groups against the do-it-yourself workflow with Filter', () => {
	const c = success('c', { wallSeconds: 2, peakIncreaseMiB: 10 });

	it('needs at least 50× the speed and at most a tenth of the memory', () => {
		const diy = (wallSeconds, peakIncreaseMiB) => success('e-c', { wallSeconds, peakIncreaseMiB });
		const speed = (diySeconds) => target(evaluateTargets(undefined, [c, diy(diySeconds, 1000)]), '(c) ≥ 50× faster').met;
		const memory = (diyMiB) => target(evaluateTargets(undefined, [c, diy(1000, diyMiB)]), '(c) ≤ 1/10').met;
		expect(speed(100)).toBe(true);
		expect(speed(99)).toBe(false);
		expect(memory(100)).toBe(true);
		expect(memory(99)).toBe(false);
	});

	it('scales a smaller DIY run up to the Selzy run’s size and says so', () => {
		const small = success('e-c-small', { rows: 100_000, wallSeconds: 10, peakIncreaseMiB: 10 });
		const targets = evaluateTargets(undefined, [c, small]);
		expect(target(targets, '(c) ≥ 50× faster').met).toBe(true); // 10 s × 10 = 100 s vs 2 s
		expect(target(targets, '(c) ≥ 50× faster').name).toContain('scaled ×10 (extrapolation)');
		expect(target(targets, '(c) ≤ 1/10').met).toBe(true); // 10 MiB vs 100 MiB
		expect(target(evaluateTargets(undefined, [c, { ...small, wallSeconds: 9.9 }]), '(c) ≥ 50× faster').met).toBe(false);
	});

	it('takes what an unfinished DIY run used as a lower bound', () => {
		const crashed = { id: 'e-c', status: 'crashed', outOfMemory: true, rows: 1_000_000, observedSeconds: 100, peakIncreaseMiB: 100 };
		const targets = evaluateTargets(undefined, [c, crashed]);
		expect(target(targets, '(c) ≥ 50× faster')).toMatchObject({ met: true, measured: expect.stringContaining('out of memory') });
		expect(target(targets, '(c) ≤ 1/10').met).toBe(true);
		const sooner = evaluateTargets(undefined, [c, { ...crashed, observedSeconds: 99, peakIncreaseMiB: 99 }]);
		expect(target(sooner, '(c) ≥ 50× faster').met).toBe(false);
		expect(target(sooner, '(c) ≤ 1/10').met).toBe(false);
	});
});

describe('Rows without a filter against the do-it-yourself workflow', () => {
	const pair = (d, diy) => evaluateTargets(undefined, [success('d', d), success('e-d', diy)]);

	it('is met when time and memory are no worse, missed when either is', () => {
		expect(target(pair({ wallSeconds: 10, peakIncreaseMiB: 100 }, { wallSeconds: 10, peakIncreaseMiB: 100 }), '(d) Rows without filter: time').met).toBe(true);
		expect(target(pair({ wallSeconds: 10.1, peakIncreaseMiB: 100 }, { wallSeconds: 10, peakIncreaseMiB: 100 }), '(d) Rows without filter: time').met).toBe(false);
		expect(target(pair({ wallSeconds: 10, peakIncreaseMiB: 100 }, { wallSeconds: 10, peakIncreaseMiB: 100 }), '(d) Rows without filter: memory').met).toBe(true);
		expect(target(pair({ wallSeconds: 10, peakIncreaseMiB: 101 }, { wallSeconds: 10, peakIncreaseMiB: 100 }), '(d) Rows without filter: memory').met).toBe(false);
	});

	it('counts a DIY failure against DIY, a Selzy failure against the node', () => {
		const diyFailed = evaluateTargets(undefined, [success('d', {}), { id: 'e-d', status: 'crashed' }]);
		expect(target(diyFailed, '(d) Rows without filter: no worse').met).toBe(true);
		const nodeFailed = evaluateTargets(undefined, [{ id: 'd', status: 'timeout' }, success('e-d', {})]);
		expect(target(nodeFailed, '(d) Rows without filter: no worse').met).toBe(false);
	});
});

describe('Rows as in the file (whole report) against the do-it-yourself workflow in the same run', () => {
	const diy = { wallSeconds: 10, peakIncreaseMiB: 1000 };
	const pair = (asInFile) => evaluateTargets(undefined, [success('d-file', asInFile), success('e-d', diy)]);
	const time = (wallSeconds) => target(pair({ wallSeconds, peakIncreaseMiB: 500 }), '(d-file) Rows as in the file, whole report: time').met;
	const memory = (peakIncreaseMiB) => target(pair({ wallSeconds: 5, peakIncreaseMiB }), '(d-file) Rows as in the file, whole report: memory').met;

	it('is met up to DIY’s wall time and missed just past it', () => {
		expect(time(10)).toBe(true);
		expect(time(10.01)).toBe(false);
		expect(time(1)).toBe(true);
		expect(time(100)).toBe(false);
	});

	it('is met up to DIY’s peak memory increase and missed just past it', () => {
		expect(memory(1000)).toBe(true);
		expect(memory(1000.1)).toBe(false);
		expect(memory(10)).toBe(true);
		expect(memory(2000)).toBe(false);
	});

	it('says what was compared', () => {
		const targets = pair({ wallSeconds: 5, peakIncreaseMiB: 500 });
		expect(target(targets, '(d-file) Rows as in the file, whole report: time').measured).toBe('5.0 s vs 10.0 s = 0.50×');
		expect(target(targets, '(d-file) Rows as in the file, whole report: memory').measured).toBe(
			'500.0 MiB vs 1000.0 MiB = 0.50× (largest run 500.0 vs 1000.0 MiB)',
		);
	});

	it('compares memory as the median of the runs in one n8n, not the largest run', () => {
		const node = { wallSeconds: 5, peakIncreaseMiB: 600, medianPeakIncreaseMiB: 180 };
		const control = { wallSeconds: 4, peakIncreaseMiB: 490, medianPeakIncreaseMiB: 488 };
		const targets = evaluateTargets(undefined, [success('d-file', node), success('e-d', control)]);
		const memoryTarget = target(targets, '(d-file) Rows as in the file, whole report: memory');
		expect(memoryTarget.met).toBe(true);
		expect(memoryTarget.measured).toBe('180.0 MiB vs 488.0 MiB = 0.37× (largest run 600.0 vs 490.0 MiB)');
		const worse = evaluateTargets(undefined, [success('d-file', { ...node, medianPeakIncreaseMiB: 500 }), success('e-d', control)]);
		expect(target(worse, '(d-file) Rows as in the file, whole report: memory').met).toBe(false);
	});

	it('counts a DIY failure against DIY, a Selzy failure against the node, and needs both scenarios', () => {
		const diyFailed = evaluateTargets(undefined, [success('d-file', {}), { id: 'e-d', status: 'crashed' }]);
		expect(target(diyFailed, '(d-file) Rows as in the file, whole report: no worse').met).toBe(true);
		const nodeFailed = evaluateTargets(undefined, [{ id: 'd-file', status: 'timeout' }, success('e-d', diy)]);
		expect(target(nodeFailed, '(d-file) Rows as in the file, whole report: no worse').met).toBe(false);
		expect(evaluateTargets(undefined, [success('d-file', diy)])).toEqual([]);
	});

	it('leaves the Enriched scenario’s targets to (d)', () => {
		const names = pair({ wallSeconds: 5, peakIncreaseMiB: 500 }).map((t) => t.name);
		expect(names.filter((name) => name.startsWith('(d)'))).toEqual([]);
	});
});
