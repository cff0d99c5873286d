'use strict';
// Jest global set-up and tear-down: every temporary folder the tests make (n8n user folders of the
// harness, stored binaries) goes under one folder per run, removed when the run ends.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function setup() {
	// Workers start after this and inherit the environment.
	process.env.SELZY_TEST_TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'selzy-tests-'));
}

async function teardown() {
	if (process.env.SELZY_TEST_TMP) fs.rmSync(process.env.SELZY_TEST_TMP, { recursive: true, force: true });
}

module.exports = { setup, teardown };
