import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { USAGE_FILE, type CacheUsage } from '../environments/environment-cache.js';
import { runCommand } from './run-command.js';

export interface ImageCacheOptions {
  docker: string;
  /** Where the last use and size of each environment image is kept (`<environment cache>/images.json`). */
  file: string;
  maxBytes: number;
}

const ledger = z.record(z.string(), z.object({ usedAt: z.number(), bytes: z.number().int().min(0), aliases: z.array(z.string()).default([]) }));
type Ledger = z.infer<typeof ledger>;

/**
 * The environment images on this Docker engine, bounded as the native environments are: each use
 * is recorded with the image's size, and the least recently used images are removed
 * (`docker image rm`) while they hold more than `maxBytes` together. An image a run is using, or
 * one the engine refuses to remove (a container still has it), is kept. Layers shared between
 * images are counted in each, so the bound is on the sum of image sizes as Docker reports them.
 */
export class ImageCache {
  private readonly inUse = new Map<string, number>();
  private entries: Ledger;

  constructor(private readonly options: ImageCacheOptions) {
    let text: string | null = null;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch {
      // No ledger yet: the first use writes it.
    }
    const parsed = text === null ? null : ledger.safeParse(safeJson(text));
    this.entries = parsed?.success ? parsed.data : {};
  }

  /**
   * Records a use of `reference` and evicts what is over the bound; call `release` when its run is
   * over. `aliases`: the image's other tags (its environment tag, the registry tag), removed with it,
   * since an image stays on disk while any tag names it.
   */
  async use(reference: string, aliases: readonly string[] = []): Promise<{ usage: CacheUsage; release: () => void }> {
    this.inUse.set(reference, (this.inUse.get(reference) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.inUse.get(reference) ?? 1) - 1;
      if (left > 0) this.inUse.set(reference, left);
      else this.inUse.delete(reference);
    };
    const size = await runCommand(this.options.docker, ['image', 'inspect', '--format', '{{.Size}}', reference]);
    const bytes = Number(size.stdout.trim());
    this.entries[reference] = { usedAt: Date.now(), bytes: size.code === 0 && Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : 0, aliases: aliases.filter((a) => a !== reference) };
    const usage = await this.evict();
    return { usage, release };
  }

  private async evict(): Promise<CacheUsage> {
    let bytes = Object.values(this.entries).reduce((sum, e) => sum + e.bytes, 0);
    const oldest = Object.entries(this.entries).sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [reference, entry] of oldest) {
      if (bytes <= this.options.maxBytes) break;
      if (this.inUse.has(reference)) continue;
      const removed = await runCommand(this.options.docker, ['image', 'rm', reference, ...entry.aliases]);
      // "No such image" alone: someone removed them already, and they hold nothing any more.
      const refused = removed.stderr.split('\n').filter((line) => line.trim() !== '' && !/no such image/i.test(line));
      if (removed.code !== 0 && refused.length > 0) continue;
      delete this.entries[reference];
      bytes -= entry.bytes;
    }
    mkdirSync(dirname(this.options.file), { recursive: true });
    const temp = `${this.options.file}.${process.pid}`;
    await writeFile(temp, `${JSON.stringify(this.entries)}\n`);
    await rename(temp, this.options.file);
    const usage: CacheUsage = { entries: Object.keys(this.entries).length, bytes, maxBytes: this.options.maxBytes, updatedAt: new Date().toISOString() };
    // The same summary the native environments write, so the app reads one file whatever the runtime.
    const usageFile = join(dirname(this.options.file), USAGE_FILE);
    await writeFile(`${usageFile}.${process.pid}`, `${JSON.stringify(usage)}\n`);
    await rename(`${usageFile}.${process.pid}`, usageFile);
    return usage;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
