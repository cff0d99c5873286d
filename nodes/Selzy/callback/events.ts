/**
 * A Selzy event delivery to the Selzy Events Trigger. In order: the URL's secret (401 before any
 * work), the body's bounds and envelope (413 / 400), Selzy's signature when asked for (401), each
 * answered here. Then the events wanted by the node's settings and not handed on by this process
 * before become the items of a new execution, and n8n answers Selzy: n8n 2.x once it has saved
 * that execution, so what Selzy is told was received survives n8n being killed. A delivery with
 * no such event is answered 200 here. Selzy waits at most 3 seconds and retries otherwise, so
 * nothing slow happens before the answer. A GET (a check that the URL is alive) is answered 200.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { selzyCredentials } from '../transport/credentials';
import { firstSeen, forgetEvents } from './eventDuplicates';
import { readEventDelivery } from './eventEnvelope';
import { HOOK_SECRET_PARAM, type EventHookState } from './eventHook';
import { eventItem } from './eventItems';
import { checkSelzySignature } from './eventSignature';
import { readEventSubscription } from './eventSubscription';
import { respond } from './handler';
import { sameSecret } from './trigger';

type RawRequest = ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };

export async function handleEventDelivery(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = context.getRequestObject() as RawRequest;
	if (request.method === 'GET') return respond(context, 200, { ok: true });

	const state = context.getWorkflowStaticData('node') as EventHookState;
	const query = context.getQueryData() as IDataObject;
	if (!state.secret || !sameSecret(String(query[HOOK_SECRET_PARAM] ?? ''), state.secret)) {
		return respond(context, 401, { error: 'Missing or wrong secret: this address takes only the deliveries of the Selzy hook its trigger registered' });
	}

	const delivery = readEventDelivery(context.getBodyData(), request.rawBody, query);
	if ('problem' in delivery) {
		return respond(context, delivery.tooLarge ? 413 : 400, { error: `Not a Selzy event delivery: ${delivery.problem}` });
	}
	const subscription = readEventSubscription(context);
	const options = context.getNodeParameter('options', {}) as IDataObject;
	if (options.verifySignature === true) {
		const { apiKey } = await selzyCredentials(context);
		const signature = checkSelzySignature(request.rawBody, delivery.auth, apiKey);
		if (!signature.valid) {
			context.logger.warn(`Selzy Events Trigger: delivery refused: ${signature.problem}`);
			return respond(context, 401, { error: signature.problem });
		}
	}

	const received = { received: delivery.events.length };
	const scope = `${context.getWorkflow().id ?? ''}:${context.getNode().id}:${context.getMode()}`;
	const wanted = delivery.events.filter((event) => subscription.wanted(event));
	const fresh = firstSeen(scope, wanted);
	if (fresh.length < wanted.length) {
		context.logger.info(`Selzy Events Trigger: ${wanted.length - fresh.length} events were handed on before (retry ${delivery.retryCount})`);
	}
	if (!fresh.length) return respond(context, 200, received);

	// n8n answers with an error when it could not start the execution (or the items could not be
	// built): Selzy then retries, and its retry must be taken again, not as a repeat.
	const response = context.getResponseObject();
	response.once('finish', () => {
		if (response.statusCode !== 200) forgetEvents(scope, fresh.map(({ key }) => key));
	});
	const items = fresh.map(({ event, key }) => ({ json: eventItem(event, key) }));
	return { workflowData: [items], webhookResponse: received };
}
