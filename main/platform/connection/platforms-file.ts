import { z } from 'zod';
import { readPrivateJson, writePrivateJson } from '../../settings/private-json-file.js';

/** A deployed platform the user added; its token is in the SecretStore, never here. */
/** `deploymentId`: the deployment the app read its URL and admin token from (absent when added by hand). */
export const remotePlatform = z.object({ id: z.string(), name: z.string(), url: z.string(), addedAt: z.string(), deploymentId: z.string().optional() });
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
    return readPrivateJson(this.file, fileShape, EMPTY, { what: 'platforms file', fix: 'Move it away and add your platforms again.' });
  }

  update(change: (current: PlatformsFileData) => PlatformsFileData): PlatformsFileData {
    const next = change(this.read());
    writePrivateJson(this.file, next);
    return next;
  }
}
