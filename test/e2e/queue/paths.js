'use strict';
// Every path the README offers, through queue mode on "separate machines": the right result, and
// which process downloaded and read the file (each process logs "Selzy task <uuid>: …" itself).

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const h = require('../../tooling');
const s = require('./support');

// Selzy's permanent failures; the node's "Hard Bounce" group.
const HARD_BOUNCES = ['err_user_unknown', 'err_user_inactive', 'err_domain_inactive', 'err_dest_invalid', 'err_not_available'];
const FILE_BELOW_CAMPAIGN = 3002;
const FILE_ABOVE_CAMPAIGN = 3003;
const REPORT = 1002; // 1,000 rows
const CONTACT_LIST = 2; // 1,000 contacts

/** Counts of send_result over items. */
function countBySendResult(items) {
	const counts = {};
	for (const item of items) counts[item.json.send_result] = (counts[item.json.send_result] ?? 0) + 1;
	return counts;
}

function environOf(pid) {
	return Object.fromEntries(
		fs
			.readFileSync(`/proc/${pid}/environ`, 'utf8')
			.split('\0')
			.filter(Boolean)
			.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
	);
}

const separateMachines = {
	id: 'hosts',
	name: 'five n8n processes share only Postgres and Redis: own user, temp and binary-data folders; binary data in the database; production webhooks only on the webhook processes',
	async run(env) {
		const seen = { userFolder: new Set(), tmp: new Set(), binary: new Set() };
		for (const [name, proc] of Object.entries(env.processes)) {
			const line = /Loaded all credentials and nodes from n8n-nodes-selzy\S*\s*\{ "credentials": (\d+), "nodes": (\d+)/.exec(s.logText(proc.logFile));
			assert.ok(line, `${name} did not log loading n8n-nodes-selzy from its own user folder`);
			const vars = environOf(proc.pid);
			const own = path.join(env.workDir, name);
			assert.equal(vars.N8N_USER_FOLDER, own, `${name}: user folder`);
			assert.equal(vars.TMPDIR, path.join(own, 'tmp'), `${name}: temp folder`);
			assert.equal(vars.N8N_BINARY_DATA_STORAGE_PATH, path.join(own, 'binary-data'), `${name}: binary-data folder`);
			assert.equal(vars.N8N_DEFAULT_BINARY_DATA_MODE, env.binaryModeEnv.N8N_DEFAULT_BINARY_DATA_MODE, `${name}: binary mode left to n8n 2.x (database in queue mode), database on 1.x`);
			seen.userFolder.add(vars.N8N_USER_FOLDER);
			seen.tmp.add(vars.TMPDIR);
			seen.binary.add(vars.N8N_BINARY_DATA_STORAGE_PATH);
		}
		const count = Object.keys(env.processes).length;
		assert.deepEqual([seen.userFolder.size, seen.tmp.size, seen.binary.size], [count, count, count], 'no folder is shared');
		assert.equal(environOf(env.processes.main.pid).N8N_DISABLE_PRODUCTION_MAIN_PROCESS, 'true', 'main serves no production webhooks');
		return Object.entries(env.processes)
			.map(([name, proc]) => `${name} (pid ${proc.pid})`)
			.join(', ');
	},
};

const pollBig = {
	id: 'poll',
	name: 'Get Delivery Report, Poll Until Ready, on the big report: Summary and hard-bounce Rows on a worker, worker memory flat',
	async run(env) {
		const { ROWS, BIG_CAMPAIGN } = env.sizes;
		env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null, callbackTimes: 1, callbackFormat: 'json' });
		const truth = env.sandbox.groundTruth({ campaignId: BIG_CAMPAIGN });
		const { size } = await truth.sha256AndSize();
		const workers = Object.fromEntries(s.workerNames(env).map((name) => [name, env.processes[name].pid]));
		const summaryOf = (campaignId, name) =>
			s.runManual(env, name, { campaignId: s.campaign(campaignId), waitMode: 'poll', output: 'summary', options: { pollInterval: 1, timeout: 10 } });
		// Warm-up: a 100,000-row summary on every worker, so the first growth of a fresh heap is not
		// counted against the big report. Then a control on a 25-row report, so what any execution
		// costs a worker is not either.
		const warmed = new Set();
		for (let attempt = 0; attempt < 12 && warmed.size < Object.keys(workers).length; attempt++) {
			const warmUp = await summaryOf(1004, 'queue poll: warm-up');
			for (const name of s.workersRunning(env, warmUp.id)) warmed.add(name);
		}
		await h.sleep(1000);
		// worker → its control's peak increase
		const controls = {};
		for (let attempt = 0; attempt < 12 && Object.keys(controls).length < Object.keys(workers).length; attempt++) {
			const control = await s.measurePeaks(workers, () => summaryOf(1001, 'queue poll: control (25 rows)'));
			s.expectSuccess(control.result);
			const [name] = await s.assertOnWorker(env, control.result.id);
			controls[name] ??= control.memory[name];
			await h.sleep(500);
		}

		const summaryRun = await s.measurePeaks(workers, () => summaryOf(BIG_CAMPAIGN, 'queue poll: summary'));
		const [summary] = s.expectSuccess(summaryRun.result);
		assert.equal(summary.json.total, ROWS, 'summary total');
		assert.deepEqual(summary.json.bySendResult, truth.bySendResult, 'summary bySendResult');
		const [summaryWorker] = await s.assertOnWorker(env, summaryRun.result.id);
		assert.deepEqual(s.readBy(env, summary.json.task_uuid, 'summarised'), [summaryWorker], 'the summary was read on the worker that ran it');

		await h.sleep(1000);
		const rowsRun = await s.measurePeaks(workers, () =>
			s.runManual(env, 'queue poll: hard-bounce rows', {
				campaignId: s.campaign(BIG_CAMPAIGN),
				waitMode: 'poll',
				output: 'rows',
				options: { pollInterval: 1, timeout: 10, statusGroups: ['hard_bounce'] },
			}),
		);
		const rows = s.expectSuccess(rowsRun.result);
		const expected = HARD_BOUNCES.reduce((sum, code) => sum + (truth.bySendResult[code] ?? 0), 0);
		assert.equal(rows.length, expected, 'hard-bounce rows');
		assert.ok(rows.every((row) => row.json.status_group === 'hard_bounce' && HARD_BOUNCES.includes(row.json.send_result)), 'every row is a hard bounce');
		const [rowsWorker] = await s.assertOnWorker(env, rowsRun.result.id);
		const rowsTask = env.sandbox.tasks.filter((t) => t.campaignId === BIG_CAMPAIGN).at(-1).uuid;
		assert.deepEqual(s.readBy(env, rowsTask, `${rows.length} rows kept`), [rowsWorker], 'the rows were read on the worker that ran it');

		// "Flat": beyond what the 25-row control run cost its worker, the summary of the big report
		// adds less than MEMORY_SLACK_MB — far below the report's own size, so the file is never held.
		const fileMb = size / 1024 / 1024;
		const summaryMb = summaryRun.memory[summaryWorker].increaseMb;
		const controlMb = controls[summaryWorker].increaseMb;
		const rowsMb = rowsRun.memory[rowsWorker].increaseMb;
		env.figures.poll = { fileMb, rows: ROWS, control: controls[summaryWorker], summary: { ...summaryRun.memory[summaryWorker], ms: summaryRun.ms }, hardBounceRows: { ...rowsRun.memory[rowsWorker], ms: rowsRun.ms, kept: rows.length } };
		assert.ok(summaryMb - controlMb < env.sizes.MEMORY_SLACK_MB, `summary: worker peak rose ${s.mb(summaryMb)} (control ${s.mb(controlMb)}) on a ${s.mb(fileMb)} report`);
		assert.ok(rowsMb < Math.max(250, 3 * fileMb), `rows: worker peak rose ${s.mb(rowsMb)} on a ${s.mb(fileMb)} report`);
		s.assertAlive(env);
		return (
			`report ${s.mb(fileMb)}; ${summaryRun.memory[summaryWorker].method} of the worker that ran it: its control (25 rows) +${s.mb(controlMb)}; ` +
			`summary +${s.mb(summaryMb)} (${s.seconds(summaryRun.ms)}, ${summaryWorker}); rows (${rows.length} kept) +${s.mb(rowsMb)} (${s.seconds(rowsRun.ms)}, ${rowsWorker})`
		);
	},
};

