/**
 * n8n's community-package scanner (@n8n/scan-community-package), run on this package: its lint
 * of the source (as it lints the commit named by the npm provenance) and of the tarball that
 * `npm pack` makes from the current dist/. Any finding, warnings included, fails the test.
 * The scanner's provenance check needs a published version and is not run here.
 * Builds dist/ first when it is missing or older than the sources.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const RUNNER = path.join(__dirname, 'scan-runner.mjs');
// What a published tarball may hold; npm adds package.json, README and LICENSE by itself.
const ALLOWED_TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);

function sourceFiles(dir) {
	return fs
		.readdirSync(dir, { recursive: true })
		.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
		.map((file) => path.join(dir, file));
}

/** Sources whose compiled file in dist/ is missing or older than they are. */
function staleBuild() {
	return ['nodes', 'credentials'].flatMap((folder) =>
		sourceFiles(path.join(REPO, folder)).filter((source) => {
			const compiled = path.join(REPO, 'dist', path.relative(REPO, source)).replace(/\.ts$/, '.js');
			return !fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(source).mtimeMs;
		}),
	);
}

function describeFindings(leg) {
	return leg.findings.map((f) => `${f.file}:${f.line} ${f.severity} ${f.rule}: ${f.message}`).join('\n');
}

let workDir;
let packed;
let legs;

beforeAll(() => {
	if (staleBuild().length) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'pipe' });
	expect(staleBuild()).toEqual([]);
	workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'selzy-scan-'));
	const packOutput = execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: REPO, encoding: 'utf8' });
	[packed] = JSON.parse(packOutput.slice(packOutput.indexOf('[')));
	const extracted = path.join(workDir, 'package');
	fs.mkdirSync(extracted);
	execFileSync('tar', ['-xzf', path.join(workDir, packed.filename), '-C', extracted, '--strip-components=1']);

	const request = [
		{ dir: REPO, patterns: 'source' },
		// The scanner's tarball leg: compiled JavaScript and the published package.json.
		{ dir: extracted, patterns: ['**/*.js', 'package.json'] },
	];
	// The scanner's own temp folder lands in workDir and goes with it. NODE_ENV=test (set by jest)
	// puts eslint-plugin-n8n-nodes-base into its self-test mode, where every file counts as a
	// node file named Test.node.ts; the scanner never runs that way.
	const env = { ...process.env, TMPDIR: workDir };
	delete env.NODE_ENV;
	const output = execFileSync(process.execPath, [RUNNER, JSON.stringify(request)], {
		cwd: REPO,
		encoding: 'utf8',
		env,
		maxBuffer: 64 * 1024 * 1024,
	});
	legs = output.trim().split('\n').map((line) => JSON.parse(line));
}, 120_000);

afterAll(() => {
	if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test('the tarball holds only dist/, README, LICENSE, CHANGELOG and package.json', () => {
	const paths = packed.files.map((file) => file.path);
	const unexpected = paths.filter((file) => !file.startsWith('dist/') && !ALLOWED_TOP_LEVEL.has(file));
	expect(unexpected).toEqual([]);
	expect(paths).toEqual(expect.arrayContaining([...ALLOWED_TOP_LEVEL, 'dist/nodes/Selzy/Selzy.node.js']));
	// Neither maps nor declarations: they would ship the sources a second time.
	expect(paths.filter((file) => /\.(map|d\.ts)$/.test(file))).toEqual([]);
});

test('scanner lint of the source: no finding', () => {
	const [source] = legs;
	// The node, trigger, credential and package.json were all looked at.
	expect(source.linted).toEqual(
		expect.arrayContaining(['package.json', 'nodes/Selzy/Selzy.node.ts', 'nodes/Selzy/SelzyTrigger.node.ts', 'credentials/SelzyApi.credentials.ts']),
	);
	expect(describeFindings(source)).toBe('');
	expect(source.verdict).toEqual({ passed: true });
});

test('scanner lint of the packed tarball: no finding', () => {
	const [, tarball] = legs;
	expect(tarball.linted).toEqual(
		expect.arrayContaining(['package.json', 'dist/nodes/Selzy/Selzy.node.js', 'dist/nodes/Selzy/SelzyTrigger.node.js', 'dist/credentials/SelzyApi.credentials.js']),
	);
	expect(tarball.linted).toHaveLength(packed.files.filter((file) => file.path.endsWith('.js')).length + 1);
	expect(describeFindings(tarball)).toBe('');
	expect(tarball.verdict).toEqual({ passed: true });
});
