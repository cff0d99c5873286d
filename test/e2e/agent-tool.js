'use strict';
// E2E scenario: Manual Trigger → AI Agent → OpenAI Chat Model (Base URL: a scripted model on
// loopback) → two Selzy tools against the sandbox. The model asks for a campaign's summary, then
// its hard bounces, then a task still pending, then every row of a 1,000,000-row report, and
// answers with the numbers it was given.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const h = require('../tooling');
const { startScriptedModel } = require('../tooling/scripted-model');

const REPORT_TOOL = 'Selzy delivery report';
const TASK_TOOL = 'Selzy task result';
const CAMPAIGN = 1002;
/** A campaign of a million recipients, asked for as rows. */
const BIG_CAMPAIGN = 7001;
const BIG_ROWS = 1_000_000;
/** Selzy's permanent failures (its documentation of send_result codes). */
const HARD_BOUNCE_CODES = ['err_user_unknown', 'err_user_inactive', 'err_domain_inactive', 'err_dest_invalid', 'err_not_available'];
/** n8n names a tool after its node, with anything but letters, digits, _ and - as _. */
const toolNameOf = (nodeName) => nodeName.replace(/[^a-zA-Z0-9_-]+/g, '_');

/** The Selzy tools exactly as examples/ai-agent-tool.json sets them up ($fromAI for what the model fills in). */
const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'ai-agent-tool.json'), 'utf8'));
const exampleTool = (nodeName) => example.nodes.find((node) => node.name === nodeName).parameters;
const reportToolParameters = exampleTool(REPORT_TOOL);
const taskToolParameters = exampleTool(TASK_TOOL);

