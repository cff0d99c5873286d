/** `npm run release` (scripts/release.js): changelog cut, version choice, commit and tag. */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { cutRelease, nextVersion, compareVersions } = require('../../scripts/release');

const REPO = path.resolve(__dirname, '..', '..');
const RELEASE = path.join(REPO, 'scripts', 'release.js');
const CHECK = path.join(REPO, 'scripts', 'check-release.js');
const BASE = 'https://github.com/owner/repo';

const FIRST = [
	'# Changelog',
	'',
	'## [Unreleased]',
	'',
	'### Added',
	'',
	'- The first feature.',
	'',
	`[Unreleased]: ${BASE}/commits/main`,
	'',
].join('\n');

describe('cutRelease', () => {
	test('first release: entries move under a dated heading, links point at the tag', () => {
		expect(cutRelease(FIRST, '0.1.0', '2026-11-30')).toBe(
			[
				'# Changelog',
				'',
				'## [Unreleased]',
				'',
				'## [0.1.0] - 2026-11-30',
				'',
				'### Added',
				'',
				'- The first feature.',
				'',
				`[Unreleased]: ${BASE}/compare/v0.1.0...HEAD`,
				`[0.1.0]: ${BASE}/releases/tag/v0.1.0`,
				'',
			].join('\n'),
		);
	});

	test('later release: older sections stay, compare links move on', () => {
		const second = cutRelease(FIRST, '0.1.0', '2026-11-30').replace('## [Unreleased]\n', '## [Unreleased]\n\n### Fixed\n\n- A fix.\n');
		const third = cutRelease(second, '0.1.1', '2026-12-02');
		expect(third).toContain('## [Unreleased]\n\n## [0.1.1] - 2026-12-02\n\n### Fixed\n\n- A fix.\n\n## [0.1.0] - 2026-11-30\n');
		expect(third).toContain(
			[`[Unreleased]: ${BASE}/compare/v0.1.1...HEAD`, `[0.1.1]: ${BASE}/compare/v0.1.0...v0.1.1`, `[0.1.0]: ${BASE}/releases/tag/v0.1.0`].join('\n'),
		);
	});

	test('without link references the text is cut the same way', () => {
		const text = '# Changelog\n\n## [Unreleased]\n\n- Change.\n\n## [1.0.0] - 2026-01-01\n\n- Old.\n';
		expect(cutRelease(text, '1.1.0', '2026-02-01')).toBe(
			'# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-02-01\n\n- Change.\n\n## [1.0.0] - 2026-01-01\n\n- Old.\n',
		);
	});

	test('refuses an empty [Unreleased], a missing one, and a version that already has a section', () => {
		expect(() => cutRelease('# Changelog\n\n## [Unreleased]\n\n### Added\n\n## [1.0.0] - 2026-01-01\n\n- Old.\n', '1.1.0', '2026-02-01')).toThrow(
			/lists nothing under \[Unreleased\]/,
		);
		expect(() => cutRelease('# Changelog\n\n- Change.\n', '1.1.0', '2026-02-01')).toThrow(/no "## \[Unreleased\]" section/);
		expect(() => cutRelease('## [Unreleased]\n\n- New.\n\n## [1.1.0] - 2026-01-01\n\n- Old.\n', '1.1.0', '2026-02-01')).toThrow(
			/already has a section for 1\.1\.0/,
		);
	});
});

describe('nextVersion', () => {
	test('patch, minor, major and explicit versions', () => {
		expect(nextVersion('1.2.3', 'patch')).toBe('1.2.4');
		expect(nextVersion('1.2.3', 'minor')).toBe('1.3.0');
		expect(nextVersion('1.2.3', 'major')).toBe('2.0.0');
		expect(nextVersion('1.2.3', '2.0.0-rc.1')).toBe('2.0.0-rc.1');
		expect(nextVersion('0.1.0', '0.1.0')).toBe('0.1.0');
	});

	test('refusals come back as errors with a reason', () => {
		expect(nextVersion('1.2.3', '1.2.2').message).toBe('1.2.2 is lower than the current version 1.2.3');
		expect(nextVersion('1.2.3', 'next').message).toMatch(/patch, minor, major or a version/);
		expect(nextVersion('1.2.3', undefined).message).toMatch(/patch, minor, major or a version/);
		expect(nextVersion('2.0.0-rc.1', 'minor').message).toMatch(/is a prerelease/);
	});

	test('semantic-version order, prereleases included', () => {
		const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.10.0'];
		const shuffled = [...ordered].reverse();
		expect(shuffled.sort(compareVersions)).toEqual(ordered);
	});
});

