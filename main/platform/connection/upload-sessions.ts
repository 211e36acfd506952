import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../../common/api/errors.js';
import { uploadSession, type UploadSession } from '../../../common/api/datasets.contract.js';

/**
 * Upload sessions on disk, one folder each under `root`: `session.json` (what is on the platform)
 * and a staging file per file being received. What a file holds so far is its staging file's
 * length, so a session picks up exactly where it stopped, across a cancel or an app restart.
 */
export class UploadSessions {
  constructor(private readonly root: string) {}

  private dir(sessionId: string): string {
    if (!/^[a-f0-9]{32}$/.test(sessionId)) throw new ApiError('bad-input', `"${sessionId}" is not an upload session id.`);
    return path.join(this.root, sessionId);
  }

  staging(sessionId: string, index: number): string {
    return path.join(this.dir(sessionId), 'staging', String(index));
  }

  create(value: Omit<UploadSession, 'sessionId' | 'createdAt'>): UploadSession {
    const session: UploadSession = { ...value, sessionId: randomBytes(16).toString('hex'), createdAt: new Date().toISOString() };
    mkdirSync(path.join(this.dir(session.sessionId), 'staging'), { recursive: true, mode: 0o700 });
    this.save(session);
    return session;
  }

  /** The session with each unsent file's `received` read from its staging file. */
  get(sessionId: string): UploadSession {
    let text: string;
    try {
      text = readFileSync(path.join(this.dir(sessionId), 'session.json'), 'utf8');
    } catch {
      throw new ApiError('not-found', 'This upload is no longer kept by the app.', 'Start the upload again.');
    }
    const session = uploadSession.parse(JSON.parse(text));
    session.files.forEach((f, i) => {
      if (!f.sent) f.received = this.stagedBytes(sessionId, i);
    });
    return session;
  }

  list(): UploadSession[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names.filter((n) => /^[a-f0-9]{32}$/.test(n)).flatMap((n) => {
      try {
        return [this.get(n)];
      } catch {
        return [];
      }
    });
  }

  stagedBytes(sessionId: string, index: number): number {
    try {
      return statSync(this.staging(sessionId, index)).size;
    } catch {
      return 0;
    }
  }

  /** Appends `bytes` at `offset`, which must be what the file holds so far (else 409 with the right offset). */
  async append(sessionId: string, index: number, offset: number, bytes: Uint8Array): Promise<number> {
    const have = this.stagedBytes(sessionId, index);
    if (offset !== have) throw new ApiError('conflict', `File ${index} of this upload holds ${have} bytes, not ${offset}.`, 'Ask for the upload status and go on from there.');
    const handle = await open(this.staging(sessionId, index), 'a', 0o600);
    try {
      await handle.write(bytes);
    } finally {
      await handle.close();
    }
    return have + bytes.length;
  }

  save(session: UploadSession): void {
    const file = path.join(this.dir(session.sessionId), 'session.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(session), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  drop(sessionId: string): boolean {
    const dir = this.dir(sessionId);
    try {
      statSync(dir);
    } catch {
      return false;
    }
    rmSync(dir, { recursive: true, force: true });
    return true;
  }
}
