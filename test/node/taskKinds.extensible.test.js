'use strict';
/**
 * A task kind the package does not ship, declared here only (its registry entry, its operation and
 * its sandbox method): every way of waiting, Task → Get Result, the trigger's Task Types and
 * output, and the tool's answers handle it, while no product file names it.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createHarness } = require('../harness');
const { createSandbox } = require('../sandbox/server');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { SELZY_TASK_KINDS, UNKNOWN_KIND } = require('../../nodes/Selzy/tasks/kinds.ts');
const { SELZY_OPERATIONS } = require('../../nodes/Selzy/actions/operations.ts');
const { asyncTaskOperation } = require('../../nodes/Selzy/actions/asyncTask.ts');
const { credentialsFor, completeTask, post, jsonOf } = require('./selzy.support');
const { waitUntil } = require('./trigger-support');

/** Selzy "counts a list's contacts per email domain": the file is the list's contacts. */
const domainOf = (email) => String(email).split('@')[1] ?? '';

const CONTACT_DOMAINS = {
	taskType: 'countContactDomains',
	noun: 'domain count',
	label: 'Contact Domains',
	startedBy: 'Contact → Count Domains',
	startMethod: 'async/countContactDomains',
	fileName: 'domains.csv',
	defaultOutput: 'summary',
	rowOptions: [],
	async summarize(batches) {
		const byDomain = {};
		let total = 0;
		let email = -1;
		for await (const batch of batches) {
			for (const record of batch) {
				if (email < 0) {
					email = record.indexOf('email');
					continue;
				}
				total++;
				const domain = domainOf(record[email]);
				byDomain[domain] = (byDomain[domain] ?? 0) + 1;
			}
		}
		return { total, byDomain };
	},
	async *rows(batches) {
		let header;
		for await (const batch of batches) {
			const rows = [];
			for (const record of batch) {
				if (!header) header = record;
				else rows.push({ email: record[header.indexOf('email')], domain: domainOf(record[header.indexOf('email')]) });
			}
			yield rows;
		}
	},
	async sampleRows(batches, keep, settings) {
		const rows = [];
		for await (const batch of this.rows(batches, settings)) rows.push(...batch);
		return { rows: rows.slice(0, keep), total: rows.length };
	},
	namesFields: () => false,
};

const countDomains = asyncTaskOperation(
	'contact',
	{ name: 'Count Domains', value: 'countDomains', action: 'Count contact domains', description: 'Count contacts per email domain' },
	{
		kind: CONTACT_DOMAINS,
		properties: [{ displayName: 'List ID', name: 'listId', type: 'number', default: 0 }],
		async readRequest(context, itemIndex) {
			const listId = context.getNodeParameter('listId', itemIndex);
			return { params: { list_id: listId }, about: { list_id: listId }, subject: `list ${listId}` };
		},
	},
);

const catalog = {
	operations: { ...SELZY_OPERATIONS, contact: { ...SELZY_OPERATIONS.contact, countDomains } },
	kinds: SELZY_TASK_KINDS.with(CONTACT_DOMAINS),
};
class SelzyWithDomains extends Selzy {
	constructor() {
		super(catalog);
	}
}
class SelzyWithDomainsTool extends SelzyWithDomains {
	constructor() {
		super();
		this.description = { ...this.description, name: `${this.description.name}Tool` };
	}
}
class TriggerWithDomains extends SelzyTrigger {
	constructor() {
		super(catalog.kinds);
	}
}

let sb;
let harness;
beforeAll(async () => {
	sb = await createSandbox({ seed: 3 });
	sb.defineTaskMethod('async/countContactDomains', { taskType: 'countContactDomains' });
	harness = await createHarness({ credentials: { selzyApi: credentialsFor(sb) } });
});
afterAll(async () => {
	await harness?.close();
	await sb?.close();
});
beforeEach(() => {
	sb.reset();
	sb.configure({ readyAfterPolls: 0 });
});

const LIST = 2;
const truthByDomain = () => {
	const counts = {};
	for (const row of sb.contactsTruth({ listId: LIST }).rows) counts[domainOf(row.email)] = (counts[domainOf(row.email)] ?? 0) + 1;
	return counts;
};
const params = (rest = {}) => ({ resource: 'contact', operation: 'countDomains', listId: LIST, ...rest });
const run = (parameters, options = {}) => harness.runExecute(SelzyWithDomains, { parameters, ...options });

test('the editor offers the new operation with the shared Wait, Notify URL and Output, and the trigger its Task Type', () => {
	const node = new SelzyWithDomains();
	const shown = node.description.properties.filter((p) => p.displayOptions?.show?.operation?.includes('countDomains')).map((p) => p.name);
	expect(shown).toEqual(['listId', 'waitMode', 'callbackNotice', 'notifyUrl', 'output', 'options']);
	const output = node.description.properties.find((p) => p.name === 'output' && p.displayOptions?.show?.operation?.includes('countDomains'));
	expect(output.default).toBe('summary');
	const taskTypes = new TriggerWithDomains().description.properties.find((p) => p.name === 'taskTypes');
	expect(taskTypes.options).toContainEqual({ name: 'Contact Domains', value: 'countContactDomains' });
});

