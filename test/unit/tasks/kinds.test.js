'use strict';
// Which kind a Selzy task is, by its task_type (the exact spelling Selzy uses is not documented).
const { SELZY_TASK_KINDS, DELIVERY_REPORT, CONTACT_EXPORT, UNKNOWN_KIND } = require('../../../nodes/Selzy/tasks/kinds.ts');

const kindOf = (taskType) => SELZY_TASK_KINDS.of(taskType);

test('known task types are recognised whatever their case or an async/ prefix', () => {
	expect(kindOf('getCampaignDeliveryStats')).toBe(DELIVERY_REPORT);
	expect(kindOf('async/GetCampaignDeliveryStats')).toBe(DELIVERY_REPORT);
	expect(kindOf('exportContacts')).toBe(CONTACT_EXPORT);
	expect(kindOf(' async/exportcontacts ')).toBe(CONTACT_EXPORT);
});

test('a task without a type is a delivery report; any other type is unknown', () => {
	expect(kindOf(undefined)).toBe(DELIVERY_REPORT);
	expect(kindOf('')).toBe(DELIVERY_REPORT);
	expect(kindOf('importContacts')).toBe(UNKNOWN_KIND);
	expect(kindOf('exportContactsV2')).toBe(UNKNOWN_KIND);
	expect(kindOf({ toString: () => 'exportContacts' })).toBe(CONTACT_EXPORT);
});

test('every known kind has its own task type and starts with async/<task type>', () => {
	const types = SELZY_TASK_KINDS.known.map((kind) => kind.taskType.toLowerCase());
	expect(new Set(types).size).toBe(types.length);
	for (const kind of SELZY_TASK_KINDS.known) expect(kind.startMethod).toBe(`async/${kind.taskType}`);
});
