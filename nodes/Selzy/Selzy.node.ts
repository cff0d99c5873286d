import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { handleResumeCallback } from './callback/resume';
import { nodeProperties } from './actions/node.description';
import type { Operations } from './actions/operation';
import { SELZY_OPERATIONS } from './actions/operations';
import { router, type NodeCatalog } from './actions/router';
import { listSearch, loadOptions, resourceMapping } from './methods';
import { SELZY_TASK_KINDS } from './tasks/kinds';

/**
 * Receives Selzy's callback on this execution's resume URL (Wait: Until Selzy Notifies).
 * A restart webhook lives only while an execution waits, so there is nothing to register.
 */
const resumeWebhooks: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		responseData: '',
		path: '',
		restartWebhook: true,
	},
];

const SELZY_CATALOG: NodeCatalog = { operations: SELZY_OPERATIONS, kinds: SELZY_TASK_KINDS };

export class Selzy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Selzy',
		name: 'selzy',
		icon: { light: 'file:selzy.svg', dark: 'file:selzy.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitleOf(SELZY_CATALOG.operations),
		description:
			'Get Selzy campaign delivery reports and contact exports as a file, one item per row or a summary, and a campaign’s status and totals; subscribe, import, unsubscribe, exclude and look up contacts. As a tool it waits at most one minute for a report and otherwise returns the task ID to ask again with Task → Get Result.',
		defaults: { name: 'Selzy' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'selzyApi', required: true }],
		webhooks: resumeWebhooks,
		properties: nodeProperties(SELZY_CATALOG.operations),
	};

	methods = { listSearch, loadOptions, resourceMapping };

	execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

	webhook: (this: IWebhookFunctions) => Promise<IWebhookResponseData>;

	/**
	 * n8n builds the node without arguments. A catalog given here replaces its operations and task
	 * kinds; n8n calls execute and webhook with its own `this`, so they keep the catalog themselves.
	 */
	constructor(catalog: NodeCatalog = SELZY_CATALOG) {
		if (catalog !== SELZY_CATALOG) {
			this.description = { ...this.description, subtitle: subtitleOf(catalog.operations), properties: nodeProperties(catalog.operations) };
		}
		this.execute = async function (this: IExecuteFunctions) {
			return await router.call(this, catalog);
		};
		this.webhook = async function (this: IWebhookFunctions) {
			return await handleResumeCallback(this, catalog.kinds);
		};
	}
}

/** Under the node's name: the chosen operation's action, e.g. "Export contacts". */
function subtitleOf(operations: Operations): string {
	const actions: Record<string, string> = {};
	for (const [resource, byName] of Object.entries(operations)) {
		for (const [name, operation] of Object.entries(byName)) actions[`${resource}:${name}`] = String(operation.option.action ?? operation.option.name);
	}
	return `={{ ${JSON.stringify(actions)}[$parameter["resource"] + ":" + $parameter["operation"]] }}`;
}
