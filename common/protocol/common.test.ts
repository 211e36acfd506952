import { describe, expect, it } from 'vitest';
import { fileWrite } from './capsules.js';
import { isBase64, relativePath, utf8ByteLength } from './common.js';

const message = (value: unknown) => {
  const parsed = relativePath.safeParse(value);
  return parsed.success ? null : parsed.error.issues.map((i) => i.message).join('; ');
};

describe('relativePath', () => {
  it('takes names of up to 255 UTF-8 bytes and refuses longer ones, naming the limit', () => {
    expect(relativePath.safeParse(`dir/${'a'.repeat(255)}`).success).toBe(true);
    expect(message(`dir/${'a'.repeat(256)}`)).toContain('at most 255');
    // 128 two-byte letters: 128 characters, 256 bytes.
    expect(message(`${'é'.repeat(128)}/x`)).toContain('256 bytes');
  });

  it('normalises to NFC, so composed and decomposed spellings are one path', () => {
    const composed = 'caf\u00e9.csv';
    const decomposed = 'cafe\u0301.csv';
    expect(relativePath.parse(decomposed)).toBe(composed);
    expect(relativePath.parse(composed)).toBe(composed);
  });

  it('refuses bidirectional text controls', () => {
    for (const control of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c']) {
      expect(message(`report${control}gpj.exe`)).toContain('bidirectional');
    }
  });
});

describe('base64 file content', () => {
  it('accepts standard padded base64 only', () => {
    for (const good of ['', 'AA==', 'AAA=', 'AAAA', 'aGVsbG8gd29ybGQ=', '+/+/']) expect(isBase64(good)).toBe(true);
    for (const bad of ['!!!', 'AAA', 'A===', 'AA=A', 'aGVs bG8=', 'aGVsbG8_', 'AA==AA==']) expect(isBase64(bad)).toBe(false);
  });

  it('refuses a capsule file whose base64 content does not decode', () => {
    const parsed = fileWrite.safeParse({ path: 'data.bin', content: '!!!', encoding: 'base64' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['content']);
    expect(fileWrite.safeParse({ path: 'notes.txt', content: '!!!' }).success).toBe(true);
  });
});

describe('utf8ByteLength', () => {
  it('counts what Node encodes, from ASCII to astral characters', () => {
    for (const text of ['', 'plot.png', 'é', 'Ω€', '数据', '🙂x', 'a\u0301', 'x'.repeat(300)]) {
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});

describe('isBase64 on large content', () => {
  it('checks megabytes in one pass instead of overflowing the regexp stack', () => {
    const text = Buffer.alloc(6 * 1024 * 1024, 7).toString('base64');
    expect(isBase64(text)).toBe(true);
    expect(isBase64(`${text.slice(0, -4)}!!!=`)).toBe(false);
    expect(isBase64(text.slice(1))).toBe(false);
  });
});
