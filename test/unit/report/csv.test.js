'use strict';

const { parse: csvParseOracle } = require('csv-parse/sync');
const { createCsvParser, parseCsv, parseCsvBatches } = require('../../../nodes/Selzy/report/csv');
const { decodeReport, createReportMeta } = require('../../../nodes/Selzy/report/decode');
const { ReportFormatError } = require('../../../nodes/Selzy/report/errors');
const { seededRandom, split, source, collect } = require('./support');

/** Parses `text` fed in the given chunks through the synchronous parser. */
function parseChunks(chunks, options) {
	const parser = createCsvParser(options);
	const records = [];
	for (const chunk of chunks) records.push(...parser.push(chunk));
	records.push(...parser.end());
	return records;
}

const parseText = (text, options, size = text.length || 1) => parseChunks(split(text, size), options);

describe('parseCsv: values come back exactly as written', () => {
	test('leading zeros, spaces and empty values are kept', () => {
		expect(parseText('a,b,c,d\n007, x ,,"  "\n')).toEqual([
			['a', 'b', 'c', 'd'],
			['007', ' x ', '', '  '],
		]);
	});

	test('quoted values keep delimiters, doubled quotes and line breaks', () => {
		const text = 'name,note\r\n"Smith, John","He said ""hi""\r\nand left"\r\n"a\nb",\n';
		expect(parseText(text)).toEqual([
			['name', 'note'],
			['Smith, John', 'He said "hi"\r\nand left'],
			['a\nb', ''],
		]);
	});

	test('CRLF and LF may be mixed; a lone CR inside a value is text', () => {
		expect(parseText('a,b\r\n1,x\ry\n2,z\r\n')).toEqual([
			['a', 'b'],
			['1', 'x\ry'],
			['2', 'z'],
		]);
	});

	test('old Mac files (lone CR line ends) are read when the header line ends with CR', () => {
		expect(parseText('a,b\r1,"x\ry"\r2,z')).toEqual([
			['a', 'b'],
			['1', 'x\ry'],
			['2', 'z'],
		]);
	});

	test('the last line may or may not end with a line break; a trailing delimiter means an empty value', () => {
		expect(parseText('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
		expect(parseText('a,b\n1,2\n')).toEqual([['a', 'b'], ['1', '2']]);
		expect(parseText('a,b\n1,')).toEqual([['a', 'b'], ['1', '']]);
		expect(parseText('a,b\n1,""')).toEqual([['a', 'b'], ['1', '']]);
	});

	test('empty lines are skipped, but a line holding "" is a record', () => {
		expect(parseText('a\n\n1\r\n\r\n""\n\n')).toEqual([['a'], ['1'], ['']]);
	});

	test('a quote inside an unquoted value is kept as text', () => {
		expect(parseText('a,b\n5" disk,x"y"\n')).toEqual([
			['a', 'b'],
			['5" disk', 'x"y"'],
		]);
	});

	test('a byte order mark before the header is dropped', () => {
		expect(parseText('\uFEFFemail,send_result\nx,ok_read\n', undefined, 1)).toEqual([
			['email', 'send_result'],
			['x', 'ok_read'],
		]);
	});

	test('an unterminated quote at the end of the file is an error', () => {
		expect(() => parseText('a,b\n1,"open\n2,3\n')).toThrow(ReportFormatError);
		expect(() => parseText('a,b\n1,"open\n2,3\n')).toThrow(/not closed/);
	});

	test('text after a closing quote is an error naming the record', () => {
		expect(() => parseText('a,b\n1,2\n"x"y,3\n')).toThrow(/after a closing quote \(record 3/);
	});
});

describe('parseCsv: delimiter', () => {
	test.each([
		['comma', 'email,send_result\nx,ok\n', ','],
		['semicolon', 'email;send_result;"a,b,c"\nx;ok;1\n', ';'],
		['tab', 'email\tsend_result\nx\tok\n', '\t'],
		['single column', 'email\nx\n', ','],
	])('is detected from the header line (%s)', (_, text, delimiter) => {
		const parser = createCsvParser();
		const records = [...parser.push(text), ...parser.end()];
		expect(parser.delimiter).toBe(delimiter);
		expect(records[1][0]).toBe('x');
	});

	test('detection waits for the whole header line, even split in single characters', () => {
		const records = parseText('"e;mail";send_result;x\r\na;b;c\r\n', undefined, 1);
		expect(records).toEqual([
			['e;mail', 'send_result', 'x'],
			['a', 'b', 'c'],
		]);
	});

	test('blank lines before the header do not hide it', () => {
		const parser = createCsvParser();
		const records = [...parser.push('\r\n\r'), ...parser.push('\nemail;send_result\r\nx;ok\r\n'), ...parser.end()];
		expect(parser.delimiter).toBe(';');
		expect(records).toEqual([['email', 'send_result'], ['x', 'ok']]);
	});

	test('a given delimiter is used as is', () => {
		expect(parseText('a|b\n1|2,3\n', { delimiter: '|' })).toEqual([['a', 'b'], ['1', '2,3']]);
		expect(() => createCsvParser({ delimiter: '||' })).toThrow(ReportFormatError);
	});
});

describe('parseCsv: async iterators', () => {
	test('record and batch iterators give the same records', async () => {
		const text = 'a,b\n' + Array.from({ length: 100 }, (_, i) => `${i},"v${i}\n"`).join('\n');
		const chunks = split(text, 13);
		const records = await collect(parseCsv(source(chunks)));
		const batches = await collect(parseCsvBatches(source(chunks)));
		expect(batches.flat()).toEqual(records);
		expect(records).toHaveLength(101);
		expect(records[100]).toEqual(['99', 'v99\n']);
	});
});

// ---------------------------------------------------------------------------------------
// Property test: random CSV files, random chunking, compared with csv-parse as the oracle.
// ---------------------------------------------------------------------------------------

const PLAIN = [
	...'abcxyzABCXYZ0123456789 .-_@+/=()!?#$%&*',
	'а', 'Ж', 'ё', 'Ё', 'щ', '€', '中', '文', 'é', 'e\u0301', '😀', '𝄞', '👍🏽', '\u00a0', '\ufeff', '\t', ';', ',', '|',
];
const DELIMITERS = [',', ';', '\t', '|'];

function generateFile(random) {
	const delimiter = random.pick(DELIMITERS);
	const detect = delimiter !== '|' && random() < 0.5;
	const endings = random.pick(['\n', '\r\n', 'mixed', '\r']);
	const crMode = endings === '\r';
	const recordCount = random.int(0, 12);
	const width = random.int(1, 6);
	const records = [];
	for (let r = 0; r < recordCount; r++) {
		// The header is the first non-blank line.
		const inHeader = records.every((record) => record === '');
		const columns = inHeader && detect ? Math.max(2, width) : random() < 0.8 ? width : random.int(1, 7);
		const fields = [];
		for (let c = 0; c < columns; c++) fields.push(generateField(random, delimiter, crMode, inHeader, detect));
		records.push(fields.join(delimiter));
	}
	let text = '';
	records.forEach((record, r) => {
		text += record;
		const last = r === records.length - 1;
		if (!last || random() < 0.6) text += endings === 'mixed' ? random.pick(['\n', '\r\n']) : endings;
	});
	// In CR mode the header line must end with a lone CR for the file to be recognised as such.
	if (crMode && records.length > 0 && !text.includes('\r')) text += '\r';
	if (random() < 0.1) text = '\uFEFF' + text;
	return { text, delimiter, detect, crMode };
}

function generateField(random, delimiter, crMode, inHeader, detect) {
	// The header line decides the delimiter (when detected) and the line-end style, so it
	// holds no competing delimiters and no bare line-break characters.
	const inDetectedHeader = inHeader && detect;
	const kind = random();
	if (kind < 0.1) return '';
	if (kind < 0.4 && !inDetectedHeader) {
		// Quoted: anything goes inside, quotes doubled.
		let value = '';
		const length = random.int(0, 8);
		for (let i = 0; i < length; i++) {
			value += random.pick([...PLAIN.slice(0, 20), delimiter, '"', '\r', '\n', '\r\n', '😀', 'Ж', ',', ';']);
		}
		return `"${value.replace(/"/g, '""')}"`;
	}
	let value = '';
	const length = random.int(1, 8);
	for (let i = 0; i < length; i++) {
		let ch = random.pick(PLAIN);
		if (inDetectedHeader && [',', ';', '\t', '|'].includes(ch)) ch = 'h';
		if (ch === delimiter) ch = 'd';
		if (i === 0 && ch === '\uFEFF') ch = 'b'; // at the start of a file it would be a BOM
		// Stray quotes (not first) and lone CRs (not last, so never CR LF) stay as text.
		if (i > 0 && random() < 0.05) ch = '"';
		if (!inHeader && !crMode && i > 0 && i < length - 1 && random() < 0.03) ch = '\r';
		if (!inHeader && crMode && i > 0 && random() < 0.03) ch = '\n';
		value += ch;
	}
	return value;
}

function oracle({ text, delimiter, crMode }) {
	return csvParseOracle(text, {
		delimiter,
		record_delimiter: crMode ? '\r' : ['\r\n', '\n'],
		relax_quotes: true,
		relax_column_count: true,
		skip_empty_lines: true,
		bom: true,
	});
}

function chunkings(text, random) {
	const sizes = [
		1,
		() => random.int(1, 4),
		() => random.int(1, 40),
		Math.max(1, Math.floor(text.length / 2)),
		text.length || 1,
	];
	return sizes.map((size) => split(text, size));
}

describe('parseCsv agrees with csv-parse on thousands of random files, however they are chunked', () => {
	const FILES = 4000;
	const SEED = 20260501;

	test(`${FILES} random files × 5 chunkings (seed ${SEED})`, () => {
		const random = seededRandom(SEED);
		const mismatches = [];
		let records = 0;
		for (let n = 0; n < FILES && mismatches.length < 5; n++) {
			const file = generateFile(random);
			const expected = oracle(file);
			records += expected.length;
			for (const chunks of chunkings(file.text, random)) {
				let actual;
				try {
					actual = parseChunks(chunks, file.detect ? {} : { delimiter: file.delimiter });
				} catch (error) {
					actual = String(error);
				}
				if (JSON.stringify(actual) !== JSON.stringify(expected)) {
					mismatches.push({ file: n, text: file.text, delimiter: file.delimiter, chunks, expected, actual });
					break;
				}
			}
		}
		expect(mismatches).toEqual([]);
		expect(records).toBeGreaterThan(FILES * 4);
	});

	test('the same holds for UTF-8 bytes in random byte chunks, through the decoder (500 files)', async () => {
		const random = seededRandom(SEED + 1);
		const mismatches = [];
		for (let n = 0; n < 500 && mismatches.length < 5; n++) {
			const file = generateFile(random);
			const bytes = new TextEncoder().encode(file.text);
			const chunks = split(bytes, () => random.int(1, 9));
			const text = decodeReport(source(chunks), {}, createReportMeta());
			const options = file.detect ? {} : { delimiter: file.delimiter };
			const actual = await collect(parseCsvBatches(text, options)).then((batches) => batches.flat(), String);
			const expected = oracle(file);
			if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push({ file: n, text: file.text, expected, actual });
		}
		expect(mismatches).toEqual([]);
	});
});
