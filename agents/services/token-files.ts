import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { type Role, tokenFileName } from '../../common/protocol/common.js';
import type { WriteQueue } from './db.js';
import { PRIVATE_FILE_MODE } from './private-paths.js';
import type { UsersStore } from './users-store.js';

/** Where the bootstrap token of a role is kept in the data folder (mode 0600, like ~/.ssh keys). */
export function tokenFile(dataDir: string, role: Role): string {
  return join(dataDir, tokenFileName(role));
}

/** Writes a file readable only by its owner, atomically (temp file, fsync, rename). */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

/**
 * The token of the bootstrap user of `role` (users named "admin", "worker", "researcher"): the one
 * in its file when it still works, else a new one written there. Only hashes are in the database,
 * so the file is the only place the secret lives.
 */
export async function ensureRoleToken(dataDir: string, role: Role, users: UsersStore, writes: WriteQueue): Promise<string> {
  const file = tokenFile(dataDir, role);
  const existing = await readFile(file, 'utf8').then((t) => t.trim(), () => '');
  if (existing && users.authenticate(existing)?.user.role === role) {
    // A file kept from before (or copied in by hand) is narrowed to 0600 too.
    await chmod(file, PRIVATE_FILE_MODE);
    return existing;
  }
  const created = await writes.run(() => {
    const user = users.findUserByName(role);
    const owner = user && user.role === role ? user : users.createUser(role, role);
    return users.createToken(owner.id, 'bootstrap');
  });
  await writePrivateFile(file, `${created.token}\n`);
  return created.token;
}
