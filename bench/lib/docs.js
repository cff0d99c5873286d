'use strict';
// The generated blocks of docs/performance.md: text between `<!-- name:start -->` and `<!-- name:end -->`.

const fs = require('node:fs');
const path = require('node:path');

const DOCS_FILE = path.join(__dirname, '..', '..', 'docs', 'performance.md');

/** The text with the block `marker` replaced by `markdown`; throws when the block is missing. */
function replaceBlock(text, marker, markdown) {
	const start = `<!-- ${marker}:start -->`;
	const end = `<!-- ${marker}:end -->`;
	const from = text.indexOf(start);
	const to = text.indexOf(end);
	if (from < 0 || to < from) throw new Error(`no ${start} … ${end} block`);
	return `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`;
}

function writeDocsBlock(marker, markdown, file = DOCS_FILE) {
	try {
		fs.writeFileSync(file, replaceBlock(fs.readFileSync(file, 'utf8'), marker, markdown));
	} catch (error) {
		throw new Error(`${file}: ${error.message}`);
	}
}

module.exports = { DOCS_FILE, replaceBlock, writeDocsBlock };
