/**
 * The Selzy Events Trigger's step inside the execution n8n starts with a delivery's events. It
 * runs where n8n runs executions (on a worker in queue mode), after n8n saved the execution. The
 * events are looked up in n8n's deduplication store, which every n8n process shares and which
 * outlives a restart: only events no earlier execution output are output. So Selzy's retry of a
 * delivery that reached another process, or came after a restart, outputs nothing twice.
 */
import type { ICheckProcessedOptions, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** Output events remembered per trigger in n8n's deduplication store, newest kept. */
const OUTPUT_EVENTS: ICheckProcessedOptions = { mode: 'entries', maxEntries: 10_000 };

export async function returnNewEvents(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = context.getInputData().map((item, index) => ({ ...item, pairedItem: { item: index } }));
	const mode = context.getMode();
	// A test event is output once anyway; a retried execution is the user's wish to output its events again.
	if (mode === 'manual' || mode === 'retry') return [items];
	const idOf = (item: INodeExecutionData) => (typeof item.json.event_id === 'string' ? item.json.event_id : undefined);
	const keys = [...new Set(items.map(idOf).filter((key): key is string => key !== undefined))];
	if (!keys.length) return [items];

	let earlier: Set<string>;
	try {
		// One read and one write of n8n's database for all the execution's events.
		const seen = await context.helpers.checkProcessedAndRecord(keys, 'node', OUTPUT_EVENTS);
		earlier = new Set(seen.processed.map(String));
	} catch (error) {
		// An event output twice is better than one lost.
		context.logger.warn(`Selzy Events Trigger: n8n's deduplication store failed (${(error as Error).message}); all ${items.length} events are output`);
		return [items];
	}
	if (!earlier.size) return [items];
	const fresh = items.filter((item) => !earlier.has(idOf(item) ?? ''));
	context.logger.info(
		`Selzy Events Trigger: ${items.length - fresh.length} of ${items.length} events were output by an earlier execution (Selzy delivered them again); ${fresh.length} are output`,
	);
	return [fresh];
}
