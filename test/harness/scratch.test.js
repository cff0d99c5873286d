const http = require('node:http');
const { createHarness } = require('./index');

class Probe {
	description = {
		displayName: 'Probe', name: 'probe', group: ['transform'], version: 1, description: 'x',
		defaults: { name: 'Probe' }, inputs: ['main'], outputs: ['main'],
		credentials: [{ name: 'selzyApi', required: true }],
		properties: [{ displayName: 'Url', name: 'url', type: 'string', default: '' }],
	};
	async execute() {
		const url = this.getNodeParameter('url', 0);
		const res = await this.helpers.httpRequestWithAuthentication.call(this, 'selzyApi', {
			method: 'POST', url, body: { a: 1 }, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		const sd = this.getWorkflowStaticData('node'); sd.count = (sd.count ?? 0) + 1;
		return [[{ json: { res, count: sd.count, signal: !!this.getExecutionCancelSignal() } }]];
	}
}

test('probe', async () => {
	const seen = [];
	const server = http.createServer((req, res) => { let b=''; req.on('data', c=>b+=c); req.on('end', ()=>{ seen.push({url:req.url, b, ct: req.headers['content-type']}); res.setHeader('content-type','application/json'); res.end('{"ok":1}'); }); });
	await new Promise(r => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${server.address().port}/x`;
	console.log('A');const h = await createHarness({ credentials: { selzyApi: { apiKey: 'k1' } } });
	console.log('B');const r = await h.runExecute(Probe, { parameters: { url } });
	console.log(JSON.stringify({ out: r.output, err: r.error && r.error.message, status: r.status, seen }, null, 1));
	const r2 = await h.runExecute(Probe, { parameters: { url } });
	console.log(JSON.stringify(r2.output), h.getStaticData(Probe));
	server.close();
});
