'use strict';
const { startScriptedModel } = require('./scripted-model');

/** Calls the tool once, then answers with what the tool returned. */
const script = (turn) =>
	turn.toolOutputs.length === 0
		? { call: { name: turn.tools[0].name, arguments: { campaign_id: turn.userText.match(/\d+/)[0] } } }
		: { text: `Total: ${turn.toolOutputs[0].output.total}` };

const tool = { name: 'Selzy', description: 'reports', parameters: { type: 'object', properties: { campaign_id: { type: 'string' } } } };

async function post(model, path, body) {
	const response = await fetch(`${model.url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: response.status, json: await response.json() };
}

describe('the scripted chat model', () => {
	let model;
	beforeEach(async () => {
		model = await startScriptedModel(script);
	});
	afterEach(async () => model.close());

	test('Responses API: a function call, then an answer built from the function output', async () => {
		const first = await post(model, '/responses', {
			model: 'scripted',
			input: [{ role: 'user', content: 'How did campaign 1002 do?' }],
			tools: [{ type: 'function', ...tool }],
		});
		expect(first.status).toBe(200);
		const [call] = first.json.output;
		expect(call).toMatchObject({ type: 'function_call', name: 'Selzy' });
		expect(JSON.parse(call.arguments)).toEqual({ campaign_id: '1002' });

		const second = await post(model, '/responses', {
			model: 'scripted',
			input: [
				{ role: 'user', content: [{ type: 'input_text', text: 'How did campaign 1002 do?' }] },
				{ type: 'function_call', call_id: call.call_id, name: 'Selzy', arguments: call.arguments },
				{ type: 'function_call_output', call_id: call.call_id, output: JSON.stringify({ total: 1000 }) },
			],
			tools: [{ type: 'function', ...tool }],
		});
		expect(second.json.output[0].content[0]).toMatchObject({ type: 'output_text', text: 'Total: 1000' });
		expect(model.exchanges[1].turn.toolOutputs).toEqual([
			{ name: 'Selzy', arguments: { campaign_id: '1002' }, output: { total: 1000 }, text: '{"total":1000}' },
		]);
	});

	test('Chat Completions: tool_calls, then an answer built from the tool message', async () => {
		const first = await post(model, '/chat/completions', {
			messages: [{ role: 'user', content: 'Campaign 7?' }],
			tools: [{ type: 'function', function: tool }],
		});
		const { tool_calls: calls } = first.json.choices[0].message;
		expect(first.json.choices[0].finish_reason).toBe('tool_calls');
		expect(calls[0].function).toEqual({ name: 'Selzy', arguments: '{"campaign_id":"7"}' });

		const second = await post(model, '/chat/completions', {
			messages: [
				{ role: 'user', content: 'Campaign 7?' },
				{ role: 'assistant', content: null, tool_calls: calls },
				{ role: 'tool', tool_call_id: calls[0].id, content: '{"total":25}' },
			],
			tools: [{ type: 'function', function: tool }],
		});
		expect(second.json.choices[0].message).toEqual({ role: 'assistant', content: 'Total: 25' });
	});

	test('a script without a reply is a 500 naming the turn, and unknown routes are 404', async () => {
		const silent = await startScriptedModel(() => undefined);
		try {
			const answer = await post(silent, '/responses', { input: 'hello' });
			expect(answer.status).toBe(500);
			expect(answer.json.error.message).toContain('the script gave no reply');
		} finally {
			await silent.close();
		}
		expect((await post(model, '/embeddings', {})).status).toBe(404);
	});
});
