import { getDeliveryReport } from './campaign/getDeliveryReport.operation';
import { getStats } from './campaign/getStats.operation';
import { getStatus } from './campaign/getStatus.operation';
import { exportContacts } from './contact/export.operation';
import type { Operations } from './operation';
import { getResult } from './task/getResult.operation';

/** Every operation of the Selzy node, by resource; the node's description and its router read this. */
export const SELZY_OPERATIONS: Operations = {
	campaign: { getDeliveryReport, getStatus, getStats },
	contact: { export: exportContacts },
	task: { getResult },
};