function agentWorkflow(name, prompt, { selzyCredential, openAiCredential, major }) {
	const node = (nodeName, type, typeVersion, position, parameters, credentials) => ({
		id: crypto.randomUUID(),
		name: nodeName,
		type,
		typeVersion,
		position,
		parameters,
		...(credentials ? { credentials } : {}),
	});
	const selzy = { selzyApi: { id: selzyCredential.id, name: selzyCredential.name } };
	return {
		name,
		nodes: [
			node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, [0, 0], {}),
			node('AI Agent', '@n8n/n8n-nodes-langchain.agent', major >= 2 ? 3.1 : 3, [240, 0], {
				promptType: 'define',
				text: prompt,
				options: {},
			}),
			node(
				'OpenAI Chat Model',
				'@n8n/n8n-nodes-langchain.lmChatOpenAi',
				1.3,
				[120, 240],
				{ model: { __rl: true, mode: 'id', value: 'scripted' }, options: {} },
				{ openAiApi: { id: openAiCredential.id, name: openAiCredential.name } },
			),
			node(REPORT_TOOL, 'n8n-nodes-selzy.selzyTool', 1, [320, 240], reportToolParameters, selzy),
			node(TASK_TOOL, 'n8n-nodes-selzy.selzyTool', 1, [480, 240], taskToolParameters, selzy),
		],
		connections: {
			'Manual Trigger': { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			[REPORT_TOOL]: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			[TASK_TOOL]: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

/** What a model would do with the prompt: four tool calls, then an answer from their results. */
function modelScript(turn) {
	const tool = (nodeName) => {
		const found = turn.tools.find((candidate) => candidate.name === toolNameOf(nodeName));
		if (!found) throw new Error(`no tool for ${nodeName} among ${turn.tools.map((t) => t.name).join(', ')}`);
		return found.name;
	};
	const [campaignId, bigCampaignId] = [...turn.userText.matchAll(/campaign (\d+)/g)].map((match) => match[1]);
	const taskUuid = /task ([0-9a-f-]{36})/.exec(turn.userText)[1];
	const [summary, bounces, pending, everyone] = turn.toolOutputs.map((call) => (Array.isArray(call.output) ? call.output[0] : call.output));
	switch (turn.toolOutputs.length) {
		case 0:
			return { call: { name: tool(REPORT_TOOL), arguments: { campaign_id: campaignId } } };
		case 1:
			return { call: { name: tool(REPORT_TOOL), arguments: { campaign_id: campaignId, output: 'rows', status_groups: 'hard_bounce' } } };
		case 2:
			return { call: { name: tool(TASK_TOOL), arguments: { task_uuid: taskUuid } } };
		case 3:
			return { call: { name: tool(REPORT_TOOL), arguments: { campaign_id: bigCampaignId, output: 'rows' } } };
		default:
			return {
				text:
					`Campaign ${campaignId} reached ${summary.total} recipients with a delivery rate of ${(summary.rates.delivery * 100).toFixed(1)}%. ` +
					`It had ${bounces.total_rows} hard bounces, for example ${bounces.rows.map((row) => row.email).slice(0, 3).join(', ')}. ` +
					`The report of task ${pending.task_uuid} is ${pending.ready ? 'ready' : 'not ready yet'}. ` +
					`Campaign ${bigCampaignId} has ${everyone.total_rows} recipients; I was given the first ${everyone.returned_rows}.`,
			};
	}
}

const scenario = {
	id: 'k',
	name: 'AI Agent with a scripted chat model uses the Selzy tool: summary, hard bounces, a pending task, 1,000,000 rows',
	async run(env) {
		const { client, sandbox } = env;
		sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
		const nodeTypes = new Set((await client.nodeTypes()).map((type) => type.name));
		for (const needed of ['n8n-nodes-selzy.selzyTool', '@n8n/n8n-nodes-langchain.agent', '@n8n/n8n-nodes-langchain.lmChatOpenAi']) {
			assert.ok(nodeTypes.has(needed), `n8n offers no ${needed}`);
		}
		const tasksBefore = sandbox.tasks.length;
		// A task Selzy keeps preparing: started by hand, never polled to completion.
		sandbox.configure({ readyAfterPolls: null, readyAfterMs: null });
		const pendingTask = await startTask(sandbox, CAMPAIGN);
		sandbox.addCampaign({ id: BIG_CAMPAIGN, rows: BIG_ROWS });
		sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });

		const model = await startScriptedModel(modelScript);
		try {
			const openAiCredential = await client.createCredential({
				name: 'Scripted model',
				type: 'openAiApi',
				data: { apiKey: 'sk-scripted', url: model.url },
			});
			const prompt = `How did campaign ${CAMPAIGN} do? List its hard bounces. Is the report of task ${pendingTask} ready? List every recipient of campaign ${BIG_CAMPAIGN}.`;
			const workflow = await client.createWorkflow(
				agentWorkflow('e2e k: agent tool', prompt, { selzyCredential: env.good, openAiCredential, major: await client.major() }),
			);
			const executionId = await client.runManually(workflow.id);
			const execution = await client.waitForExecution(executionId, { timeoutMs: 180_000 });
			const modelErrors = model.exchanges.filter((exchange) => exchange.error);
			assert.deepEqual(modelErrors, [], 'the scripted model failed');
			if (execution.status !== 'success') {
				const error = execution.data?.resultData?.error;
				throw new Error(`execution ${execution.id} ended ${execution.status}: ${error?.message ?? ''} ${error?.description ?? ''}`);
			}
			if (process.env.E2E_KEEP === '1') {
				fs.writeFileSync(path.join(env.workDir, 'k-agent.json'), JSON.stringify({ execution, exchanges: model.exchanges }, null, 1));
			}
			return checkRun(env, execution, model, pendingTask, tasksBefore);
		} finally {
			await model.close();
		}
	},
};

function checkRun(env, execution, model, pendingTask, tasksBefore) {
	const truth = env.sandbox.groundTruth({ campaignId: CAMPAIGN });
	const hardBounces = HARD_BOUNCE_CODES.reduce((sum, code) => sum + (truth.bySendResult[code] ?? 0), 0);

	// What the model saw: the tools and their parameters ($fromAI).
	const tools = model.exchanges[0].turn.tools;
	const reportTool = tools.find((tool) => tool.name === toolNameOf(REPORT_TOOL));
	assert.ok(reportTool, `tools offered: ${tools.map((tool) => tool.name).join(', ')}`);
	assert.deepEqual(Object.keys(reportTool.parameters.properties).sort(), ['campaign_id', 'changed_since', 'output', 'status_groups']);
	assert.deepEqual(reportTool.parameters.required, ['campaign_id'], 'only the campaign is required');
	assert.equal(reportTool.description, reportToolParameters.toolDescription, 'tool description');

	// What the tools received and returned, as the model got it.
	const outputs = model.exchanges.at(-1).turn.toolOutputs;
	assert.equal(outputs.length, 4, 'four tool calls');
	const [summaryCall, bouncesCall, pendingCall, everyoneCall] = outputs;
	const first = (call) => (Array.isArray(call.output) ? call.output[0] : call.output);
	assert.equal(first(summaryCall).total, truth.total, 'summary total');
	assert.deepEqual(first(summaryCall).bySendResult, truth.bySendResult, 'summary bySendResult');
	assert.equal(first(bouncesCall).total_rows, hardBounces, 'hard bounces counted');
	assert.equal(first(bouncesCall).rows.length, Math.min(100, hardBounces), 'hard bounce rows returned');
	assert.ok(first(bouncesCall).rows.every((row) => row.status_group === 'hard_bounce'), 'only hard bounces');
	assert.equal(first(pendingCall).task_uuid, pendingTask, 'the pending task');
	assert.match(first(pendingCall).next_step, /Ask again in a minute with the Task → Get Result operation/);
	for (const call of outputs) assert.doesNotMatch(call.text, /\/files\//, 'no download link reaches the model');
	assert.equal(first(everyoneCall).total_rows, BIG_ROWS, 'every row of the big report counted');
	assert.equal(first(everyoneCall).rows.length, 100, 'rows of the big report returned');
	const sizes = outputs.map((call) => Buffer.byteLength(call.text));
	assert.ok(Math.max(...sizes) < 40_000, `tool answers of ${sizes.join(', ')} bytes`);

	// What n8n recorded for the tool nodes: the arguments each run received.
	assert.deepEqual(toolInputs(execution, REPORT_TOOL), [
		{ campaign_id: String(CAMPAIGN) },
		{ campaign_id: String(CAMPAIGN), output: 'rows', status_groups: 'hard_bounce' },
		{ campaign_id: String(BIG_CAMPAIGN), output: 'rows' },
	]);
	assert.deepEqual(toolInputs(execution, TASK_TOOL), [{ task_uuid: pendingTask }]);

	// What reached Selzy: two reports of the campaign, and one look at the pending task.
	const started = env.sandbox.tasks.slice(tasksBefore).filter((task) => task.uuid !== pendingTask);
	assert.deepEqual(started.map((task) => String(task.params.campaign_id)), [CAMPAIGN, CAMPAIGN, BIG_CAMPAIGN].map(String), 'reports requested');

	// The agent's answer carries the report's numbers.
	const answer = String(h.nodeOutput(execution, 'AI Agent')?.[0]?.json?.output ?? '');
	assert.ok(answer.includes(`reached ${truth.total} recipients`), `answer: ${answer}`);
	assert.ok(answer.includes(`${hardBounces} hard bounces`), `answer: ${answer}`);
	assert.ok(answer.includes(`task ${pendingTask} is not ready yet`), `answer: ${answer}`);
	assert.ok(answer.includes(`Campaign ${BIG_CAMPAIGN} has ${BIG_ROWS} recipients; I was given the first 100`), `answer: ${answer}`);
	return `tool answers ${sizes.join(' / ')} bytes (the last: ${BIG_ROWS.toLocaleString('en-US')} rows asked for as Rows); ${hardBounces} hard bounces of ${truth.total}`;
}

/** The arguments of each run of a tool node, kept as the run's ai_tool input (n8n 1.x adds the toolCallId). */
function toolInputs(execution, nodeName) {
	const runs = execution.data?.resultData?.runData?.[nodeName] ?? [];
	return runs.map((run) => {
		const { toolCallId: _id, ...args } = run.inputOverride?.ai_tool?.[0]?.[0]?.json ?? {};
		return args;
	});
}

async function startTask(sandbox, campaignId) {
	const form = new URLSearchParams({ api_key: sandbox.apiKey, format: 'json', campaign_id: String(campaignId) });
	const response = await fetch(`${sandbox.url}/en/api/async/getCampaignDeliveryStats`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: form.toString(),
	});
	const { result } = await response.json();
	return result.task_uuid;
}

module.exports = { scenario, agentWorkflow, modelScript };
