import type { IDataObject, IExecuteFunctions, INode, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatMegabytes } from '../report/limits';
import { downloadError, MAX_REDIRECTS } from './downloadErrors';
import { checkDownloadTarget, downloadRulesFor, type DownloadRules } from './downloadGuard';
import { describeNetworkError } from './networkErrors';
import { anySignal, waitUnlessCancelled } from './wait';

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
	/** Ends the download like Stop does (another item of the run failed). */
	signal?: AbortSignal;
	/** Bytes between progress reports */
	progressEvery?: number;
}

/** Defaults of the download options; the option descriptions say why. */
const DOWNLOAD_DEFAULTS = Object.freeze({ maxDownloadSizeMb: 1024, downloadTimeLimitSeconds: 1800, stallTimeoutSeconds: 60 });

export interface DownloadLimits {
	maxDownloadBytes: number;
	downloadTimeLimitMs: number;
	stallTimeoutMs: number;
}

/**
 * The download limits from a node's options: Max Download Size in MB, Download Time Limit and
 * Download Stall Timeout in seconds.
 */
export function downloadLimitsFrom(options: IDataObject): DownloadLimits {
	const sizeMb = downloadBound(options.maxDownloadSize, 'Max Download Size', 'MB', DOWNLOAD_DEFAULTS.maxDownloadSizeMb);
	const seconds = downloadBound(options.downloadTimeLimit, 'Download Time Limit', 'seconds', DOWNLOAD_DEFAULTS.downloadTimeLimitSeconds);
	const stallSeconds = downloadBound(options.stallTimeout, 'Download Stall Timeout', 'seconds', DOWNLOAD_DEFAULTS.stallTimeoutSeconds);
	return {
		maxDownloadBytes: Math.round(Math.max(1, sizeMb || DOWNLOAD_DEFAULTS.maxDownloadSizeMb) * 1024 * 1024),
		downloadTimeLimitMs: Math.round(Math.max(1, seconds || DOWNLOAD_DEFAULTS.downloadTimeLimitSeconds) * 1000),
		stallTimeoutMs: Math.round(Math.max(5, stallSeconds) * 1000),
	};
}

/**
 * One download bound as a number, its default when unset. Anything else that is not a number
 * (an expression giving "abc") is refused: read as NaN it would switch the bound off.
 */
function downloadBound(value: unknown, option: string, unit: string, fallback: number): number {
	if (value === undefined || value === null || value === '') return fallback;
	const number = typeof value === 'number' || typeof value === 'string' ? Number(value) : NaN;
	if (Number.isFinite(number)) return number;
	throw new Error(`${option} must be a number of ${unit}, not ${JSON.stringify(value) ?? String(value)}`);
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
	const transfer = new Transfer(context, options);
	let response: DownloadResponse;
	try {
		response = await requestFollowingRedirects(context, url, await downloadRulesFor(context), transfer.signal, options);
	} catch (error) {
		transfer.end();
		throw error instanceof NodeOperationError ? error : transfer.failure(error);
	}
	if (response.statusCode >= 300) {
		transfer.end();
		const failure = await httpFailure(context.getNode(), response.statusCode, response.body);
		transfer.abort();
		throw failure;
	}
	const contentLength = Number(response.headers['content-length']);
	if (Number.isFinite(contentLength) && contentLength > options.maxBytes) {
		transfer.end();
		response.body.destroy();
		throw transfer.tooLarge();
	}

	const bytes = transfer.read(response.body, Number.isFinite(contentLength) ? contentLength : undefined);
	const headers = response.headers;
	return {
		bytes,
		toReadable: () => (response.body.constructor as unknown as { from(i: AsyncIterable<Uint8Array>): NodeReadable }).from(bytes),
		contentType: typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined,
		fileName: fileNameFrom(headers['content-disposition'], url),
		contentLength: Number.isFinite(contentLength) ? contentLength : undefined,
		bytesRead: () => transfer.bytesRead,
		looksCompressed: () => transfer.startsLikeArchive(),
	};
}

/**
 * One download's state: what can end it (Stop, the time limit, a stall, the size limit), what
 * has arrived, and each ending in words.
 */
class Transfer {
	private readonly controller = new AbortController();
	private readonly node: INode;
	private readonly cancelSignal?: AbortSignal;
	private readonly timeLimit: AbortSignal;
	private overTime = false;
	private stalled = false;
	private finished = false;
	private lastProgressAt = Date.now();
	private head?: Uint8Array;
	private reading = false;
	private contentLength?: number;
	bytesRead = 0;

