#!/usr/bin/env node
'use strict';
// Refuses a release whose tag, package.json version and CHANGELOG.md disagree.
// Usage: node scripts/check-release.js <tag>   (e.g. v1.2.0; defaults to $GITHUB_REF_NAME)
// Reads package.json and CHANGELOG.md from the current folder. Exit code 1 on any problem.

const fs = require('node:fs');
const path = require('node:path');

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const UNRELEASED = 'Unreleased';
// Keep a Changelog headings: "## [Unreleased]" and "## [1.2.0] - 2026-11-30".
const HEADING = /^##\s+\[([^\]]+)\](?:\s+-\s+(.+?))?\s*$/;

function isIsoDate(text) {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
	const date = new Date(`${text}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/**
 * Splits a changelog into its level-2 sections. Each section: { name, date, line, body, problem },
 * where problem is set for a "## " heading that does not follow the expected form.
 */
function parseChangelog(text) {
	const lines = text.split(/\r?\n/);
	const sections = [];
	let current;
	lines.forEach((line, index) => {
		if (/^##\s/.test(line)) {
			const match = HEADING.exec(line);
			current = {
				name: match ? match[1].trim() : line.replace(/^##\s+/, '').trim(),
				date: match && match[2] ? match[2].trim() : null,
				line: index + 1,
				bodyLines: [],
				problem: match ? undefined : `line ${index + 1}: heading "${line}" is not "## [x.y.z] - YYYY-MM-DD"`,
			};
			sections.push(current);
		} else if (/^\[[^\]]+\]:\s/.test(line)) {
			current = undefined; // link references at the end belong to no section
		} else if (current) {
			current.bodyLines.push(line);
		}
	});
	return sections.map(({ bodyLines, ...section }) => ({ ...section, body: bodyLines.join('\n').trim() }));
}

/** Entries of a section: its list items ("- …" or "* …"). */
function entriesOf(section) {
	return section.body.split('\n').filter((line) => /^\s*[-*]\s+\S/.test(line)).length;
}

/**
 * Everything that stops `tag` from being published. Returns a list of messages; empty means go.
 * @param {{ tag: string | undefined, version: string | undefined, changelog: string | undefined }} input
 */
function releaseProblems({ tag, version, changelog }) {
	const problems = [];
	if (!tag) return ['no tag given: pass the tag, e.g. v1.2.0'];
	const tagVersion = tag.startsWith('v') ? tag.slice(1) : undefined;
	if (!tagVersion || !SEMVER.test(tagVersion)) {
		problems.push(`tag "${tag}" is not "v" followed by a semantic version (e.g. v1.2.0)`);
	}
	if (!version) problems.push('package.json has no version');
	else if (tagVersion !== undefined && tagVersion !== version) {
		problems.push(`tag ${tag} does not match package.json's version ${version}`);
	}
	if (changelog === undefined) return [...problems, 'CHANGELOG.md is missing'];

	const wanted = tagVersion ?? version;
	const sections = parseChangelog(changelog).filter((section) => section.name === wanted);
	if (sections.length === 0) {
		problems.push(`CHANGELOG.md has no "## [${wanted}] - YYYY-MM-DD" section`);
	} else if (sections.length > 1) {
		problems.push(`CHANGELOG.md has ${sections.length} sections for ${wanted} (lines ${sections.map((s) => s.line).join(', ')})`);
	} else {
		const [section] = sections;
		if (!section.date || !isIsoDate(section.date)) {
			problems.push(
				`CHANGELOG.md's section for ${wanted} (line ${section.line}) needs its release date as YYYY-MM-DD, found "${section.date ?? ''}"`,
			);
		}
		if (entriesOf(section) === 0) {
			problems.push(`CHANGELOG.md's section for ${wanted} (line ${section.line}) lists no changes`);
		}
	}
	return problems;
}

function readIfPresent(file) {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch (error) {
		if (error.code === 'ENOENT') return undefined;
		throw error;
	}
}

function main(argv = process.argv.slice(2), cwd = process.cwd()) {
	const tag = argv[0] || process.env.GITHUB_REF_NAME;
	const packageText = readIfPresent(path.join(cwd, 'package.json'));
	if (packageText === undefined) {
		console.error(`No package.json in ${cwd}; run this from the project's root folder.`);
		return 1;
	}
	const { version } = JSON.parse(packageText);
	const changelog = readIfPresent(path.join(cwd, 'CHANGELOG.md'));
	const problems = releaseProblems({ tag, version, changelog });
	if (problems.length) {
		const prefix = process.env.GITHUB_ACTIONS === 'true' ? '::error title=Release check::' : '  - ';
		console.error(`Refusing to release ${tag ?? '(no tag)'}:`);
		for (const problem of problems) console.error(`${prefix}${problem}`);
		return 1;
	}
	console.log(`Release ${tag}: package.json and CHANGELOG.md agree on ${version}.`);
	return 0;
}

if (require.main === module) process.exitCode = main();

module.exports = { releaseProblems, parseChangelog, entriesOf, isIsoDate, SEMVER, UNRELEASED, main };
