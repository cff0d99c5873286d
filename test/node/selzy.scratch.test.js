'use strict';
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');
const request = require('../../nodes/Selzy/transport/request.ts');
let sb, h;
beforeAll(async () => {
  sb = await createSandbox();
  h = await createHarness({ credentials: { selzyApi: { apiKey: sb.apiKey, baseUrl: sb.url, language: 'en' } } });
  request.retryPolicy.baseDelayMs = 5; request.retryPolicy.maxDelayMs = 20;
});
afterAll(async () => { await h.close(); await sb.close(); });
test('smoke', async () => {
  sb.configure({ readyAfterPolls: 0 });
  const t0 = Date.now();
  const r = await h.runExecute(Selzy, { parameters: { resource: 'campaign', operation: 'getDeliveryReport',
    campaignId: { __rl: true, mode: 'id', value: '1001' }, waitMode: 'poll', output: 'rows', options: { additionalFields: ['101','104'] } } });
  console.log(Date.now() - t0, r.status, r.error && r.error.message, JSON.stringify(r.output[0].slice(0,2), null, 1));
  console.log(JSON.stringify(sb.requests.map(x => [x.apiMethod, x.params]), null, 0));
  const gt = sb.groundTruth({ campaignId: 1001, fieldIds: [101,104] });
  console.log(JSON.stringify(gt.rows[0]));
  const r2 = await h.runExecute(Selzy, { parameters: { resource: 'campaign', operation: 'getDeliveryReport',
    campaignId: { __rl: true, mode: 'id', value: '1001' }, waitMode: 'poll', output: 'summary' } });
  console.log(JSON.stringify(r2.output[0], null, 1));
});
