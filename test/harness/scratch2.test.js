test('load', () => { const t=Date.now(); require('n8n-workflow'); console.log('wf', Date.now()-t); require('n8n-core'); console.log('core', Date.now()-t); });
