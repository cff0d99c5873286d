import type { INodeProperties } from 'n8n-workflow';

import type { Operations } from './operation';

const RESOURCE_NAMES: Readonly<Record<string, string>> = { campaign: 'Campaign', contact: 'Contact', task: 'Task' };

const capitalized = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

/** The node's parameters: Resource, an Operation list per resource, then each operation's own. */
export function nodeProperties(operations: Operations): INodeProperties[] {
	const resources = Object.keys(operations);
	return [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: resources.map((value) => ({ name: RESOURCE_NAMES[value] ?? capitalized(value), value })),
			default: 'campaign',
		},
		...resources.map(
			(resource): INodeProperties => ({
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: [resource] } },
				options: Object.values(operations[resource]).map((operation) => operation.option),
				default: String(Object.values(operations[resource])[0].option.value),
			}),
		),
		{
			displayName:
				'As a tool, answers are sized for the model: Summary (the default) for how a campaign did; Rows give the first rows (Max Rows, 100 unless set) and the count of all; File gives a description of the stored file. Let the model define Campaign (an ID or a subject), Output, Status Groups or Changed Since; for contacts, Email and Lists (Subscribe, Get) or Contacts (Import, Contacts From: JSON List; the answer gives counts and the first refused contacts).',
			name: 'toolNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { '@tool': [true] } },
		},
		...Object.values(operations).flatMap((byName) => Object.values(byName).flatMap((operation) => operation.description)),
	];
}
