import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatMegabytes } from '../report/limits';
import { downloadError, httpFailure, MAX_REDIRECTS } from './downloadErrors';
import { downloadRulesFor, findDownloadRefusal, type DownloadRules } from './downloadGuard';
import { describeNetworkError } from './networkErrors';
import { waitFor } from './wait';

export type ReportContext = IExecuteFunctions | IWebhookFunctions;

/** The stream type n8n's helpers hand out and accept (a Node Readable). */
export type NodeReadable = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] & {
	[Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
	destroy(error?: Error): void;
};

export interface ReportDownload {
	/** The body, read once; counts bytes and feeds the stall watchdog. */
	bytes: AsyncIterable<Uint8Array>;
	/** The same bytes as a Node stream, for n8n's binary store. */
	toReadable(): NodeReadable;
	contentType?: string;
	fileName?: string;
	contentLength?: number;
	bytesRead(): number;
	/** Whether the body began like a gzip or zip archive (known once the first bytes arrived). */
	looksCompressed(): boolean;
}

export interface DownloadOptions {
	stallTimeoutMs: number;
	/** Bytes on the wire (before decompression) after which the download stops. */
	maxBytes: number;
	/** The whole download, parsing included while it streams, ends after this long. */
	timeLimitMs: number;
	onProgress?: (bytesRead: number) => void;
	/** Bytes between progress reports */
	progressEvery?: number;
}

/** Defaults of the download options; the option descriptions say why. */
const DOWNLOAD_DEFAULTS = Object.freeze({ maxDownloadSizeMb: 1024, downloadTimeLimitSeconds: 1800 });

/** The download limits from a node's options (Max Download Size in MB, Download Time Limit in seconds). */
export function downloadLimitsFrom(options: IDataObject): { maxDownloadBytes: number; downloadTimeLimitMs: number } {
	const sizeMb = Number(options.maxDownloadSize ?? DOWNLOAD_DEFAULTS.maxDownloadSizeMb);
	const seconds = Number(options.downloadTimeLimit ?? DOWNLOAD_DEFAULTS.downloadTimeLimitSeconds);
	return {
		maxDownloadBytes: Math.round(Math.max(1, sizeMb || DOWNLOAD_DEFAULTS.maxDownloadSizeMb) * 1024 * 1024),
		downloadTimeLimitMs: Math.round(Math.max(1, seconds || DOWNLOAD_DEFAULTS.downloadTimeLimitSeconds) * 1000),
	};
}

/**
 * Opens the report link as a stream. Redirects are followed here, each hop checked by the
 * download guard before it is requested. A watchdog aborts the transfer when no byte arrives for
 * `stallTimeoutMs`, and says so (the request's own timeout would only report a broken
 * connection); the size and time limits end a download that never stops.
 */
export async function openReportDownload(
	context: ReportContext,
	url: string,
	options: DownloadOptions,
): Promise<ReportDownload> {
	const node = context.getNode();
	const cancelSignal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	const transfer = new AbortController();
	const onCancel = () => transfer.abort();
	cancelSignal?.addEventListener('abort', onCancel, { once: true });
	if (cancelSignal?.aborted) transfer.abort();
	let overTime = false;
	const timeLimit = AbortSignal.timeout(options.timeLimitMs);
	const onTimeLimit = () => {
		overTime = true;
		transfer.abort();
	};
	timeLimit.addEventListener('abort', onTimeLimit, { once: true });
	const release = () => {
		cancelSignal?.removeEventListener('abort', onCancel);
		timeLimit.removeEventListener('abort', onTimeLimit);
	};
	const limitText = () => ({
		size: `Max Download Size (${formatMegabytes(options.maxBytes)})`,
		time: `Download Time Limit (${Math.round(options.timeLimitMs / 1000)} s)`,
	});

	let response: DownloadResponse;
	try {
		response = await requestFollowingRedirects(context, url, await downloadRulesFor(context), transfer.signal, options);
	} catch (error) {
		release();
		throw error instanceof NodeOperationError
			? error
			: cancelSignal?.aborted
				? downloadError(node, 'cancelled', 'The execution was cancelled during the report download')
				: overTime
					? downloadError(node, 'timeLimit', `The report download took longer than ${limitText().time}`)
					: downloadError(node, 'network', `Could not download the report: ${describeNetworkError(error)}`);
	}

	if (response.statusCode >= 300) {
		release();
		const failure = await httpFailure(node, response.statusCode, response.body);
		transfer.abort();
		throw failure;
	}

	const contentLength = Number(response.headers['content-length']);
	const tooLarge = () => downloadError(node, 'tooLarge', `The report is larger than ${limitText().size}`);
	if (Number.isFinite(contentLength) && contentLength > options.maxBytes) {
		release();
		response.body.destroy();
		throw tooLarge();
	}
	let bytesRead = 0;
	let head: Uint8Array | undefined;
	let lastProgressAt = Date.now();
	let stalled = false;
	let finished = false;

	const watchdog = async () => {
		const tick = Math.min(1000, Math.max(50, options.stallTimeoutMs / 4));
		while (!finished) {
			await waitFor(tick).catch(() => undefined);
			if (!finished && Date.now() - lastProgressAt > options.stallTimeoutMs) {
				stalled = true;
				transfer.abort();
				response.body.destroy(new Error('stalled'));
				return;
			}
		}
	};

	/** Why reading the body failed, in words: Stop, a limit, a stall or a broken connection. */
	const readFailure = (error: unknown): NodeOperationError => {
		if (cancelSignal?.aborted) {
			return downloadError(node, 'cancelled', 'The execution was cancelled during the report download');
		}
		if (overTime) {
			const arrived = formatMegabytes(bytesRead);
			return downloadError(node, 'timeLimit', `The report download took longer than ${limitText().time}; ${arrived} had arrived`);
		}
		if (stalled) {
			const seconds = Math.round(options.stallTimeoutMs / 1000);
			return downloadError(node, 'stalled', `The report download stalled: no data for ${seconds} s after ${bytesRead} bytes`);
		}
		const of = Number.isFinite(contentLength) ? ` of ${contentLength}` : '';
		return downloadError(
			node,
			'truncated',
			`The report download broke off after ${bytesRead} bytes${of}: ${describeNetworkError(error)}`,
		);
	};

	const progressEvery = options.progressEvery ?? 16 * 1024 * 1024;
	async function* counted(): AsyncIterable<Uint8Array> {
		void watchdog();
		let nextReport = progressEvery;
		try {
			for await (const chunk of response.body) {
				if (!head) head = chunk.subarray(0, 4);
				bytesRead += chunk.length;
				if (bytesRead > options.maxBytes) throw tooLarge();
				lastProgressAt = Date.now();
				if (bytesRead >= nextReport) {
					nextReport += progressEvery;
					options.onProgress?.(bytesRead);
				}
				yield chunk;
			}
		} catch (error) {
			throw error instanceof NodeOperationError ? error : readFailure(error);
		} finally {
			finished = true;
			release();
			// Closes the connection as well when reading stopped early (a limit, an error, a consumer
			// that gave up): destroying axios's stream wrapper alone would leave the socket open.
			transfer.abort();
		}
		if (Number.isFinite(contentLength) && bytesRead < contentLength) {
			throw downloadError(
				node,
				'truncated',
				`The report download ended early: ${bytesRead} of ${contentLength} bytes arrived`,
			);
		}
	}

	const bytes = counted();
	const headers = response.headers;
	return {
		bytes,
		toReadable: () => (response.body.constructor as unknown as { from(i: AsyncIterable<Uint8Array>): NodeReadable }).from(bytes),
		contentType: typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined,
		fileName: fileNameFrom(headers['content-disposition'], url),
		contentLength: Number.isFinite(contentLength) ? contentLength : undefined,
		bytesRead: () => bytesRead,
		looksCompressed: () =>
			head !== undefined &&
			((head[0] === 0x1f && head[1] === 0x8b) || (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)),
	};
}

interface DownloadResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: NodeReadable;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** GETs the link, following redirects itself so that every hop passes the download guard first. */
async function requestFollowingRedirects(
	context: ReportContext,
	link: string,
	rules: DownloadRules,
	signal: AbortSignal,
	options: DownloadOptions,
): Promise<DownloadResponse> {
	const node = context.getNode();
	let target: URL;
	try {
		target = new URL(link);
	} catch {
		throw downloadError(node, 'refused', 'Refused to download the report: its link is not a URL');
	}
	let previous: URL | undefined;
	for (let hop = 0; ; hop++) {
		const refusal = await findDownloadRefusal(context, target, rules, previous);
		if (refusal) throw downloadError(node, 'refused', `Refused to download the report: its link ${refusal.reason}`);
		const response = (await context.helpers.httpRequest({
			method: 'GET',
			url: target.href,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			maxRedirects: 0,
			abortSignal: signal,
			// Axios keeps this as the socket's idle timeout after the headers; kept behind the watchdog so a stall is named one.
			timeout: options.stallTimeoutMs + 2_000,
		})) as DownloadResponse;
		const location = response.headers.location;
		if (!REDIRECT_STATUSES.has(response.statusCode) || typeof location !== 'string') return response;
		response.body.destroy();
		if (hop === MAX_REDIRECTS) {
			throw downloadError(node, 'redirects', `The report download was redirected more than ${MAX_REDIRECTS} times`);
		}
		previous = target;
		try {
			target = new URL(location, target);
		} catch {
			const refused = `Refused to download the report: ${target.hostname} redirected to something that is not a URL`;
			throw downloadError(node, 'refused', refused);
		}
	}
}

function fileNameFrom(disposition: unknown, url: string): string | undefined {
	if (typeof disposition === 'string') {
		const encoded = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)?.[1];
		if (encoded) {
			try {
				return decodeURIComponent(encoded.trim());
			} catch {
				// A malformed encoded name falls back to the plain one below.
			}
		}
		const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition)?.[1];
		if (plain) return plain.trim();
	}
	try {
		const last = new URL(url).pathname.split('/').pop();
		return last ? decodeURIComponent(last) : undefined;
	} catch {
		return undefined;
	}
}

