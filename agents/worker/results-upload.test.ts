import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectResults, uploadResults } from './results-upload.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'benchtop-results-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('results upload', () => {
  it('lists every regular file with size and sha256, sorted, skipping links that could leak host files', async () => {
    mkdirSync(join(dir, 'plots'));
    writeFileSync(join(dir, 'table.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dir, 'plots', 'fig.png'), 'png');
    symlinkSync('/etc/passwd', join(dir, 'passwd'));
    writeFileSync(join(dir, 'back\\slash.txt'), 'x');
    const skipped: string[] = [];
    const files = await collectResults(dir, (p) => skipped.push(p));
    expect(files.map(({ path, size, sha256 }) => ({ path, size, sha256 }))).toEqual([
      { path: 'plots/fig.png', size: 3, sha256: sha('png') },
      { path: 'table.csv', size: 8, sha256: sha('a,b\n1,2\n') },
    ]);
    expect(skipped.sort()).toEqual(['back\\slash.txt', 'passwd']);

    const uploaded: Record<string, string> = {};
    const manifest = await uploadResults(files, async (file, body) => {
      uploaded[file.path] = await new Response(body).text();
    });
    expect(uploaded).toEqual({ 'plots/fig.png': 'png', 'table.csv': 'a,b\n1,2\n' });
    expect(manifest.files.map((f) => f.path)).toEqual(['plots/fig.png', 'table.csv']);
  });
});