const fileCap = {
	id: 'cap',
	name: 'Get Delivery Report, File, in database binary mode: below the cap it is stored, above it fails with a clear error',
	async run(env) {
		const { DB_MAX_FILE_MB } = env.sizes;
		env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null, callbackTimes: 1, callbackFormat: 'json' });
		// ~61 bytes a row in the sandbox's csv: 60% and 140% of the cap.
		const capBytes = DB_MAX_FILE_MB * 1024 * 1024;
		env.sandbox.addCampaign({ id: FILE_BELOW_CAMPAIGN, rows: Math.floor((capBytes * 0.6) / 61) });
		env.sandbox.addCampaign({ id: FILE_ABOVE_CAMPAIGN, rows: Math.ceil((capBytes * 1.4) / 61) });
		const below = await env.sandbox.groundTruth({ campaignId: FILE_BELOW_CAMPAIGN }).sha256AndSize();
		const above = await env.sandbox.groundTruth({ campaignId: FILE_ABOVE_CAMPAIGN }).sha256AndSize();
		assert.ok(below.size < capBytes && above.size > capBytes, `sizes ${below.size} / ${above.size} around the cap ${capBytes}`);
		const fileOf = (campaignId, name) =>
			s.runManual(env, name, { campaignId: s.campaign(campaignId), waitMode: 'poll', output: 'file', options: { pollInterval: 1, timeout: 5 } });

		const ok = await fileOf(FILE_BELOW_CAMPAIGN, 'queue cap: file below the cap');
		const [item] = s.expectSuccess(ok);
		const binary = item.binary?.data;
		assert.match(String(binary?.id), /^database:/, `binary data mode of ${binary?.id}`);
		const bytes = await env.client.downloadBinary(binary.id);
		assert.equal(h.sha256(bytes), below.sha256, 'the editor downloads the stored file');
		const [worker] = await s.assertOnWorker(env, ok.id);
		assert.deepEqual(s.readBy(env, item.json.task_uuid, 'stored'), [worker], 'stored by the worker that ran it');

		const tooBig = await fileOf(FILE_ABOVE_CAMPAIGN, 'queue cap: file above the cap');
		if (env.install.version.startsWith('1.')) {
			// n8n 1.x reads this setting without turning the text into a number: its cap stays 512 MiB.
			assert.match(s.logText(env.processes.worker.logFile), /Invalid value for N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE - Expected number, received string/, 'n8n 1.x ignores the cap setting');
			const [stored] = s.expectSuccess(tooBig);
			assert.equal(h.sha256(await env.client.downloadBinary(stored.binary.data.id)), above.sha256, 'n8n 1.x stores the file above the requested cap');
			return `stored ${below.size} B as ${binary.id.split(':')[0]} on ${worker}; n8n 1.x ignores N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (“Expected number, received string”): ${above.size} B stored too`;
		}
		assert.equal(tooBig.status, 'error', `execution above the cap ended ${tooBig.status}`);
		const error = h.nodeError(tooBig, 'Selzy') ?? tooBig.data?.resultData?.error;
		assert.match(`${error?.message} ${error?.description}`, /N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE/, 'the error names the setting');
		assert.match(String(error?.description ?? ''), /Rows or Summary/, 'the error suggests Rows or Summary');
		await s.assertOnWorker(env, tooBig.id);
		s.assertAlive(env);
		return `stored ${below.size} B as ${binary.id.split(':')[0]} on ${worker}; ${above.size} B → "${error?.message}"`;
	},
};

