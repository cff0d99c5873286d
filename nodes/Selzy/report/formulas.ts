/**
 * Spreadsheet formula neutralisation, after OWASP's CSV-injection guidance: a value that a
 * spreadsheet (Google Sheets, Excel) would run as a formula gets a leading `'`, which makes
 * it plain text there. Neutralised are values that start with
 *  - `=`, `@`, a tab or a carriage return: always;
 *  - `+` or `-`: unless every other character is a digit, a space or one of `( ) - + . ,`.
 * So `+7 912 123-45-67`, `+79121234567`, `-42` and `-1,5` stay as they are (they can only
 * compute arithmetic, never call a function or reach a cell), while `+cmd|…`, `-1+A1` or
 * `@SUM(…)` get the quote. Anything else, including a value starting with a space, is left alone.
 */

const EQUALS = 61;
const AT = 64;
const TAB = 9;
const CR = 13;
const PLUS = 43;
const MINUS = 45;

/** Characters a phone number or a plain number may hold after its leading sign. */
const NUMBER_LIKE = /^[+-][\d ()+\-.,]*$/;

export function neutralizeFormula(value: string): string {
	const first = value.charCodeAt(0);
	if (first === EQUALS || first === AT || first === TAB || first === CR) return `'${value}`;
	if ((first === PLUS || first === MINUS) && !NUMBER_LIKE.test(value)) return `'${value}`;
	return value;
}
