import { getDeliveryReport } from './campaign/getDeliveryReport.operation';
import { getStats } from './campaign/getStats.operation';
import { getStatus } from './campaign/getStatus.operation';
import { excludeContact } from './contact/exclude.operation';
import { exportContacts } from './contact/export.operation';
import { getContact } from './contact/get.operation';
import { importContacts } from './contact/import.operation';
import { subscribeContact } from './contact/subscribe.operation';
import { unsubscribeContact } from './contact/unsubscribe.operation';
import type { Operations } from './operation';
import { getResult } from './task/getResult.operation';

/** Every operation of the Selzy node, by resource; the node's description and its router read this. */
export const SELZY_OPERATIONS: Operations = {
	campaign: { getDeliveryReport, getStatus, getStats },
	contact: {
		export: exportContacts,
		exclude: excludeContact,
		get: getContact,
		import: importContacts,
		subscribe: subscribeContact,
		unsubscribe: unsubscribeContact,
	},
	task: { getResult },
};
