import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';

/** Mode of every folder of the data folder: only the agent's user may list or enter it. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of the database, its WAL and shared-memory files, backups, tokens and stored objects. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) as 0700, and makes it 0700 when it already existed: a data
 * folder that is a mount point or was made by hand keeps whatever mode it had otherwise.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot make ${dir} private (mode 0700): ${error.code ?? error.message}; the services agent must own its data folder`);
  });
}

/**
 * Makes the SQLite file `file` 0600 before SQLite opens it (SQLite gives its -wal and -shm files
 * the mode of the database file), and re-modes those two when an older agent left them wider.
 */
export function preparePrivateDatabaseFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  chmodSync(file, PRIVATE_FILE_MODE);
  for (const companion of [`${file}-wal`, `${file}-shm`]) if (existsSync(companion)) chmodSync(companion, PRIVATE_FILE_MODE);
}
