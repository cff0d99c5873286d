'use strict';
// E2E scenarios m, n, o: writing contacts in a real n8n, each through its example workflow.
// m: export a list → change the contacts in a Code node → Import → export again and compare.
// n: a sign-up form (a Webhook) → Subscribe, in a published workflow.
// o: the hard bounces of a delivery report → Import as unsubscribed, in batches of 500.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { loadExample } = require('../../scripts/examples');

const MANUAL = 'When clicking ‘Execute workflow’';
const list = (id) => ({ __rl: true, mode: 'id', value: String(id) });

/** Runs an example workflow from its Manual Trigger; returns the finished execution. */
async function runExample(env, workflow) {
	const created = await env.client.createWorkflow(workflow);
	return env.client.waitForExecution(await env.client.runManually(created.id, MANUAL), { timeoutMs: 180_000 });
}

function scenarios({ runReport, expectSuccess, waitForExecutions }) {
	const syncLoop = {
		id: 'm',
		name: 'the sync loop: export a list, change its contacts in a Code node, Import, export again and find the change',
		async run(env) {
			const { sandbox } = env;
			sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
			const workflow = loadExample('contacts-sync-loop.json', env.good);
			workflow.nodes.find((node) => node.name === 'Export contacts').parameters.listId = list(1);
			const execution = await runExample(env, workflow);
			const before = expectSuccess(execution, 'Export contacts').map((item) => item.json);
			const [summary] = expectSuccess(execution, 'Import contacts');
			assert.equal(before.length, sandbox.contactsTruth({ listId: 1 }).total, 'the whole list was exported');
			assert.deepEqual(
				{ total: summary.json.total, updated: summary.json.updated, refused: summary.json.refused },
				{ total: before.length, updated: before.length, refused: 0 },
				'every contact was updated',
			);

			const exportAgain = { resource: 'contact', operation: 'export', listId: list(1), fieldNames: ['email', 'tags'], waitMode: 'poll', output: 'rows', options: { pollInterval: 1, timeout: 2 } };
			const after = expectSuccess(await runReport(env, 'e2e m: export again', exportAgain)).map((item) => item.json);
			const expected = before.map((row) => ({ email: row.email, tags: [...new Set([...(row.tags ? row.tags.split(',') : []), 'synced'])].join(',') }));
			assert.deepEqual(after, expected, 'the second export holds the changed tags');
			return `${before.length} contacts exported, changed, imported (${summary.json.batches} batch) and exported again`;
		},
	};

	const signupForm = {
		id: 'n',
		name: 'a sign-up form (Webhook) → Subscribe: each sign-up joins the list with a confirmation email; a refused address fails only its run',
		async run(env) {
			const { sandbox, client } = env;
			const workflow = loadExample('signup-form-subscribe.json', env.good);
			const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
			webhook.webhookId = crypto.randomUUID();
			webhook.parameters.path = `selzy-signup-${crypto.randomBytes(4).toString('hex')}`;
			workflow.nodes.find((node) => node.name === 'Subscribe').parameters.listIds = ['2'];
			const created = await client.createWorkflow(workflow);
			await client.activate(created.id);
			const emails = ['form.one@shop.example', 'info@shop.example', 'form.two@shop.example'];
			for (const email of emails) {
				const answer = await client.call('POST', `/webhook/${webhook.parameters.path}`, { body: { email, name: 'Form' }, expect: null });
				assert.equal(answer.status, 200, `the form post for ${email}`);
			}
			const runs = await waitForExecutions(env, created.id, 3);
			const byEmail = new Map(runs.map((run) => [run.data.resultData.runData['Sign-up form'][0].data.main[0][0].json.body.email, run]));
			for (const email of [emails[0], emails[2]]) {
				const [subscribed] = expectSuccess(byEmail.get(email), 'Subscribe');
				const contact = sandbox.contact({ email });
				assert.equal(subscribed.json.person_id, contact.person_id, `${email}: the person Selzy created`);
				assert.deepEqual([contact.email_status, contact.email_list_ids, contact.tags], ['invited', '2', 'sign-up form'], `${email} in Selzy`);
			}
			const refused = byEmail.get('info@shop.example');
			assert.equal(refused.status, 'error', 'the role-based address failed its run');
			assert.match(JSON.stringify(refused.data.resultData.error ?? {}), /role-based address/, 'with Selzy’s reason');
			const confirmed = sandbox.confirmations.map((sent) => sent.email);
			assert.ok(confirmed.includes(emails[0]) && confirmed.includes(emails[2]), 'Selzy sent both confirmation emails');
			return `${confirmed.length} confirmation emails, 1 refused sign-up`;
		},
	};

	const hardBounces = {
		id: 'o',
		name: 'hard bounces of a 100,000-recipient report → Import as unsubscribed, in batches of 500',
		async run(env) {
			const { sandbox } = env;
			sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null });
			const execution = await runExample(env, loadExample('hard-bounces-unsubscribe.json', env.good, { mode: 'id', value: '1004' }));
			const bounces = expectSuccess(execution, 'Hard bounces').map((item) => item.json.email);
			const [summary] = expectSuccess(execution, 'Unsubscribe them');
			assert.ok(bounces.length > 1000, `hard bounces: ${bounces.length}`);
			assert.equal(summary.json.total, bounces.length, 'every hard bounce was sent');
			assert.equal(summary.json.batches, Math.ceil(bounces.length / 500), 'in batches of 500');
			assert.equal(summary.json.refused, 0, 'none refused');
			const notUnsubscribed = bounces.filter((email) => sandbox.contact({ email })?.email_status !== 'unsubscribed');
			assert.deepEqual(notUnsubscribed, [], 'every hard bounce is unsubscribed in Selzy');
			return `${bounces.length} hard bounces unsubscribed in ${summary.json.batches} batches`;
		},
	};

	return [syncLoop, signupForm, hardBounces];
}

module.exports = { scenarios };