describe('scripts/release.js in a git repository', () => {
	let dir;
	const env = {
		...process.env,
		GIT_AUTHOR_NAME: 'Release Test',
		GIT_AUTHOR_EMAIL: 'release-test@example.com',
		GIT_COMMITTER_NAME: 'Release Test',
		GIT_COMMITTER_EMAIL: 'release-test@example.com',
		GIT_CONFIG_GLOBAL: '/dev/null',
		GIT_CONFIG_NOSYSTEM: '1',
	};
	const run = (command, args) => spawnSync(command, args, { cwd: dir, encoding: 'utf8', env });
	const git = (...args) => {
		const result = run('git', args);
		if (result.status !== 0) throw new Error(result.stderr);
		return result.stdout.trim();
	};

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selzy-release-'));
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'release-fixture', version: '0.1.0', private: true }, null, 2) + '\n');
		fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), FIRST);
		git('init', '-q', '-b', 'main');
		git('add', '.');
		git('commit', '-qm', 'Start');
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	test('first release of the current version: commit and tag, and the release check passes', () => {
		const result = run(process.execPath, [RELEASE, '0.1.0']);
		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('git push --atomic origin HEAD v0.1.0');
		expect(git('log', '-1', '--format=%s')).toBe('Release 0.1.0');
		expect(git('describe', '--tags', '--exact-match')).toBe('v0.1.0');
		expect(git('status', '--porcelain')).toBe('');
		const today = new Date().toISOString().slice(0, 10);
		expect(fs.readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8')).toContain(`## [Unreleased]\n\n## [0.1.0] - ${today}\n\n### Added\n\n- The first feature.`);
		expect(run(process.execPath, [CHECK, 'v0.1.0']).status).toBe(0);
	});

	test('minor: package.json gets the new version', () => {
		const result = run(process.execPath, [RELEASE, 'minor']);
		expect(result.status).toBe(0);
		expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version).toBe('0.2.0');
		expect(git('show', '--stat', '--format=', 'HEAD').split('\n').map((line) => line.trim().split(' ')[0])).toEqual(
			expect.arrayContaining(['CHANGELOG.md', 'package.json']),
		);
		expect(git('tag', '--list')).toBe('v0.2.0');
		expect(run(process.execPath, [CHECK, 'v0.2.0']).status).toBe(0);
	});

	test('refuses with uncommitted changes, with an existing tag, and with nothing to release', () => {
		fs.appendFileSync(path.join(dir, 'CHANGELOG.md'), '\n');
		let result = run(process.execPath, [RELEASE, 'minor']);
		expect(result.status).toBe(1);
		expect(result.stderr).toContain('uncommitted changes');
		git('checkout', '--', 'CHANGELOG.md');

		git('tag', 'v0.2.0');
		result = run(process.execPath, [RELEASE, 'minor']);
		expect(result.status).toBe(1);
		expect(result.stderr).toContain('tag v0.2.0 already exists');

		expect(run(process.execPath, [RELEASE, '0.1.0']).status).toBe(0);
		result = run(process.execPath, [RELEASE, 'patch']);
		expect(result.status).toBe(1);
		expect(result.stderr).toContain('lists nothing under [Unreleased]');
		expect(git('log', '-1', '--format=%s')).toBe('Release 0.1.0');
	});

	test('--dry-run shows the result and changes nothing', () => {
		const result = run(process.execPath, [RELEASE, 'major', '--dry-run']);
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('Would release 0.1.0 → 1.0.0 as v1.0.0');
		expect(result.stdout).toContain('## [1.0.0] - ');
		expect(git('status', '--porcelain')).toBe('');
		expect(git('tag', '--list')).toBe('');
	});
});
