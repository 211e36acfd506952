import { describe, expect, it } from 'vitest';
import { parseCsv } from './parse-csv.js';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes and CRLF', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n1,2').rows).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['1', '2']]);
  });
  it('stops at maxRows and says so', () => {
    expect(parseCsv('1\n2\n3\n4\n', { maxRows: 2 })).toEqual({ rows: [['1'], ['2']], truncated: true });
  });
});