const triggerOutputs = {
	id: 'trigger',
	name: 'Selzy Trigger with File, Rows, Summary and Task Only → Task → Get Result: the webhook process answers, a worker downloads and reads',
	async run(env) {
		const truth = env.sandbox.groundTruth({ campaignId: REPORT });
		const file = await truth.sha256AndSize();
		const variants = [
			{ output: 'file' },
			{ output: 'rows' },
			{ output: 'summary' },
			{ output: 'task', getResult: { waitMode: 'none', output: 'summary', options: {} } },
		];
		const notes = [];
		for (const [index, variant] of variants.entries()) {
			const webhookId = `queue-trigger-${variant.output}-${crypto.randomUUID()}`;
			const trigger = await s.publishTrigger(env, s.triggerWorkflow(`queue trigger: ${variant.output}`, webhookId, env.good, variant));
			const task = await s.completedTask(env, REPORT);
			// Alternate webhook processes, as a load balancer would.
			const receiver = index % env.webhookUrls.length;
			const answer = await s.postJson(trigger.urls[receiver], s.callbackBody(task.uuid));
			assert.equal(answer.status, 200, `callback answered ${answer.status} ${answer.text}`);
			const [run] = await s.waitForExecutions(env, trigger.workflow.id, 1);
			const [worker] = await s.assertOnWorker(env, run.id);
			const items = s.expectSuccess(run, 'Selzy Trigger');
			if (variant.output === 'file') {
				const binary = items[0].binary?.data;
				assert.match(String(binary?.id), /^database:/, `binary id ${binary?.id}`);
				assert.equal(h.sha256(await env.client.downloadBinary(binary.id)), file.sha256, 'the editor downloads the stored file');
				const row = s.psql(env, `select "sourceType" || ':' || "sourceId" from binary_data where "fileId" = '${binary.id.slice('database:'.length)}'`);
				assert.equal(row, `execution:${run.id}`, 'the stored file belongs to the execution (pruned with it)');
				assert.deepEqual(s.readBy(env, task.uuid, 'stored'), [worker], 'stored by the worker');
			} else if (variant.output === 'rows') {
				assert.equal(items.length, truth.total, 'one item per row');
				assert.deepEqual(countBySendResult(items), truth.bySendResult, 'rows by send_result');
				assert.deepEqual(s.readBy(env, task.uuid, `${truth.total} rows kept`), [worker], 'rows read by the worker');
			} else if (variant.output === 'summary') {
				assert.equal(items[0].json.total, truth.total, 'summary total');
				assert.deepEqual(items[0].json.bySendResult, truth.bySendResult, 'summary bySendResult');
				assert.deepEqual(s.readBy(env, task.uuid, 'summarised'), [worker], 'summarised by the worker');
			} else {
				assert.equal(items[0].json.task_uuid, task.uuid, 'the trigger returns the task');
				const [summary] = s.expectSuccess(run, 'Get Result');
				assert.deepEqual(summary.json.bySendResult, truth.bySendResult, 'Get Result: summary bySendResult');
				assert.deepEqual(s.readBy(env, task.uuid, 'summarised'), [worker], 'Get Result summarised on the worker');
			}
			assert.equal(s.downloadsOf(env, task), 1, 'one download');
			notes.push(`${variant.output}: answered ${answer.ms} ms by webhook${receiver ? `-${receiver + 1}` : ''}, read on ${worker}`);
		}
		// Main serves no production webhooks here (N8N_DISABLE_PRODUCTION_MAIN_PROCESS).
		const atMain = await s.postJson(`${env.processes.main.url}/webhook/queue-main-${crypto.randomUUID()}/selzy`, '{}');
		assert.equal(atMain.status, 404, `main answered a production webhook: ${atMain.status}`);
		return notes.join('; ');
	},
};

