import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Redirects followed per download; each hop is checked before it is requested. */
export const MAX_REDIRECTS = 5;

export type DownloadFailure =
	| 'cancelled'
	| 'network'
	| 'http'
	| 'expired'
	| 'stalled'
	| 'truncated'
	| 'refused'
	| 'redirects'
	| 'tooLarge'
	| 'timeLimit';

const ADVICE: Record<DownloadFailure, string> = {
	cancelled: 'The execution was cancelled.',
	network: 'Check that this n8n server can reach the report link, then run the workflow again.',
	http: 'The file server refused the download. Run the workflow again; if it keeps failing, request a new report.',
	expired: 'Report links expire after a while. Request a new report with Campaign → Get Delivery Report.',
	stalled: 'The file server stopped sending data. Run the workflow again, or raise Download Stall Timeout.',
	truncated: 'Only part of the report arrived, so nothing was returned. Run the workflow again.',
	refused:
		'Reports are downloaded only over https from public addresses, and every redirect is checked the same way. Selzy’s own links pass; a link to this server, a private network or a metadata address does not. For a Selzy-compatible server on this machine, set the credential’s Base URL to its loopback address.',
	redirects: `The file server sent the download through more than ${MAX_REDIRECTS} redirects. Request a new report; if it happens again, contact Selzy support.`,
	tooLarge:
		'The download was stopped at the limit. If the report is genuine, raise Max Download Size in the node’s options (for File output in queue mode, n8n’s binary data limit also applies).',
	timeLimit:
		'The download was stopped at the limit although data kept arriving. If the file server is just slow, raise Download Time Limit in the node’s options.',
};

/** A download failure as the user sees it: what happened, and what to do in the description. */
export function downloadError(node: INode, failure: DownloadFailure, message: string): NodeOperationError {
	return new NodeOperationError(node, message, { description: ADVICE[failure] });
}
