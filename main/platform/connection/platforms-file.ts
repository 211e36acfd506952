import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../api/errors.js';

/** A deployed platform the user added; its token is in the SecretStore, never here. */
export const remotePlatform = z.object({ id: z.string(), name: z.string(), url: z.string(), addedAt: z.string() });
export type RemotePlatform = z.infer<typeof remotePlatform>;

const fileShape = z.object({ version: z.literal(1), activeId: z.string().nullable(), platforms: z.array(remotePlatform) });
export type PlatformsFileData = z.infer<typeof fileShape>;

const EMPTY: PlatformsFileData = { version: 1, activeId: null, platforms: [] };

/**
 * `platforms.json` in the app-data folder: the platforms added by URL and which one is active.
 * Written atomically (temp file + rename); a damaged file is left as it is and named in the error.
 */
export class PlatformsFile {
  constructor(readonly file: string) {}

  read(): PlatformsFileData {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
      throw error;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const parsed = fileShape.safeParse(raw);
    if (!parsed.success) {
      throw new ApiError('unavailable', `The platforms file ${this.file} is damaged and was left untouched.`, 'Move it away and add your platforms again.');
    }
    return parsed.data;
  }

  update(change: (current: PlatformsFileData) => PlatformsFileData): PlatformsFileData {
    const next = change(this.read());
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.file);
    return next;
  }
}