const untilNotified = {
	id: 'callback',
	name: 'Get Delivery Report, Until Selzy Notifies (Summary, File): parks on a worker; the callback reaches a webhook process, which downloads and reads (the file stored under the execution); a worker finishes',
	async run(env) {
		env.sandbox.configure({ readyAfterPolls: null, readyAfterMs: 6000, callbackTimes: 1, callbackFormat: 'json' });
		const workflow = await env.client.createWorkflow(
			s.manualWorkflow('queue callback: summary', { campaignId: s.campaign(REPORT), waitMode: 'callback', output: 'summary', options: { callbackGrace: 1, timeout: 5 } }, env.good),
		);
		const executionId = await env.client.runManually(workflow.id);
		await h.waitUntil(async () => (await env.client.publicApi(`/executions/${executionId}`).catch(() => undefined))?.status === 'waiting', 60_000, 'the execution to wait', 250);
		const task = env.sandbox.tasks.at(-1);
		const resumeUrl = new URL(String(task.params.notify_url));
		assert.equal(resumeUrl.origin, env.webhookUrl, 'the resume URL points at WEBHOOK_URL');
		const execution = await env.client.waitForExecution(executionId, { timeoutMs: 120_000 });
		const [summary] = s.expectSuccess(execution);
		const truth = env.sandbox.groundTruth({ campaignId: REPORT });
		assert.deepEqual(summary.json.bySendResult, truth.bySendResult, 'summary bySendResult');
		const workers = await s.assertOnWorker(env, executionId);
		// n8n takes the resumed node's output from the webhook: the file is read where the callback arrived.
		assert.deepEqual(s.readBy(env, task.uuid, 'summarised'), ['webhook'], 'summarised by the webhook process that got the callback');

		// File: stored by the webhook process, under the waiting execution (so pruned with it).
		const fileRun = await env.client.runManually(
			(await env.client.createWorkflow(s.manualWorkflow('queue callback: file', { campaignId: s.campaign(REPORT), waitMode: 'callback', output: 'file', options: { callbackGrace: 1, timeout: 5 } }, env.good))).id,
		);
		const stored = await env.client.waitForExecution(fileRun, { timeoutMs: 120_000 });
		const [item] = s.expectSuccess(stored);
		const binary = item.binary?.data;
		assert.match(String(binary?.id), /^database:/, `binary id ${binary?.id}`);
		assert.equal(h.sha256(await env.client.downloadBinary(binary.id)), (await truth.sha256AndSize()).sha256, 'the editor downloads the stored file');
		const row = s.psql(env, `select "sourceType" || ':' || "sourceId" from binary_data where "fileId" = '${binary.id.slice('database:'.length)}'`);
		assert.equal(row, `execution:${fileRun}`, 'the stored file belongs to the execution (pruned with it)');
		assert.deepEqual(s.readBy(env, item.json.task_uuid, 'stored'), ['webhook'], 'stored by the webhook process that got the callback');
		return `callback ${env.sandbox.callbacks.find((c) => c.taskUuid === task.uuid)?.status} at ${resumeUrl.host}; read on webhook; ran on ${workers.join(' + ')}; File stored by webhook as ${row}`;
	},
};

