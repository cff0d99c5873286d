import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { callsPerMinuteOption } from '../wait.descriptions';

/** Email or phone, as the contact methods take them. */
export type ContactType = 'email' | 'phone';

/** A text parameter of the item, trimmed; `what` names it in the error when it must not be empty. */
export function requiredText(context: IExecuteFunctions, name: string, itemIndex: number, what: string): string {
	const value = String(context.getNodeParameter(name, itemIndex, '') ?? '').trim();
	if (!value) throw new NodeOperationError(context.getNode(), `${what} is empty`, { itemIndex, description: `Give the ${what.toLowerCase()} of the contact.` });
	return value;
}

/** The contact methods' Options: the API Calls per Minute shared with every other call of the key. */
export const contactOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [callsPerMinuteOption],
};

/** An error as n8n shows it: Selzy's and the node's own as they are, anything else wrapped. */
export function nodeError(context: IExecuteFunctions, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	return error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}
