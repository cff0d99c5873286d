#!/usr/bin/env node
'use strict';
// Installs (or checks and repairs) Node 24 and n8n in the cache; prints the n8n folder on the last
// line of stdout. Usage: node scripts/ensure-n8n.js [n8n-version]   (cache root: SELZY_CACHE)

const { ensureN8n } = require('../test/tooling/n8n-install');

ensureN8n(process.argv[2] || undefined).then(
	(install) => console.log(install.n8nDir),
	(error) => {
		console.error(`ensure-n8n: ${error.message}`);
		process.exit(1);
	},
);