test('Poll Until Ready returns the kind’s own summary', async () => {
	const { status, output, error } = await run(params({ waitMode: 'poll' }));
	expect(error).toBeUndefined();
	expect(status).toBe('success');
	expect(output[0][0].json).toMatchObject({ total: sb.contactsTruth({ listId: LIST }).total, byDomain: truthByDomain(), task_type: 'countContactDomains' });
	expect(sb.requests.map((r) => r.apiMethod)).toEqual(['async/countContactDomains', 'async/getTaskResult', 'download']);
});

test('Don’t Wait returns the task; Task → Get Result reads it as the kind’s rows', async () => {
	const started = await run(params({ waitMode: 'none' }));
	const [task] = jsonOf(started.output[0]);
	expect(task).toEqual({ task_uuid: sb.tasks[0].uuid, status: 'new', task_type: 'countContactDomains', list_id: LIST });
	const result = await run({ resource: 'task', operation: 'getResult', taskUuid: task.task_uuid, waitMode: 'poll', output: 'rows' });
	const rows = jsonOf(result.output[0]);
	expect(rows).toEqual(sb.contactsTruth({ listId: LIST }).rows.map((row) => ({ email: row.email, domain: domainOf(row.email) })));
});

test('Until Selzy Notifies parks the execution and Selzy’s callback resumes it with the kind’s summary', async () => {
	sb.configure({ readyAfterPolls: 10 });
	const waiting = await run(params({ waitMode: 'callback', options: { callbackGrace: 1 } }));
	expect(waiting.status).toBe('waiting');
	const resumed = harness.waitForResume(waiting);
	await completeTask(sb, sb.tasks[0].uuid);
	const { status, output } = await resumed;
	expect(status).toBe('success');
	expect(output[0][0].json).toMatchObject({ byDomain: truthByDomain(), task_type: 'countContactDomains' });
});

test('a trigger whose Task Types name the kind starts with its summary; one for delivery reports ignores it', async () => {
	const wanted = await harness.startWebhook(TriggerWithDomains, { parameters: { output: 'summary', taskTypes: ['countContactDomains'] } });
	const other = await harness.startWebhook(TriggerWithDomains, { parameters: { output: 'summary' } });
	sb.configure({ readyAfterMs: 0 });
	await run(params({ waitMode: 'none', notifyUrl: wanted.url() }));
	await run(params({ waitMode: 'none', notifyUrl: other.url() }));
	await waitUntil(() => wanted.calls.length === 1 && other.calls.length === 1);
	const [item] = wanted.calls[0].execution.output[0];
	expect(item.json).toMatchObject({ byDomain: truthByDomain(), task_type: 'countContactDomains' });
	expect(other.calls[0].execution).toBeUndefined();
	await wanted.close();
	await other.close();
});

test('as a tool: a pending task says what to ask next in the kind’s words, a ready one gives a sample of its rows', async () => {
	sb.configure({ readyAfterPolls: null });
	const pending = await harness.runExecute(SelzyWithDomainsTool, { parameters: params({ waitMode: 'none' }) });
	expect(pending.output[0][0].json.next_step).toBe(
		`Selzy is still preparing this domain count. Ask again in a minute with the Task → Get Result operation and task_uuid ${sb.tasks[0].uuid}; do not start a new domain count.`,
	);
	sb.configure({ readyAfterPolls: 0 });
	const ready = await harness.runExecute(SelzyWithDomainsTool, { parameters: params({ output: 'rows', options: { maxRows: 2 } }) });
	const answer = ready.output[0][0].json;
	expect(answer).toMatchObject({ total_rows: sb.contactsTruth({ listId: LIST }).total, returned_rows: 2 });
	expect(answer.rows[0]).toEqual({ email: expect.any(String), domain: expect.any(String) });
	expect(answer.note).toContain('The domain count has');
});

test('no product file names the kind: it exists only here', () => {
	const root = path.join(__dirname, '..', '..', 'nodes');
	const files = fs.readdirSync(root, { recursive: true }).filter((name) => name.endsWith('.ts'));
	for (const file of files) {
		const text = fs.readFileSync(path.join(root, file), 'utf8');
		expect(text).not.toMatch(/countContactDomains|Contact Domains|countDomains/);
	}
	expect(SELZY_TASK_KINDS.of('countContactDomains')).toBe(UNKNOWN_KIND);
	expect(catalog.kinds.of('async/CountContactDomains')).toBe(CONTACT_DOMAINS);
});
