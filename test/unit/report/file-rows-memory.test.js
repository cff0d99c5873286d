'use strict';
// Rows "as in the file" whose columns are named by field IDs ("101"): the same values, and no
// more memory per row than with named columns.
const v8 = require('node:v8');
const vm = require('node:vm');
const { createFileRowShaper, fileColumnKeys } = require('../../../nodes/Selzy/report/fileRows');

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

/** Heap bytes per row held by `count` rows shaped from `keys`. */
function bytesPerRow(keys, count) {
	const shape = createFileRowShaper(keys);
	collectGarbage();
	const before = process.memoryUsage().heapUsed;
	const rows = new Array(count);
	for (let i = 0; i < count; i++) rows[i] = shape([`user${i}@example.com`, 'ok_delivered', `v${i}`, `w${i}`]);
	collectGarbage();
	const held = (process.memoryUsage().heapUsed - before) / count;
	expect(rows[count - 1][keys[3]]).toBe(`w${count - 1}`);
	return held;
}

test('columns named by field IDs cost about what named columns cost', () => {
	const named = bytesPerRow(['email', 'send_result', 'city', 'phone'], 50_000);
	const byId = bytesPerRow(['email', 'send_result', '101', '104'], 50_000);
	// Assigning row["104"] made V8 reserve room for 105+ slots per row: about 1.2 KB more.
	expect(byId).toBeLessThan(named * 1.5 + 100);
});

test('field-ID columns keep every value exactly, a renamed __proto__ column included', () => {
	const shape = createFileRowShaper(fileColumnKeys(['email', '101', '__proto__', '0']));
	const row = shape(['a@b.c', 'Санкт-Петербург "центр"\n', '{"x":1}', '']);
	expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
	expect(row).toEqual({ email: 'a@b.c', 101: 'Санкт-Петербург "центр"\n', __proto___column: '{"x":1}', 0: '' });
	expect(shape(['only'])).toEqual({ email: 'only', 101: '', __proto___column: '', 0: '' });
});

test('enriched rows keep field-ID fields exactly and as small', () => {
	const { createRowShaper } = require('../../../nodes/Selzy/report/rows');
	const shape = createRowShaper(['email', 'send_result', 'last_update', '101', '__proto__']);
	const row = shape(['a@b.c', 'ok_delivered', '2024-05-01 10:00:00', 'Омск', 'x']);
	expect(row.fields).toEqual({ 101: 'Омск', __proto___column: 'x' });
	expect(Object.getPrototypeOf(row.fields)).toBe(Object.prototype);

	const held = (header) => {
		const shapeRow = createRowShaper(header);
		collectGarbage();
		const before = process.memoryUsage().heapUsed;
		const rows = Array.from({ length: 30_000 }, (_, i) => shapeRow([`u${i}@x.y`, 'ok_delivered', '2024-05-01 10:00:00', `c${i}`]));
		collectGarbage();
		expect(rows).toHaveLength(30_000);
		return (process.memoryUsage().heapUsed - before) / rows.length;
	};
	expect(held(['email', 'send_result', 'last_update', '104'])).toBeLessThan(held(['email', 'send_result', 'last_update', 'city']) * 1.5 + 100);
});
