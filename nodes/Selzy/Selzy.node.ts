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
import { properties } from './actions/node.description';
import { router } from './actions/router';
import { listSearch, loadOptions } from './methods';

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

export class Selzy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Selzy',
		name: 'selzy',
		icon: { light: 'file:selzy.svg', dark: 'file:selzy.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] === "getResult" ? "Get task result" : $parameter["operation"] === "export" ? "Export contacts" : "Get delivery report" }}',
		description:
			'Get Selzy campaign delivery reports and contact exports as a file, one item per row or a summary. As a tool it waits at most one minute and otherwise returns the task ID to ask again with Task → Get Result.',
		defaults: { name: 'Selzy' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'selzyApi', required: true }],
		webhooks: resumeWebhooks,
		properties,
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleResumeCallback(this);
	}
}
