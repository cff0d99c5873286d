import type { INodeProperties } from 'n8n-workflow';

import * as getDeliveryReport from './campaign/getDeliveryReport.operation';
import * as getResult from './task/getResult.operation';

export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Campaign', value: 'campaign' },
			{ name: 'Task', value: 'task' },
		],
		default: 'campaign',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['campaign'] } },
		options: [
			{
				name: 'Get Delivery Report',
				value: 'getDeliveryReport',
				action: 'Get a campaign delivery report',
				description: 'Build the per-recipient delivery report of a campaign and return it as a file, rows or a summary',
			},
		],
		default: 'getDeliveryReport',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['task'] } },
		options: [
			{
				name: 'Get Result',
				value: 'getResult',
				action: 'Get the result of a report task',
				description: 'Check a report task by its ID and download the report when it is ready',
			},
		],
		default: 'getResult',
	},
	{
		displayName:
			'As a tool, answers are sized for the model: Summary (the default) for how a campaign did; Rows give the first rows (Max Rows, 100 unless set) and the count of all; File gives a description of the stored file. Let the model define Campaign (an ID or a subject), Output, Status Groups or Changed Since.',
		name: 'toolNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '@tool': [true] } },
	},
	...getDeliveryReport.description,
	...getResult.description,
];
