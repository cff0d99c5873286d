'use strict';
/**
 * Reads one execution's output straight from a stopped n8n's SQLite database, so checking a
 * million-item execution costs n8n nothing. Run with n8n's Node (24; `node:sqlite`):
 *
 *   node bench/read-execution.js <database.sqlite> <executionId> <nodeName> [sampleSize]
 *
 * Prints JSON: { items, first, sample } — the item count of the node's last run (output 0), the
 * first item's json and binary, and the json of the first `sampleSize` items (default 0). n8n stores execution data in the `flatted` format: one array
 * whose objects point at other entries by index, so the count is read without rebuilding items.
 */
const { DatabaseSync } = require('node:sqlite');

const [database, executionId, nodeName, sampleSize = '0'] = process.argv.slice(2);
const db = new DatabaseSync(database, { readOnly: true });
const row = db.prepare('SELECT data FROM execution_data WHERE executionId = ?').get(Number(executionId));
db.close();
if (!row) throw new Error(`no data for execution ${executionId}`);
const flat = JSON.parse(row.data);
const at = (ref) => flat[Number(ref)];
// Revives one value (strings are stored as references too), without following deeper than `depth`.
const revive = (value, depth = 3) => {
	if (typeof value !== 'object' || value === null || depth < 0) return value;
	const copy = Array.isArray(value) ? [] : {};
	for (const [key, ref] of Object.entries(value)) {
		const target = typeof ref === 'string' ? at(ref) : ref;
		copy[key] = typeof target === 'object' ? revive(target, depth - 1) : target;
	}
	return copy;
};
const runData = at(at(flat[0].resultData).runData);
if (!(nodeName in runData)) throw new Error(`node "${nodeName}" did not run; ran: ${Object.keys(runData).join(', ')}`);
const runs = at(runData[nodeName]);
const lastRun = at(runs[runs.length - 1]);
const items = at(at(at(lastRun.data).main)[0]);
const first = items.length ? revive(at(items[0])) : undefined;
const sample = items.slice(0, Number(sampleSize)).map((ref) => revive(at(ref)).json);
process.stdout.write(JSON.stringify({ items: items.length, first: first && { json: first.json, binary: first.binary }, sample }));
