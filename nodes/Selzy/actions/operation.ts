import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { TaskKinds } from '../tasks/kinds';
import type { TaskJob } from './taskRun';

/** An operation of the node: its entry in the Operation list, its parameters, and how it runs. */
export interface Operation {
	option: INodePropertyOptions;
	description: INodeProperties[];
	/** The item's work as a job of the run of all input items (actions/taskRun.ts). */
	prepareJob?(this: IExecuteFunctions, itemIndex: number, kinds: TaskKinds): Promise<TaskJob>;
	/** The item's work on its own. */
	execute?(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
	/**
	 * The work of all input items at once, e.g. an import sent in batches across items. Returns
	 * the output in item order and handles Continue On Fail per item itself.
	 */
	executeAll?(this: IExecuteFunctions): Promise<INodeExecutionData[]>;
}

/** Operations by resource, then by their value in the Operation list. */
export type Operations = Record<string, Record<string, Operation>>;
