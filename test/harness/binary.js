'use strict';
/**
 * Read-side helpers for binaries n8n stored in filesystem mode, so tests can
 * check what actually landed on disk (path, size, bytes) and read it back
 * through n8n's own BinaryDataService.
 */
const fs = require('node:fs');

/**
 * @param {object} binaryDataService n8n-core's BinaryDataService
 * @param {object} binaryData an item's `binary.<property>` entry
 */
function describeBinary(binaryDataService, binaryData) {
	if (!binaryData?.id) {
		throw new Error('This binary has no id, so it was not stored by the binary data service (in-memory base64?)');
	}
	const filePath = binaryDataService.getPath(binaryData.id);
	return {
		id: binaryData.id,
		mode: binaryData.data,
		path: filePath,
		size: fs.statSync(filePath).size,
		fileName: binaryData.fileName,
		mimeType: binaryData.mimeType,
		bytes: () => fs.readFileSync(filePath),
		text: (encoding = 'utf8') => fs.readFileSync(filePath, encoding),
		/** `{ fileName, mimeType, fileSize }` from n8n's `.metadata` file. */
		metadata: async () => await binaryDataService.getMetadata(binaryData.id),
		/** A stream from n8n's own `getAsStream`, as `helpers.getBinaryStream` returns. */
		stream: async () => await binaryDataService.getAsStream(binaryData.id),
	};
}

/** `{ [property]: describeBinary(...) }` for one output item. */
function describeItemBinaries(binaryDataService, item) {
	const result = {};
	for (const [property, binaryData] of Object.entries(item?.binary ?? {})) {
		result[property] = describeBinary(binaryDataService, binaryData);
	}
	return result;
}

module.exports = { describeBinary, describeItemBinaries };
