/**
 * What the Selzy Events Trigger listens to, from its parameters: the events its hook asks Selzy
 * for, and which of the delivered events become items (Selzy may filter less than asked).
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { createRowFilter } from '../report/rows';
import { statusGroupsFrom } from '../results/settings';
import type { HookEvents } from '../transport/hooks';
import type { SelzyEvent } from './eventEnvelope';
import { listIdsOf } from './eventItems';

/** The events this package knows by name, in the order the editor lists them. */
export const KNOWN_EVENTS = ['email_status', 'subscribe', 'unsubscribe', 'campaign_status', 'user_info'] as const;

/** Events whose hook filter is a list ID. */
const LIST_EVENTS = new Set(['subscribe', 'unsubscribe']);

export interface EventSubscription {
	/** What the hook asks Selzy for: event name → filter. */
	hookEvents: HookEvents;
	singleEvent: boolean;
	/** Whether a delivered event becomes an item. */
	wanted(event: SelzyEvent): boolean;
}

type Context = IHookFunctions | IWebhookFunctions;

export function readEventSubscription(context: Context): EventSubscription {
	const chosen = (context.getNodeParameter('events', []) as string[]).map(String);
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const others = String(options.otherEvents ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	// The list picker is shown (and so readable) only with Subscribe or Unsubscribe chosen.
	const listId = chosen.some((name) => LIST_EVENTS.has(name))
		? String(context.getNodeParameter('listId', '', { extractValue: true }) ?? '').trim()
		: '';
	const names = [...new Set([...chosen, ...others])];

	const hookEvents: HookEvents = {};
	for (const name of names) hookEvents[name] = LIST_EVENTS.has(name) && listId ? listId : '*';

	const keepStatus = createRowFilter({
		groups: statusGroupsFrom(context.getNodeParameter('statusGroups', [])),
		sendResults: String(context.getNodeParameter('sendResults', '') ?? '')
			.split(',')
			.map((code) => code.trim())
			.filter(Boolean),
	});
	const listNumber = Number(listId);
	const known = new Set<string>(KNOWN_EVENTS);
	const wantedNames = new Set(names);
	return {
		hookEvents,
		singleEvent: options.singleEvent === true,
		wanted(event) {
			// Names this package does not know always pass: Selzy may add events, or rename one.
			if (known.has(event.name) && !wantedNames.has(event.name)) return false;
			if (event.name === 'email_status') return keepStatus(String(event.data.status ?? ''));
			if (LIST_EVENTS.has(event.name) && listId) {
				// An event that names no list cannot be told apart; it is kept.
				const lists = listIdsOf(event);
				return lists.length === 0 || lists.includes(listNumber);
			}
			return true;
		},
	};
}
