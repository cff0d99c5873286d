'use strict';
/**
 * n8n's deduplication store for the harness: n8n keeps it in its database (ProcessedData, one
 * row per workflow and context); here it is a map with the same rules for the 'entries' mode:
 * values are kept as MD5 hashes, per node (or per workflow), trimmed to `maxEntries`, oldest first.
 * Like n8n, each change reads the row, then writes it back a moment later, without a lock.
 */
const crypto = require('node:crypto');
const { DataDeduplicationService } = require('n8n-core/dist/data-deduplication-service');

const hash = (value) => crypto.createHash('md5').update(String(value)).digest('base64');


function contextKey(scope, { workflow, node }) {
	if (!workflow?.id) throw new Error('the deduplication store needs a workflow ID');
	return `${workflow.id}:${scope === 'node' ? `node:${node.id}` : ''}`;
}

class MemoryDeduplicator {
	constructor() {
		this.stored = new Map();
		/** The time between n8n's read of the row and its write (a test may make it longer). */
		this.writeDelayMs = 5;
	}

	databaseWrite() {
		return new Promise((resolve) => setTimeout(resolve, this.writeDelayMs));
	}

	entriesOnly(options) {
		if (options.mode !== 'entries') throw new Error(`the harness keeps only the 'entries' mode, not '${options.mode}'`);
	}

	async checkProcessedAndRecord(items, scope, contextData, options) {
		this.entriesOnly(options);
		const key = contextKey(scope, contextData);
		const data = [...(this.stored.get(key) ?? [])];
		const seen = new Set(data);
		const result = { new: [], processed: [] };
		for (const item of items) {
			const hashed = hash(item);
			if (seen.has(hashed)) result.processed.push(item);
			else {
				result.new.push(item);
				data.push(hashed);
				seen.add(hashed);
			}
		}
		if (options.maxEntries) data.splice(0, data.length - options.maxEntries);
		await this.databaseWrite();
		this.stored.set(key, data);
		return result;
	}

	async removeProcessed(items, scope, contextData, options) {
		this.entriesOnly(options);
		const key = contextKey(scope, contextData);
		const remove = new Set(items.map(hash));
		const kept = (this.stored.get(key) ?? []).filter((hashed) => !remove.has(hashed));
		await this.databaseWrite();
		this.stored.set(key, kept);
	}

	async clearAllProcessedItems(scope, contextData) {
		this.stored.delete(contextKey(scope, contextData));
	}

	async getProcessedDataCount(scope, contextData) {
		return (this.stored.get(contextKey(scope, contextData)) ?? []).length;
	}
}

const deduplicator = new MemoryDeduplicator();
let initialised;

/** The one store of this process (n8n has one per process too), set up on first use. */
async function useMemoryDeduplication() {
	initialised ??= DataDeduplicationService.init(deduplicator);
	await initialised;
	return deduplicator;
}

module.exports = { useMemoryDeduplication };
