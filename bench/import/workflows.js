'use strict';
// The contact-import benchmark's workflows and files: a CSV of generated contacts, a loopback
// server that hands it to n8n, the Selzy node's import, and the do-it-yourself workflow of core
// nodes (Extract From File → Loop Over Items → Code building the form keys → HTTP Request).

const fs = require('node:fs');
const http = require('node:http');

const { ACTION, node, link, manualTrigger, credentialRef, versionOf, coreVersions } = require('../lib/workflows');

/** The columns of the benchmark's files: Selzy's and one of the sandbox's own fields. */
const COLUMNS = ['email', 'email_status', 'tags', 'Город'];
const CITIES = ['Riga', 'Київ', 'Berlin, DE', 'Алматы'];

/** Writes `rows` contacts as CSV (about 45 bytes a row) unless the file is there already. */
async function contactsFile(file, rows) {
	if (fs.existsSync(file)) return file;
	const out = fs.createWriteStream(`${file}.part`);
	const write = (text) => (out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve)));
	await write(`${COLUMNS.join(',')}\n`);
	let chunk = '';
	for (let i = 0; i < rows; i++) {
		const city = CITIES[i % CITIES.length];
		chunk += `bench.${i}@import.example,${i % 10 === 0 ? 'unsubscribed' : 'active'},${i % 3 === 0 ? '"vip,bench"' : 'bench'},${city.includes(',') ? `"${city}"` : city}\n`;
		if (chunk.length > 64 * 1024) {
			await write(chunk);
			chunk = '';
		}
	}
	await write(chunk);
	await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
	fs.renameSync(`${file}.part`, file);
	return file;
}

/** Serves files from disk on loopback, streamed: `${url}/<name>`. */
async function startFileServer(files) {
	const server = http.createServer((req, res) => {
		const file = files.get(decodeURIComponent(req.url.slice(1)));
		if (!file) return res.writeHead(404).end();
		res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Length': fs.statSync(file).size });
		fs.createReadStream(file).pipe(res);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const download = (nodeTypes, url) =>
	node('Download CSV', 'n8n-nodes-base.httpRequest', coreVersions(nodeTypes).httpRequest, [220, 0], { url, options: { response: { response: { responseFormat: 'file' } } } });

/** Manual Trigger → Download CSV → Selzy (Contact → Import from the file, Summary). */
function selzyImportWorkflow(name, { fileUrl, credential, nodeTypes, options = {} }) {
	const selzy = node('Selzy', ACTION, 1, [440, 0], { resource: 'contact', operation: 'import', source: 'file', binaryPropertyName: 'data', output: 'summary', options }, { credentials: credentialRef(credential) });
	return {
		name,
		nodes: [manualTrigger(), download(nodeTypes, fileUrl), selzy],
		connections: { 'Manual Trigger': { main: [[link('Download CSV')]] }, 'Download CSV': { main: [[link('Selzy')]] } },
		lastNode: 'Selzy',
	};
}

/** The Code node of the do-it-yourself workflow: one urlencoded importContacts body per batch of items. */
const FORM_CODE = (apiKey) => `const rows = $input.all().map((item) => item.json);
const names = ${JSON.stringify(COLUMNS)};
const pairs = [['api_key', ${JSON.stringify(apiKey)}], ['format', 'json']];
names.forEach((name, column) => pairs.push([\`field_names[\${column}]\`, name]));
rows.forEach((row, at) => names.forEach((name, column) => pairs.push([\`data[\${at}][\${column}]\`, row[name] ?? ''])));
return [{ json: { form: pairs.map(([key, value]) => encodeURIComponent(key) + '=' + encodeURIComponent(String(value))).join('&') } }];`;

/** Manual Trigger → Download CSV → Extract From File → Loop Over Items (500) → Code → HTTP Request → back to the loop. */
function diyImportWorkflow(name, { fileUrl, sandbox, nodeTypes }) {
	const v = coreVersions(nodeTypes);
	const code = versionOf(nodeTypes, 'n8n-nodes-base.code', [2]);
	const loop = versionOf(nodeTypes, 'n8n-nodes-base.splitInBatches', [3]);
	const nodes = [
		manualTrigger(),
		download(nodeTypes, fileUrl),
		node('Extract CSV', 'n8n-nodes-base.extractFromFile', v.extractFromFile, [440, 0], { operation: 'csv', options: {} }),
		node('Loop Over Items', 'n8n-nodes-base.splitInBatches', loop, [660, 0], { batchSize: 500, options: {} }),
		node('Form keys', 'n8n-nodes-base.code', code, [880, 100], { jsCode: FORM_CODE(sandbox.apiKey) }),
		node('Import batch', 'n8n-nodes-base.httpRequest', v.httpRequest, [1100, 100], {
			method: 'POST',
			url: `${sandbox.url}/en/api/importContacts`,
			sendBody: true,
			contentType: 'form-urlencoded',
			specifyBody: 'string',
			body: '={{ $json.form }}',
			options: {},
		}),
	];
	const connections = {
		'Manual Trigger': { main: [[link('Download CSV')]] },
		'Download CSV': { main: [[link('Extract CSV')]] },
		'Extract CSV': { main: [[link('Loop Over Items')]] },
		// Output 0 ("done") ends the run; output 1 ("loop") takes the next 500.
		'Loop Over Items': { main: [[], [link('Form keys')]] },
		'Form keys': { main: [[link('Import batch')]] },
		'Import batch': { main: [[link('Loop Over Items')]] },
	};
	return { name, nodes, connections, lastNode: 'Import batch', versions: { httpRequest: v.httpRequest, extractFromFile: v.extractFromFile, code, splitInBatches: loop } };
}

module.exports = { COLUMNS, contactsFile, startFileServer, selzyImportWorkflow, diyImportWorkflow };
