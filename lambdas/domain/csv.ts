/**
 * CSV output that is safe to open in a spreadsheet: fields are quoted as RFC 4180 asks,
 * and a cell that starts with = + - @ tab or carriage return is prefixed with an
 * apostrophe so a spreadsheet shows it as text instead of running it as a formula.
 */
export function csvCell(value: string | number | boolean | undefined | null): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | boolean | undefined | null>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
