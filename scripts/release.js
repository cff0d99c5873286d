#!/usr/bin/env node
'use strict';
// `npm run release -- <patch|minor|major|x.y.z> [--dry-run]`: moves CHANGELOG.md's [Unreleased]
// entries into a dated section for the new version, sets package.json's version, commits
// "Release x.y.z" and tags vx.y.z. Pushing the tag starts the Publish workflow; nothing is
// pushed or published from here. An explicit x.y.z equal to the current version is allowed
// while its tag does not exist (the first release).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { releaseProblems, SEMVER } = require('./check-release');

const UNRELEASED_HEADING = /^##\s+\[Unreleased\]\s*$/im;

function parseVersion(text) {
	const match = SEMVER.exec(text);
	if (!match) return undefined;
	return { core: [Number(match[1]), Number(match[2]), Number(match[3])], pre: match[4] ? match[4].slice(1).split('.') : [] };
}

/** Semantic-version order: negative when a < b. */
function compareVersions(a, b) {
	const [x, y] = [parseVersion(a), parseVersion(b)];
	for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i] - y.core[i];
	if (!x.pre.length || !y.pre.length) return y.pre.length - x.pre.length;
	for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
		if (x.pre[i] === undefined) return -1;
		if (y.pre[i] === undefined) return 1;
		const [p, q] = [x.pre[i], y.pre[i]];
		if (p === q) continue;
		const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
		if (pn && qn) return Number(p) - Number(q);
		if (pn !== qn) return pn ? -1 : 1;
		return p < q ? -1 : 1;
	}
	return 0;
}

/** The version a release request names, or an Error explaining why it cannot be released. */
function nextVersion(current, request) {
	const parsed = parseVersion(current);
	if (!parsed) return new Error(`package.json's version "${current}" is not a semantic version`);
	if (['patch', 'minor', 'major'].includes(request)) {
		if (parsed.pre.length) return new Error(`${current} is a prerelease: give the version to release explicitly`);
		const [major, minor, patch] = parsed.core;
		if (request === 'major') return `${major + 1}.0.0`;
		if (request === 'minor') return `${major}.${minor + 1}.0`;
		return `${major}.${minor}.${patch + 1}`;
	}
	if (!request || !parseVersion(request)) return new Error('name the release: patch, minor, major or a version such as 1.2.0');
	if (compareVersions(request, current) < 0) return new Error(`${request} is lower than the current version ${current}`);
	return request;
}

/**
 * CHANGELOG.md with the [Unreleased] entries moved under "## [version] - date" and an empty
 * [Unreleased] left on top. Compare links at the end, when present, move along.
 */
function cutRelease(changelog, version, date) {
	const lines = changelog.split(/\r?\n/);
	const start = lines.findIndex((line) => UNRELEASED_HEADING.test(line));
	if (start < 0) throw new Error('CHANGELOG.md has no "## [Unreleased]" section');
	if (lines.some((line) => line.startsWith(`## [${version}]`))) {
		throw new Error(`CHANGELOG.md already has a section for ${version}`);
	}
	let end = start + 1;
	while (end < lines.length && !/^##\s/.test(lines[end]) && !/^\[[^\]]+\]:\s/.test(lines[end])) end++;
	const body = lines.slice(start + 1, end).join('\n').trim();
	if (!/^\s*[-*]\s+\S/m.test(body)) throw new Error('CHANGELOG.md lists nothing under [Unreleased]: describe the changes first');

	const before = lines.slice(0, start);
	const after = lines.slice(end);
	const out = [...before, '## [Unreleased]', '', `## [${version}] - ${date}`, '', body, '', ...after];
	return moveLinks(out, version).join('\n').replace(/\n{3,}/g, '\n\n');
}

function moveLinks(lines, version) {
	const index = lines.findIndex((line) => /^\[Unreleased\]:\s/i.test(line));
	if (index < 0) return lines;
	const url = lines[index].replace(/^\[Unreleased\]:\s*/i, '').trim();
	const compare = /^(.*)\/compare\/(.+)\.\.\.HEAD$/.exec(url);
	const commits = /^(.*)\/commits\/[^/]+$/.exec(url);
	if (!compare && !commits) return lines;
	const base = (compare ?? commits)[1];
	const versionLink = compare ? `${base}/compare/${compare[2]}...v${version}` : `${base}/releases/tag/v${version}`;
	const result = [...lines];
	result.splice(index, 1, `[Unreleased]: ${base}/compare/v${version}...HEAD`, `[${version}]: ${versionLink}`);
	return result;
}

function run(command, args, cwd) {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
	if (result.error) throw result.error;
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${(result.stderr || result.stdout).trim()}`);
	return result.stdout.trim();
}

function main(argv = process.argv.slice(2), cwd = process.cwd()) {
	const dryRun = argv.includes('--dry-run');
	const request = argv.find((arg) => !arg.startsWith('--'));
	const packagePath = path.join(cwd, 'package.json');
	const changelogPath = path.join(cwd, 'CHANGELOG.md');
	const current = JSON.parse(fs.readFileSync(packagePath, 'utf8')).version;
	const version = nextVersion(current, request);
	if (version instanceof Error) throw version;
	const tag = `v${version}`;

	if (run('git', ['status', '--porcelain'], cwd)) {
		const message = 'the working tree has uncommitted changes: commit or stash them first';
		if (!dryRun) throw new Error(message);
		console.log(`Note: ${message}.`);
	}
	if (run('git', ['tag', '--list', tag], cwd)) throw new Error(`tag ${tag} already exists`);

	const date = new Date().toISOString().slice(0, 10);
	const changelog = cutRelease(fs.readFileSync(changelogPath, 'utf8'), version, date);
	if (dryRun) {
		console.log(`Would release ${current} → ${version} as ${tag}; CHANGELOG.md would read:\n\n${changelog}`);
		return;
	}

	fs.writeFileSync(changelogPath, changelog);
	if (version !== current) run('npm', ['version', version, '--no-git-tag-version', '--ignore-scripts'], cwd);
	const problems = releaseProblems({ tag, version: JSON.parse(fs.readFileSync(packagePath, 'utf8')).version, changelog });
	if (problems.length) throw new Error(`release check failed (undo with git checkout -- .):\n  - ${problems.join('\n  - ')}`);

	const files = ['package.json', 'CHANGELOG.md', 'package-lock.json'].filter((file) => fs.existsSync(path.join(cwd, file)));
	run('git', ['add', '--', ...files], cwd);
	run('git', ['commit', '-m', `Release ${version}`], cwd);
	run('git', ['tag', '-a', tag, '-m', `Release ${version}`], cwd);
	console.log(
		`Committed "Release ${version}" and tagged ${tag}.\n` +
			`Publish it: git push --atomic origin HEAD ${tag}\n` +
			'The Publish workflow then tests the tag and publishes it to npm with provenance.',
	);
}

if (require.main === module) {
	try {
		main();
	} catch (error) {
		console.error(`Release stopped: ${error.message}`);
		process.exitCode = 1;
	}
}

module.exports = { cutRelease, nextVersion, compareVersions, main };
