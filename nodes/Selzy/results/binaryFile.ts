import type { IBinaryData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createReportMeta, decodeReport } from '../report/decode';
import type { UnpackLimits } from '../report/limits';
import type { TaskKind } from '../tasks/kinds';
import type { ReportContext, ReportDownload } from '../transport/download';
import type { FileSettings } from './settings';

/** Stores the download in n8n's binary store as it arrives (File output). */
export async function storeTaskFile(
	context: ReportContext,
	download: ReportDownload,
	settings: FileSettings,
	kind: TaskKind,
): Promise<IBinaryData> {
	const fileName = settings.fileName || download.fileName || kind.fileName;
	const mimeType = mimeTypeFor(download.contentType, fileName);
	let binary: IBinaryData;
	try {
		binary = await context.helpers.prepareBinaryData(download.toReadable(), fileName, mimeType);
	} catch (error) {
		throw isBinaryStoreSizeLimit(error) ? binaryStoreSizeLimitError(context, error as Error, kind) : error;
	}
	if (download.looksCompressed()) await checkArchive(context, binary, settings.unpackLimits);
	return binary;
}

/**
 * n8n's `database` binary-data mode (the default in queue mode) buffers a file and refuses it
 * above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE with n8n-core's FileTooLargeError.
 */
function isBinaryStoreSizeLimit(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	return (
		error.constructor?.name === 'FileTooLargeError' ||
		/N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE|max size limit of .* set for `database` mode/.test(error.message)
	);
}

function binaryStoreSizeLimitError(context: ReportContext, error: Error, kind: TaskKind): NodeOperationError {
	return new NodeOperationError(context.getNode(), `The ${kind.noun} file is too large for n8n’s binary data storage`, {
		description:
			`${error.message.trim()} In this mode n8n keeps files in its database (N8N_DEFAULT_BINARY_DATA_MODE=database, ` +
			'the default in queue mode), up to N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (MiB, default 512, at most 1024). ' +
			'Choose the Rows or Summary output instead: they read the file while it downloads and store no file. ' +
			'Or raise N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, or use S3 binary data storage.',
	});
}

/**
 * A gzip or zip report cut short arrives "complete" when the server sends no length, so a stored
 * archive is read through once: a damaged one (or a decompression bomb, beyond `limits`) must not
 * be returned as the report. Plain text is not read back (in database mode that would load the
 * whole file again).
 */
async function checkArchive(context: ReportContext, binary: IBinaryData, limits: UnpackLimits): Promise<void> {
	const stored: AsyncIterable<Uint8Array> = binary.id
		? ((await context.helpers.getBinaryStream(binary.id)) as unknown as AsyncIterable<Uint8Array>)
		: (async function* () {
				yield Buffer.from(binary.data, 'base64');
			})();
	const text = decodeReport(stored, {}, createReportMeta(), limits);
	try {
		let step = await text.next();
		while (!step.done) step = await text.next();
	} finally {
		await text.return(undefined);
	}
}

function mimeTypeFor(contentType: string | undefined, fileName: string): string {
	const declared = contentType?.split(';')[0].trim().toLowerCase();
	if (declared && declared !== 'application/octet-stream' && declared !== 'binary/octet-stream') return declared;
	if (/\.csv$/i.test(fileName)) return 'text/csv';
	if (/\.json$/i.test(fileName)) return 'application/json';
	if (/\.zip$/i.test(fileName)) return 'application/zip';
	if (/\.gz$/i.test(fileName)) return 'application/gzip';
	return 'application/octet-stream';
}
