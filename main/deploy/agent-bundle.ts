import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

// The agent bundle instances download at boot: the agents' sources and the protocol they share,
// as a reproducible .tar.gz (sorted entries, zero mtimes), so the same code gives the same bytes
// and the same content-hashed key, and an unchanged bundle is never uploaded twice.

function header(name: string, size: number, mode: number): Buffer {
  const h = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => h.write(value, offset, length, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';
  if (name.length > 100) {
    // ustar keeps long paths as prefix (155) + '/' + name (100).
    const cut = [...name].findIndex((ch, i) => ch === '/' && name.length - i - 1 <= 100 && i <= 155);
    if (cut < 0) throw new Error(`${name} is too long a path for the agent bundle.`);
    field(name.slice(cut + 1), 0, 100);
    field(name.slice(0, cut), 345, 155);
  } else field(name, 0, 100);
  field(octal(mode, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(size, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of h) sum += byte;
  field(octal(sum, 7) + ' ', 148, 8);
  return h;
}

function walk(dir: string, skip: (path: string) => boolean): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (skip(path)) return [];
      return statSync(path).isDirectory() ? walk(path, skip) : [path];
    });
}

export interface BundleEntry {
  name: string;
  body: Buffer;
  mode: number;
}

export function tarGz(entries: BundleEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const e of entries) chunks.push(header(e.name, e.body.length, e.mode), e.body, Buffer.alloc((512 - (e.body.length % 512)) % 512));
  chunks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}

function launcher(entry: string): Buffer {
  // The boot scripts run bin/benchtop-services or bin/benchtop-worker from the unpacked bundle;
  // dependencies (better-sqlite3 is native) are installed for the instance's own architecture on first start.
  return Buffer.from(`#!/bin/sh
set -eu
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --omit=dev --no-audit --no-fund
exec node --import tsx ${entry}
`);
}

/** agents/ with the tiers they may import (common/, lib/), without tests; package.json, the lock file and the two launchers the boot scripts run. */
export function buildAgentBundle(root: string): Buffer {
  const skip = (path: string) => /node_modules|\.test\.ts$|[\\/]\./.test(path);
  const files = ['agents', 'common', 'lib'].flatMap((tier) => walk(join(root, tier), skip)).map((file) => ({ name: relative(root, file).split(sep).join('/'), body: readFileSync(file), mode: 0o644 }));
  const meta = ['package.json', 'package-lock.json'].map((name) => ({ name, body: readFileSync(join(root, name)), mode: 0o644 }));
  return tarGz([
    { name: 'bin/benchtop-services', body: launcher('agents/services/main.ts'), mode: 0o755 },
    { name: 'bin/benchtop-worker', body: launcher('agents/worker/main.ts'), mode: 0o755 },
    ...meta,
    ...files,
  ]);
}
