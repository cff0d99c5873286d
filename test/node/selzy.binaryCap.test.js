'use strict';
// File output when n8n's binary store refuses the file: queue mode's `database` binary-data mode
// throws n8n-core's FileTooLargeError above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE. The node turns
// it into an error that names the setting and the outputs that need no file.
const { FileTooLargeError } = require('n8n-core');
const { Selzy, useSelzy, reportParams } = require('./selzy.support');

const env = useSelzy();

describe('file output above the binary store’s size limit', () => {
	test('fails with an error naming N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE and suggesting Rows or Summary', async () => {
		const service = env.harness.runtime.binaryDataService;
		const store = service.store;
		// What database mode does with a file over its cap (database.manager.js in n8n).
		service.store = async (location, stream, metadata) => {
			for await (const chunk of stream) void chunk;
			throw new FileTooLargeError({ fileSizeMb: 22.5, maxFileSizeMb: 16, fileId: 'f-1', fileName: metadata.fileName });
		};
		try {
			const { status, error } = await env.harness.runExecute(Selzy, {
				parameters: reportParams(1002, { waitMode: 'poll', output: 'file', options: { pollInterval: 1 } }),
			});
			expect(status).toBe('error');
			expect(error.message).toBe('The report file is too large for n8n’s binary data storage');
			expect(error.description).toContain('exceeds the max size limit of 16 MB');
			expect(error.description).toContain('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
			expect(error.description).toContain('N8N_DEFAULT_BINARY_DATA_MODE=database');
			expect(error.description).toMatch(/Rows or Summary output/);
			expect(error.description).toContain(`Task ID: ${env.sb.tasks[0].uuid}.`);
			expect(error.description).not.toMatch(/not in a format this node understands/);
		} finally {
			service.store = store;
		}
	});

	test('a storage failure such as a full disk is reported as one, not blamed on the report file', async () => {
		const service = env.harness.runtime.binaryDataService;
		const store = service.store;
		service.store = async () => {
			throw new Error('disk full');
		};
		try {
			const { status, error } = await env.harness.runExecute(Selzy, {
				parameters: reportParams(1002, { waitMode: 'poll', output: 'file', options: { pollInterval: 1 } }),
			});
			expect(status).toBe('error');
			expect(error.message).toBe(`The report of task ${env.sb.tasks[0].uuid} could not be delivered: disk full`);
			expect(error.message).not.toMatch(/could not be read/);
			expect(error.description).not.toMatch(/format/);
			expect(error.description).toMatch(/Task → Get Result/);
		} finally {
			service.store = store;
		}
	});
});
