import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeRedirectFile } from './redirect-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'benchtop-redirect-'));
  dirs.push(dir);
  return dir;
}

describe('browser redirect file', () => {
  it('is readable only by its owner, sends the browser to the address, and is gone after remove()', () => {
    const dir = tempDir();
    const url = 'http://127.0.0.1:4100/?token=abc_-123&x="<y>"';
    const file = writeRedirectFile(dir, url);
    expect(path.dirname(file.path)).toBe(dir);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    const html = readFileSync(file.path, 'utf8');
    const escaped = 'http://127.0.0.1:4100/?token=abc_-123&amp;x=&quot;&lt;y&gt;&quot;';
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${escaped}">`);
    expect(html).toContain(`<a href="${escaped}">`);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    file.remove();
    expect(existsSync(file.path)).toBe(false);
  });

  it('replaces a link planted in its place instead of writing through it', () => {
    const dir = tempDir();
    const target = path.join(tempDir(), 'elsewhere.txt');
    writeFileSync(target, 'untouched');
    symlinkSync(target, path.join(dir, `browser-open-${process.pid}.html`));
    const file = writeRedirectFile(dir, 'http://127.0.0.1:4100/?token=t');
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(lstatSync(file.path).isSymbolicLink()).toBe(false);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
  });
});