	constructor(
		context: ReportContext,
		private readonly options: DownloadOptions,
	) {
		this.node = context.getNode();
		this.cancelSignal = anySignal('getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined, options.signal);
		this.cancelSignal?.addEventListener('abort', this.onCancel, { once: true });
		if (this.cancelSignal?.aborted) this.controller.abort();
		this.timeLimit = AbortSignal.timeout(options.timeLimitMs);
		this.timeLimit.addEventListener('abort', this.onTimeLimit, { once: true });
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	private readonly onCancel = () => this.controller.abort();

	private readonly onTimeLimit = () => {
		this.overTime = true;
		this.controller.abort();
	};

	/** Stops listening for Stop and the time limit. */
	end(): void {
		this.finished = true;
		this.cancelSignal?.removeEventListener('abort', this.onCancel);
		this.timeLimit.removeEventListener('abort', this.onTimeLimit);
	}

	abort(): void {
		this.controller.abort();
	}

	tooLarge(): NodeOperationError {
		return downloadError(this.node, 'tooLarge', `The report is larger than Max Download Size (${formatMegabytes(this.options.maxBytes)})`);
	}

	/** Why the download failed, in words: Stop, a limit, a stall or a broken connection. */
	failure(error: unknown): NodeOperationError {
		if (this.cancelSignal?.aborted) {
			return downloadError(this.node, 'cancelled', 'The execution was cancelled during the report download');
		}
		if (this.overTime) {
			const limit = `Download Time Limit (${Math.round(this.options.timeLimitMs / 1000)} s)`;
			const arrived = this.bytesRead > 0 ? `; ${formatMegabytes(this.bytesRead)} had arrived` : '';
			return downloadError(this.node, 'timeLimit', `The report download took longer than ${limit}${arrived}`);
		}
		if (this.stalled) {
			const seconds = Math.round(this.options.stallTimeoutMs / 1000);
			return downloadError(this.node, 'stalled', `The report download stalled: no data for ${seconds} s after ${this.bytesRead} bytes`);
		}
		if (!this.reading) {
			return downloadError(this.node, 'network', `Could not download the report: ${describeNetworkError(error)}`);
		}
		const of = this.contentLength !== undefined ? ` of ${this.contentLength}` : '';
		return downloadError(
			this.node,
			'truncated',
			`The report download broke off after ${this.bytesRead} bytes${of}: ${describeNetworkError(error)}`,
		);
	}

	startsLikeArchive(): boolean {
		const head = this.head;
		if (!head) return false;
		const gzip = head[0] === 0x1f && head[1] === 0x8b;
		const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
		return gzip || zip;
	}

	/** The body, counted against the size limit, watched for stalls, reported as it progresses. */
	async *read(body: NodeReadable, contentLength: number | undefined): AsyncGenerator<Uint8Array> {
		this.reading = true;
		this.contentLength = contentLength;
		void this.watchForStall(body);
		const progressEvery = this.options.progressEvery ?? 16 * 1024 * 1024;
		let nextReport = progressEvery;
		try {
			for await (const chunk of body) {
				if (!this.head) this.head = chunk.subarray(0, 4);
				this.bytesRead += chunk.length;
				if (this.bytesRead > this.options.maxBytes) throw this.tooLarge();
				this.lastProgressAt = Date.now();
				if (this.bytesRead >= nextReport) {
					nextReport += progressEvery;
					this.options.onProgress?.(this.bytesRead);
				}
				yield chunk;
			}
		} catch (error) {
			throw error instanceof NodeOperationError ? error : this.failure(error);
		} finally {
			this.end();
			// Closes the connection as well when reading stopped early (a limit, an error, a consumer
			// that gave up): destroying axios's stream wrapper alone would leave the socket open.
			this.controller.abort();
		}
		if (contentLength !== undefined && this.bytesRead < contentLength) {
			throw downloadError(
				this.node,
				'truncated',
				`The report download ended early: ${this.bytesRead} of ${contentLength} bytes arrived`,
			);
		}
	}

	private async watchForStall(body: NodeReadable): Promise<void> {
		const stallMs = this.options.stallTimeoutMs;
		const tick = Math.min(1000, Math.max(50, stallMs / 4));
		while (!this.finished) {
			await waitUnlessCancelled(tick);
			if (!this.finished && Date.now() - this.lastProgressAt > stallMs) {
				this.stalled = true;
				this.controller.abort();
				body.destroy(new Error('stalled'));
				return;
			}
		}
	}
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
		const { refusal, address } = await checkDownloadTarget(context, target, rules, previous);
		if (refusal) throw downloadError(node, 'refused', `Refused to download the report: its link ${refusal.reason}`);
		const response = (await context.helpers.httpRequest({
			// The socket goes to the address the guard checked: the agent's `host` wins over the
			// URL's when connecting, while the Host header and TLS still use the name.
			...(address ? { agentOptions: { host: address } } : {}),
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

/** An expired link on S3-style storage answers 403 with an XML body. */
export async function httpFailure(node: INode, status: number, body: NodeReadable): Promise<NodeOperationError> {
	const text = await readSome(body, 4096);
	const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
	const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1];
	const detail = [code, message].filter(Boolean).join(': ');
	if (status === 403 || status === 404 || status === 410) {
		return downloadError(
			node,
			'expired',
			`The report link is no longer valid (HTTP ${status}${detail ? `, ${detail}` : ''}); request a new report`,
		);
	}
	return downloadError(node, 'http', `The report download failed with HTTP ${status}${detail ? ` (${detail})` : ''}`);
}

async function readSome(body: NodeReadable, limit: number): Promise<string> {
	const chunks: Uint8Array[] = [];
	let length = 0;
	try {
		for await (const chunk of body) {
			chunks.push(chunk);
			length += chunk.length;
			if (length >= limit) break;
		}
	} catch (error) {
		// The status already says the download failed; a broken error body adds nothing.
		chunks.push(Buffer.from(`(error body unreadable: ${describeNetworkError(error)})`));
	} finally {
		body.destroy();
	}
	return Buffer.concat(chunks).toString('utf8').slice(0, limit);
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

