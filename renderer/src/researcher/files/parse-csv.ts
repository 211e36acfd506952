/**
 * RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF), up to `maxRows` rows — enough to show a
 * results table; a tab-separated file is read the same way with `separator: '\t'`.
 */
export function parseCsv(text: string, options: { separator?: string; maxRows?: number } = {}): { rows: string[][]; truncated: boolean } {
  const sep = options.separator ?? ',';
  const maxRows = options.maxRows ?? 1000;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (rows.length >= maxRows) return { rows, truncated: i + 1 < text.length };
    } else field += c;
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return { rows, truncated: false };
}
