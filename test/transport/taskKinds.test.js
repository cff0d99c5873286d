'use strict';
// Which kind a Selzy task is, by its task_type (the exact spelling Selzy uses is not documented).
const { taskKindOf } = require('../../nodes/Selzy/transport/tasks.ts');

test('known task types are recognised whatever their case or an async/ prefix', () => {
	expect(taskKindOf('getCampaignDeliveryStats')).toBe('deliveryReport');
	expect(taskKindOf('async/GetCampaignDeliveryStats')).toBe('deliveryReport');
	expect(taskKindOf('exportContacts')).toBe('contactExport');
	expect(taskKindOf(' async/exportcontacts ')).toBe('contactExport');
});

test('a task without a type is a delivery report; any other type is unknown', () => {
	expect(taskKindOf(undefined)).toBe('deliveryReport');
	expect(taskKindOf('')).toBe('deliveryReport');
	expect(taskKindOf('importContacts')).toBe('unknown');
	expect(taskKindOf('exportContactsV2')).toBe('unknown');
	expect(taskKindOf({ toString: () => 'exportContacts' })).toBe('contactExport');
});
