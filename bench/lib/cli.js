'use strict';
// Command-line options of the bench scripts: one parser for `--name value`, `--name=value` and
// boolean flags, driven by a table of what each script accepts.

const fs = require('node:fs');

/**
 * Parses argv against `spec`:
 *  - numbers: { '--rows': 'rows' } — non-negative, `_` allowed as a digit separator;
 *  - flags: { '--keep': 'keep' } — true when present;
 *  - values: { '--only': ['only', (text) => parsed] } — any other option with a value.
 * `--help` prints the leading comment block of `helpFile` and exits.
 */
function parseOptions(argv, { defaults, numbers = {}, flags = {}, values = {}, helpFile }) {
	const options = structuredClone(defaults);
	for (let i = 0; i < argv.length; i++) {
		let [name, value] = splitOnce(argv[i]);
		const takeValue = () => {
			if (value === undefined) value = argv[++i];
			if (value === undefined) throw new Error(`${name} needs a value`);
			return value;
		};
		if (name in numbers) {
			const number = Number(takeValue().replace(/_/g, ''));
			if (!Number.isFinite(number) || number < 0) throw new Error(`${name}: not a number: ${value}`);
			options[numbers[name]] = number;
		} else if (name in flags) {
			options[flags[name]] = true;
		} else if (name in values) {
			const [key, parse] = values[name];
			options[key] = parse(takeValue(), options[key]);
		} else if (name === '--help' || name === '-h') {
			process.stdout.write(helpText(helpFile));
			process.exit(0);
		} else {
			throw new Error(`unknown option ${name}; see node ${helpFile ? require('node:path').relative(process.cwd(), helpFile) : 'the script'} --help`);
		}
	}
	return options;
}

/** `--name=a=b` keeps `a=b` as the value. */
function splitOnce(arg) {
	const at = arg.indexOf('=');
	return at < 0 ? [arg, undefined] : [arg.slice(0, at), arg.slice(at + 1)];
}

/** A comma-separated list as a Set of its non-empty, trimmed parts. */
const idSet = (text) => new Set(text.split(',').map((id) => id.trim()).filter(Boolean));

function helpText(file) {
	return `${fs.readFileSync(file, 'utf8').split('*/')[0]}*/\n`;
}

module.exports = { parseOptions, idSet };
