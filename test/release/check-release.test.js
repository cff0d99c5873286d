/** The release gate (scripts/check-release.js) and the project's own CHANGELOG.md. */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { releaseProblems, parseChangelog } = require('../../scripts/check-release');

const REPO = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(REPO, 'scripts', 'check-release.js');

const changelog = (...sections) => ['# Changelog', '', '## [Unreleased]', '', ...sections, ''].join('\n');
const RELEASED_120 = '## [1.2.0] - 2026-11-30\n\n### Added\n\n- Something new.\n';
const RELEASED_110 = '## [1.1.0] - 2026-10-01\n\n### Fixed\n\n- Something old.\n';

describe('releaseProblems', () => {
	test('tag, version and a dated changelog section with entries: go', () => {
		expect(releaseProblems({ tag: 'v1.2.0', version: '1.2.0', changelog: changelog(RELEASED_120, RELEASED_110) })).toEqual([]);
	});

	test('a prerelease tag with its own section: go', () => {
		const text = changelog('## [2.0.0-rc.1] - 2026-12-01\n\n- Preview.\n', RELEASED_120);
		expect(releaseProblems({ tag: 'v2.0.0-rc.1', version: '2.0.0-rc.1', changelog: text })).toEqual([]);
	});

	test('tag and package.json disagree', () => {
		expect(releaseProblems({ tag: 'v1.2.1', version: '1.2.0', changelog: changelog(RELEASED_120) })).toEqual([
			"tag v1.2.1 does not match package.json's version 1.2.0",
			'CHANGELOG.md has no "## [1.2.1] - YYYY-MM-DD" section',
		]);
	});

	test('tags that are not v + semantic version', () => {
		for (const tag of ['1.2.0', 'v1.2', 'release-1.2.0', 'v01.2.0', 'v1.2.0 ']) {
			const problems = releaseProblems({ tag, version: '1.2.0', changelog: changelog(RELEASED_120) });
			expect(problems[0]).toMatch(/is not "v" followed by a semantic version/);
		}
	});

	test('no tag at all', () => {
		expect(releaseProblems({ tag: undefined, version: '1.2.0', changelog: '' })).toEqual(['no tag given: pass the tag, e.g. v1.2.0']);
	});

	test('the version has no changelog section; an entry under [Unreleased] does not count', () => {
		const text = changelog('- 1.2.0 is mentioned here but has no section.\n', RELEASED_110);
		expect(releaseProblems({ tag: 'v1.2.0', version: '1.2.0', changelog: text })).toEqual([
			'CHANGELOG.md has no "## [1.2.0] - YYYY-MM-DD" section',
		]);
	});

	test('a section without a real date is refused', () => {
		for (const heading of ['## [1.2.0]', '## [1.2.0] - Unreleased', '## [1.2.0] - 2026-02-30', '## [1.2.0] - 30.11.2026']) {
			const problems = releaseProblems({ tag: 'v1.2.0', version: '1.2.0', changelog: changelog(`${heading}\n\n- Change.\n`) });
			expect(problems).toHaveLength(1);
			expect(problems[0]).toMatch(/needs its release date as YYYY-MM-DD/);
		}
	});

	test('a section that lists nothing is refused', () => {
		const problems = releaseProblems({ tag: 'v1.2.0', version: '1.2.0', changelog: changelog('## [1.2.0] - 2026-11-30\n\n### Added\n', RELEASED_110) });
		expect(problems).toEqual([expect.stringMatching(/section for 1\.2\.0 \(line \d+\) lists no changes/)]);
	});

	test('two sections for the same version are refused', () => {
		const problems = releaseProblems({ tag: 'v1.2.0', version: '1.2.0', changelog: changelog(RELEASED_120, RELEASED_120) });
		expect(problems).toEqual([expect.stringMatching(/has 2 sections for 1\.2\.0/)]);
	});

	test('a missing CHANGELOG.md is refused', () => {
		expect(releaseProblems({ tag: 'v1.2.0', version: '1.2.0', changelog: undefined })).toEqual(['CHANGELOG.md is missing']);
	});
});

describe('scripts/check-release.js', () => {
	let dir;
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selzy-release-check-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	function run(args, env = {}) {
		const childEnv = { ...process.env, ...env };
		delete childEnv.GITHUB_ACTIONS;
		if (!('GITHUB_REF_NAME' in env)) delete childEnv.GITHUB_REF_NAME;
		return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: dir, encoding: 'utf8', env: childEnv });
	}
	function write(version, text) {
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', version }));
		if (text !== undefined) fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), text);
	}

	test('exits 0 when all agree', () => {
		write('1.2.0', changelog(RELEASED_120));
		const result = run(['v1.2.0']);
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('package.json and CHANGELOG.md agree on 1.2.0');
	});

	test('exits 1 and names every problem', () => {
		write('1.2.0', changelog(RELEASED_110));
		const result = run(['v1.3.0']);
		expect(result.status).toBe(1);
		expect(result.stderr).toContain('Refusing to release v1.3.0');
		expect(result.stderr).toContain("tag v1.3.0 does not match package.json's version 1.2.0");
		expect(result.stderr).toContain('CHANGELOG.md has no "## [1.3.0] - YYYY-MM-DD" section');
	});

	test('takes the tag from GITHUB_REF_NAME, as in the Publish workflow', () => {
		write('1.2.0', changelog(RELEASED_120));
		expect(run([], { GITHUB_REF_NAME: 'v1.2.0' }).status).toBe(0);
		expect(run([], { GITHUB_REF_NAME: 'v9.9.9' }).status).toBe(1);
	});

	test('without package.json it says where to run it', () => {
		const result = run(['v1.2.0']);
		expect(result.status).toBe(1);
		expect(result.stderr).toContain("run this from the project's root folder");
	});
});

describe("the project's CHANGELOG.md", () => {
	const text = fs.readFileSync(path.join(REPO, 'CHANGELOG.md'), 'utf8');
	const sections = parseChangelog(text);

	test('[Unreleased] comes first; every other section is a dated version', () => {
		expect(sections[0].name).toBe('Unreleased');
		expect(sections.filter((s) => s.problem)).toEqual([]);
		for (const section of sections.slice(1)) {
			expect(releaseProblems({ tag: `v${section.name}`, version: section.name, changelog: text })).toEqual([]);
		}
	});

	test("package.json's version is released in the changelog or about to be", () => {
		const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
		const released = sections.some((s) => s.name === version);
		const pending = sections[0].body.split('\n').some((line) => /^\s*[-*]\s+\S/.test(line));
		expect(released || pending).toBe(true);
	});
});
