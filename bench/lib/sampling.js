'use strict';
// Memory and CPU readings of running processes from /proc (Linux): RSS and its high-water mark,
// CPU seconds, the members of a process group, and a 100 ms RSS sampler.

const fs = require('node:fs');
const path = require('node:path');

const { MIB, mib, round } = require('./format');

/** { rss, hwm } in bytes; null once the process is gone. */
function procStatus(pid) {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
		return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
	} catch {
		return null;
	}
}

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid) {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
	try {
		const fields = statFields(pid);
		return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
	} catch {
		return NaN;
	}
}

/** Processes in a process group other than its leader: pid → command line. */
function groupMembers(pgid) {
	const members = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === pgid) continue;
		try {
			if (Number(statFields(entry)[2]) !== pgid) continue;
			const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
			members.set(Number(entry), cmd.map((part) => path.basename(part)).slice(0, 3).join(' '));
		} catch {
			// gone meanwhile
		}
	}
	return members;
}

/** Resets a process's peak RSS (VmHWM) to its current RSS; false when the kernel refuses. */
function resetPeak(pid) {
	try {
		fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

/**
 * Samples RSS every `everyMs`: the main process (kept, to split the peak into the execution
 * and what follows it) and, every 5th sample, the other processes of its group, so that a
 * helper process that starts and ends during the run is seen too.
 */
function startSampler(pid, everyMs = 100) {
	const started = Date.now();
	const samples = [];
	const others = new Map(); // pid → { command, maxRss }
	let tick = 0;
	const timer = setInterval(() => {
		const status = procStatus(pid);
		if (status) samples.push([Date.now() - started, status.rss]);
		if (tick++ % 5 !== 0) return;
		for (const [member, command] of groupMembers(pid)) {
			const memberStatus = procStatus(member);
			if (!memberStatus) continue;
			const known = others.get(member) ?? { command, maxRss: 0 };
			known.maxRss = Math.max(known.maxRss, memberStatus.rss);
			others.set(member, known);
		}
	}, everyMs);
	timer.unref();
	return {
		started,
		stop() {
			clearInterval(timer);
			return { maxSampledRss: maxBetween(samples, 0, Infinity), maxBetween: (from, to) => maxBetween(samples, from, to), timeline: timeline(samples), others };
		},
	};
}

function maxBetween(samples, from, to) {
	return samples.reduce((max, [at, rss]) => (at >= from && at <= to ? Math.max(max, rss) : max), 0);
}

/** [seconds, MiB] points at least 250 ms apart. */
function timeline(samples) {
	const points = [];
	let lastKept = -Infinity;
	for (const [at, rss] of samples) {
		if (at - lastKept < 250) continue;
		points.push([Math.round(at / 100) / 10, Math.round(rss / MIB)]);
		lastKept = at;
	}
	return points;
}

/**
 * Peak memory and CPU of one process over a stretch of work: resets its high-water mark, samples
 * RSS meanwhile; stop() returns { baselineRssMiB, peakIncreaseMiB, peakRssMiB, cpuSeconds, rssTimelineMiB }.
 * Without a reset the high-water mark may still be the start-up peak; the samples back it up.
 */
function watchProcess(pid) {
	const baseline = procStatus(pid);
	if (!baseline) throw new Error(`process ${pid} is gone`);
	const peakReset = resetPeak(pid);
	const cpuBefore = cpuSeconds(pid);
	const sampler = startSampler(pid);
	return {
		pid,
		stop() {
			const sampled = sampler.stop();
			const after = procStatus(pid);
			const peak = Math.max(peakReset && after ? after.hwm : 0, sampled.maxSampledRss);
			return {
				pid,
				baselineRssMiB: mib(baseline.rss),
				peakRssMiB: mib(peak),
				peakIncreaseMiB: mib(peak - baseline.rss),
				rssAfterMiB: after ? mib(after.rss) : undefined,
				cpuSeconds: round(cpuSeconds(pid) - cpuBefore, 1),
				rssTimelineMiB: sampled.timeline,
				peakResetWorked: peakReset,
				exitedMeanwhile: !after,
			};
		},
	};
}

module.exports = { procStatus, cpuSeconds, groupMembers, resetPeak, startSampler, watchProcess };
