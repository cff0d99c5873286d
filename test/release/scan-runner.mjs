// Runs n8n's community-package scanner (@n8n/scan-community-package) on local folders, the way
// its CLI runs it on a package downloaded from npm, minus the download and the provenance check.
// Usage: node scan-runner.mjs '<json: [{ "dir": "...", "patterns": ["..."] | "source" }]>'
// Prints one JSON line per leg: the scanner's own verdict plus every ESLint message (warnings
// included), so a caller can fail on any finding. A separate process because the scanner is
// ESM and creates a temp folder on import (removed when this process exits).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const scannerPath = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
const scanner = await import(scannerPath);
const fromScanner = createRequire(scannerPath);
const { ESLint } = fromScanner('eslint');
const glob = fromScanner('fast-glob');

const legs = JSON.parse(process.argv[2]);
for (const leg of legs) {
	const patterns = leg.patterns === 'source' ? scanner.SOURCE_FILE_PATTERNS : leg.patterns;
	const verdict = await scanner.analyzePackage(leg.dir, patterns);
	// The same files and configuration as analyzePackage, to see warnings as well as errors.
	const files = glob.sync(patterns, { cwd: leg.dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const eslint = new ESLint({ cwd: leg.dir, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: await scanner.buildScanConfig() });
	const results = files.length ? await eslint.lintFiles(files) : [];
	const findings = results.flatMap((result) =>
		result.messages.map((m) => ({
			file: path.relative(leg.dir, result.filePath),
			line: m.line,
			severity: m.severity === 2 ? 'error' : 'warning',
			rule: m.ruleId,
			message: m.message,
		})),
	);
	const linted = results.map((result) => path.relative(leg.dir, result.filePath)).sort();
	console.log(JSON.stringify({ dir: leg.dir, verdict: { passed: verdict.passed, message: verdict.message, details: verdict.details }, linted, findings }));
}
