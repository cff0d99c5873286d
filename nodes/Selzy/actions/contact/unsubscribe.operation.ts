import { listMembershipOperation } from './listMembership';

/** Contact → Unsubscribe: the contact's decision; only the contact can undo it. */
export const unsubscribeContact = listMembershipOperation(
	'unsubscribe',
	{
		name: 'Unsubscribe',
		value: 'unsubscribe',
		action: 'Unsubscribe a contact',
		description: 'Record that the contact asked to stop; only the contact can subscribe again',
	},
	'Unsubscribe records the contact’s own decision: it stays in the lists marked unsubscribed, and only the contact can subscribe again. To remove a contact for your own reasons, use Exclude. A contact Selzy does not find in the lists comes out with found: false.',
	'Lists to unsubscribe the contact from. Leave empty to unsubscribe it from all lists',
);
