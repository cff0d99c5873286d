import { listMembershipOperation } from './listMembership';

/** Contact → Exclude: your decision; Subscribe can add the contact back. */
export const excludeContact = listMembershipOperation(
	'exclude',
	{
		name: 'Exclude',
		value: 'exclude',
		action: 'Exclude a contact from lists',
		description: 'Take a contact out of lists by your own decision; Subscribe can add it back',
	},
	'Exclude is your decision: the contact leaves the lists and Subscribe can add it again. If the contact asked to stop receiving mail, use Unsubscribe. A contact Selzy does not find in the lists comes out with found: false.',
	'Lists to exclude the contact from. Leave empty for all its lists',
);
