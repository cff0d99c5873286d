import { NodeApiError } from 'n8n-workflow';
import type { JsonObject } from 'n8n-workflow';

import { selzyCodeOf } from '../../transport/errors';

/**
 * Selzy's answer for a contact it does not know (or not in the lists named):
 * `{"error": "Contact \"…\" not found", "code": "unspecified"}`. Only the text tells it from other
 * unspecified errors; it comes in the credential's language.
 */
export function isContactNotFound(error: unknown): boolean {
	if (!(error instanceof NodeApiError) || selzyCodeOf(error) !== 'unspecified') return false;
	const message = String((error.errorResponse as JsonObject | undefined)?.message ?? '');
	return /not found|не найден|не знайден/i.test(message);
}

/** Selzy's words for it, without the code added to the message. */
export function selzyWords(error: NodeApiError): string {
	return String((error.errorResponse as JsonObject | undefined)?.message ?? error.message).replace(/\s*\(unspecified\)$/, '');
}
