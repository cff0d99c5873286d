'use strict';
/**
 * Parameters and readings shared by the contact-writing suites (Import, Subscribe, Exclude,
 * Unsubscribe, Get): how a workflow would set the node up, and what the sandbox received.
 */
const { apiCalls } = require('./selzy.support');

/** Contact → Import from input items, columns mapped as in the editor (`value`: column → expression). */
function importParams(value, rest = {}) {
	return {
		resource: 'contact',
		operation: 'import',
		source: 'columns',
		columns: { mappingMode: 'defineBelow', value, matchingColumns: [], schema: [], attemptToConvertTypes: false, convertFieldsToString: false },
		...rest,
	};
}

/** The same with Map Automatically: each item's own keys are the columns. */
function autoMapParams(rest = {}) {
	return importParams(null, { ...rest, columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] } });
}

/** Contact → Import of each item's JSON list. */
function jsonImportParams(contacts, rest = {}) {
	return { resource: 'contact', operation: 'import', source: 'json', contacts: typeof contacts === 'string' ? contacts : JSON.stringify(contacts), ...rest };
}

/** Contact → Import of the CSV file in each item's binary field `data`. */
function fileImportParams(rest = {}) {
	return { resource: 'contact', operation: 'import', source: 'file', binaryPropertyName: 'data', ...rest };
}

/** The form bodies of the importContacts calls, in order, as Selzy read them: field names and rows. */
function importBodies(env) {
	return env.rawBodies
		.filter((raw) => raw.path.endsWith('/importContacts'))
		.map(({ body }) => {
			const form = new URLSearchParams(body);
			const fieldNames = [];
			const rows = [];
			for (const [key, value] of form) {
				const field = /^field_names\[(\d+)\]$/.exec(key);
				const cell = /^data\[(\d+)\]\[(\d+)\]$/.exec(key);
				if (field) fieldNames[Number(field[1])] = value;
				if (cell) (rows[Number(cell[1])] ??= [])[Number(cell[2])] = value;
			}
			return { fieldNames, rows, overwriteTags: form.get('overwrite_tags'), overwriteLists: form.get('overwrite_lists') };
		});
}

/** Input items that are contacts: `{ email, name }` for n of them. */
const people = (n, from = 0) => Array.from({ length: n }, (_, i) => ({ json: { email: `person${from + i}@shop.example`, name: `Person ${from + i}` } }));

const importCalls = (sb) => apiCalls(sb, 'importContacts');

module.exports = { importParams, autoMapParams, jsonImportParams, fileImportParams, importBodies, people, importCalls };
