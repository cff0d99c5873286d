'use strict';
/** A tiny node that calls `selzyApiRequest` with the call options it is given, inside real n8n-core contexts. */
const { NodeConnectionTypes } = require('n8n-workflow');
const transport = require('../../nodes/Selzy/transport/request.ts');

class TransportProbe {
	description = {
		displayName: 'Transport Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: 'Calls selzyApiRequest',
		defaults: { name: 'Transport Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'selzyApi', required: true }],
		properties: [
			{ displayName: 'Method', name: 'method', type: 'string', default: 'getLists' },
			{ displayName: 'Params', name: 'params', type: 'json', default: '{}' },
			{ displayName: 'Starts Work', name: 'startsWork', type: 'boolean', default: false },
			{ displayName: 'Retry', name: 'retry', type: 'json', default: '{}' },
			{ displayName: 'API Calls per Minute', name: 'callsPerMinute', type: 'number', default: 0 },
		],
	};

	async execute() {
		const method = this.getNodeParameter('method', 0);
		const params = JSON.parse(this.getNodeParameter('params', 0));
		const startsWork = this.getNodeParameter('startsWork', 0);
		const retry = JSON.parse(this.getNodeParameter('retry', 0));
		const callsPerMinute = this.getNodeParameter('callsPerMinute', 0) || undefined;
		const result = await transport.selzyApiRequest.call(this, method, params, { startsWork, retry, callsPerMinute });
		return [[{ json: { result }, pairedItem: { item: 0 } }]];
	}
}

/** Parameters for one probe run. */
const probeCall = (method, { params = {}, startsWork = false, retry = {}, callsPerMinute = 0 } = {}) => ({
	method,
	params: JSON.stringify(params),
	startsWork,
	retry: JSON.stringify(retry),
	callsPerMinute,
});

module.exports = { TransportProbe, probeCall };
