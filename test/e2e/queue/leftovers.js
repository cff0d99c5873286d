'use strict';
// Nothing left behind: after every other scenario, the stored files (binary_data rows in the
// database, files in each process's binary-data and temp folders) are counted, every execution is
// deleted through n8n (as its pruning does: the same hard delete with the execution's binary data),
// and they are counted again.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const s = require('./support');

/** Files (not folders) under a folder, recursively, as paths relative to it. */
function filesUnder(folder) {
	if (!fs.existsSync(folder)) return [];
	return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.relative(folder, path.join(entry.parentPath ?? entry.path, entry.name)));
}

/** binary_data rows by owner: "execution" (linked to an execution) or "temp" (not linked), and their names. */
function storedFiles(env) {
	const rows = s.psql(env, `select "sourceType", "sourceId", "fileName" from binary_data order by 1, 2`);
	const entries = rows ? rows.split('\n').map((line) => line.split('|')) : [];
	return {
		linked: entries.filter(([, sourceId]) => /^\d+$/.test(sourceId)).length,
		unlinked: entries.filter(([, sourceId]) => !/^\d+$/.test(sourceId)).map(([type, id, name]) => `${type}:${id} ${name}`),
	};
}

function folderFiles(env) {
	const found = {};
	for (const name of Object.keys(env.processes)) {
		for (const folder of ['binary-data', 'tmp']) {
			const files = filesUnder(path.join(env.workDir, name, folder));
			if (files.length) found[`${name}/${folder}`] = files;
		}
	}
	return found;
}

/** Every execution n8n lists (newest first), through the public API. */
async function allExecutionIds(env) {
	const ids = [];
	let cursor;
	do {
		const query = new URLSearchParams({ limit: '250' });
		if (cursor) query.set('cursor', cursor);
		const page = await env.client.publicApi(`/executions?${query}`);
		ids.push(...page.data.map((execution) => String(execution.id)));
		cursor = page.nextCursor;
	} while (cursor);
	return ids;
}

const leftovers = {
	id: 'leftovers',
	name: 'nothing left behind: deleting the executions removes every stored file; no file under a temporary id, none on any process’s disk',
	async run(env) {
		const before = { stored: storedFiles(env), folders: folderFiles(env), databaseMb: s.databaseMb(env) };
		const ids = await allExecutionIds(env);
		assert.ok(before.stored.linked > 0, 'the scenarios stored files (File output) to count');
		await env.client.call('POST', '/rest/executions/delete', { body: { ids } });
		const after = { stored: storedFiles(env), folders: folderFiles(env), executions: (await allExecutionIds(env)).length, databaseMb: s.databaseMb(env) };
		env.figures.leftovers = { executionsDeleted: ids.length, before, after };
		assert.equal(after.executions, 0, 'every execution deleted');
		assert.deepEqual(before.stored.unlinked, [], 'no stored file under a temporary id, before the deletion');
		assert.deepEqual(after.stored, { linked: 0, unlinked: [] }, 'no stored file after the deletion');
		const onDisk = Object.entries(after.folders).filter(([where]) => where.endsWith('binary-data'));
		assert.deepEqual(onDisk, [], 'no file in any binary-data folder');
		const temp = Object.entries(after.folders).map(([where, files]) => `${where}: ${files.length} (${files.slice(0, 3).join(', ')})`);
		return (
			`${ids.length} executions deleted; binary_data rows ${before.stored.linked} → ${after.stored.linked}, under a temporary id ${before.stored.unlinked.length} → ${after.stored.unlinked.length}; ` +
			`files left in the processes' folders: ${temp.length ? temp.join('; ') : 'none'}`
		);
	},
};

module.exports = { scenarios: [leftovers] };
