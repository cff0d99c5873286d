'use strict';
const http = require('node:http');
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');
const request = require('../../nodes/Selzy/transport/request.ts');
const op = require('../../nodes/Selzy/actions/campaign/getDeliveryReport.operation.ts');
let sb, h;
beforeAll(async () => {
  sb = await createSandbox();
  h = await createHarness({ credentials: { selzyApi: { apiKey: sb.apiKey, baseUrl: sb.url, language: 'en' } } });
  request.retryPolicy.baseDelayMs = 5; request.retryPolicy.maxDelayMs = 20;
  op.callbackTiming.graceMs = 50;
});
afterAll(async () => { await h.close(); await sb.close(); });
beforeEach(() => sb.reset());
const P = (o) => ({ resource: 'campaign', operation: 'getDeliveryReport', campaignId: { __rl: true, mode: 'id', value: '1001' }, ...o });
function post(url, body) { return new Promise((res, rej) => { const r = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (resp) => { let d=''; resp.on('data', c=>d+=c); resp.on('end', () => res({ status: resp.statusCode, body: d })); }); r.on('error', rej); r.end(JSON.stringify(body)); }); }
test('callback', async () => {
  sb.configure({ readyAfterPolls: 3 });
  const r = await h.runExecute(Selzy, { parameters: P({ waitMode: 'callback', output: 'rows' }), inputItems: [{ json: { a: 1 } }] });
  console.log(r.status, r.error && r.error.message, r.waitTill, r.resumeUrl, JSON.stringify(sb.tasks[0].params), JSON.stringify(r.output));
  console.log(JSON.stringify(r.run.data.executionData.nodeExecutionStack[0].data.main));
  const f = await post(sb.tasks[0].params.notify_url.replace(/selzy_secret=\w+/, 'selzy_secret=00'), { result: { task_uuid: sb.tasks[0].uuid, status: 'completed' } });
  console.log('forged', f);
  const pollUrl = sb.url + '/en/api/async/getTaskResult';
  for (let i = 0; i < 5 && sb.tasks[0].status !== 'completed'; i++) await new Promise((res) => { const q = http.request(pollUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (resp) => { resp.resume(); resp.on('end', res); }); q.end(`api_key=${sb.apiKey}&task_uuid=${sb.tasks[0].uuid}`); });
  const resumed = await h.waitForResume(r);
  console.log(resumed.status, resumed.error && resumed.error.message, resumed.output && resumed.output[0].length, JSON.stringify(resumed.output[0][0]), JSON.stringify(resumed.call.response), JSON.stringify(sb.callbacks));
});
test('cancel during poll', async () => {
  sb.configure({ readyAfterPolls: null });
  const ac = new AbortController();
  const p = h.runExecute(Selzy, { parameters: P({ waitMode: 'poll', output: 'rows' }), abortSignal: ac.signal });
  while (!sb.requests.some((x) => x.apiMethod === 'async/getTaskResult')) await new Promise((r) => setTimeout(r, 10));
  const t0 = Date.now(); ac.abort(); const r = await p;
  console.log('cancel', Date.now() - t0, r.status, r.error && r.error.message);
});
test('changed since', async () => {
  sb.configure({ readyAfterPolls: 0 });
  for (const tz of ['Asia/Tokyo', 'America/New_York', undefined]) {
    sb.reset(); sb.configure({ readyAfterPolls: 0 });
    const r = await h.runExecute(Selzy, { parameters: P({ waitMode: 'none', options: { changedSince: '2025-05-20T09:00:00' } }), timezone: tz });
    console.log(tz, r.status, r.error && r.error.message, JSON.stringify(r.output), sb.requests[0] && sb.requests[0].params.changed_since);
  }
});
test('brokenGzip file', async () => {
  sb.configure({ readyAfterPolls: 0 });
  sb.fault({ kind: 'brokenGzip' });
  const r = await h.runExecute(Selzy, { parameters: P({ waitMode: 'poll', output: 'file' }) });
  console.log('brokenGzip file', r.status, r.error && r.error.message, JSON.stringify(r.output));
  for (const kind of ['truncate', 'dropMidway', 'expired']) {
    for (const output of ['file', 'rows', 'summary']) {
      sb.reset(); sb.configure({ readyAfterPolls: 0 }); sb.fault({ kind });
      const r = await h.runExecute(Selzy, { parameters: P({ waitMode: 'poll', output }) });
      console.log(kind, output, r.status, r.error && r.error.message, r.error && r.error.description);
    }
  }
});
test('invalid', async () => {
  for (const v of ['', 'abc', ' 12a']) {
    const r = await h.runExecute(Selzy, { parameters: P({ campaignId: { __rl: true, mode: 'id', value: v } }) });
    console.log(JSON.stringify(v), r.status, r.error && r.error.message, r.error && r.error.constructor.name);
  }
  const r = await h.runExecute(Selzy, { parameters: { resource: 'task', operation: 'getResult', taskUuid: 'nope' } });
  console.log(r.status, r.error && r.error.message);
  const r2 = await h.runExecute(Selzy, { parameters: P({ campaignId: { __rl: true, mode: 'id', value: '999999' } }) });
  console.log(r2.status, r2.error && r2.error.message, r2.error.description);
  console.log(sb.requests.length);
});