const contactExport = {
	id: 'contacts',
	name: 'Contact → Export, Poll Until Ready, Rows: the export’s contacts, read on a worker',
	async run(env) {
		env.sandbox.configure({ readyAfterPolls: 1, readyAfterMs: null, callbackTimes: 1, callbackFormat: 'json' });
		const fieldNames = ['email', 'email_status', 'phone', 'phone_status'];
		const execution = await s.runManual(env, 'queue contacts: export', {
			resource: 'contact',
			operation: 'export',
			listId: { __rl: true, mode: 'id', value: String(CONTACT_LIST) },
			fieldNames,
			waitMode: 'poll',
			output: 'rows',
			options: { pollInterval: 1, timeout: 2 },
		});
		const rows = s.expectSuccess(execution);
		const truth = env.sandbox.contactsTruth({ listId: CONTACT_LIST, fieldNames });
		assert.deepEqual(
			rows.map((item) => item.json),
			truth.rows,
			'the exported contacts',
		);
		const [worker] = await s.assertOnWorker(env, execution.id);
		const task = env.sandbox.tasks.filter((t) => t.listId === CONTACT_LIST).at(-1);
		assert.deepEqual(s.readBy(env, task.uuid, `${rows.length} rows kept`), [worker], 'read on the worker');
		return `${rows.length} contacts, read on ${worker}`;
	},
};

module.exports = { scenarios: [separateMachines, pollBig, fileCap, triggerOutputs, untilNotified, contactExport] };
