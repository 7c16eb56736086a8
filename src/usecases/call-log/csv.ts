/**
 * CSV as RFC 4180 writes it (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends; a field holding a comma, a
 * double quote, CR or LF is enclosed in double quotes with each quote doubled. Text a caller chose (a `call_id`)
 * may also start a spreadsheet formula: a text cell beginning with `=`, `+`, `-`, `@`, a tab or CR gets a leading
 * apostrophe, which spreadsheets read as "this is text" (OWASP, https://owasp.org/www-community/attacks/CSV_Injection;
 * CWE-1236). Numbers and times we format ourselves are never touched, so they stay numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A text cell: guarded against formulas, then quoted if it must be. */
export function csvText(value: string): string {
  return quoted(FORMULA_START.test(value) ? `'${value}` : value);
}

/** A cell we formatted (a number, an ISO time, a boolean): quoted only if it must be, never prefixed. */
export function csvValue(value: string | number | boolean): string {
  return quoted(String(value));
}

export function csvLine(cells: string[]): string {
  return `${cells.join(',')}\r\n`;
}

function quoted(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
