import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from './cli.js';
import { openDatabase } from './db.js';
import { UsersStore } from './users-store.js';

describe('benchtop-services command', () => {
  let dir: string;
  let out: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'benchtop-cli-'));
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('initialises a data folder with token files only the owner can read', async () => {
    expect(await run(['init', '--data', dir])).toBe(0);
    for (const role of ['admin', 'worker', 'researcher']) {
      const file = join(dir, `${role}.token`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const db = openDatabase(join(dir, 'benchtop.sqlite'));
      expect(new UsersStore(db).authenticate((await readFile(file, 'utf8')).trim())?.user.role).toBe(role);
      db.close();
    }
    const before = await readFile(join(dir, 'admin.token'), 'utf8');
    expect(await run(['init', '--data', dir])).toBe(0);
    expect(await readFile(join(dir, 'admin.token'), 'utf8')).toBe(before);
  });

  it('adds a user and creates a token that authenticates', async () => {
    expect(await run(['user', 'add', '--data', dir, '--name', 'grace', '--role', 'researcher', '--json'])).toBe(0);
    const { user } = JSON.parse(out) as { user: { id: string } };
    out = '';
    expect(await run(['token', 'create', '--data', dir, '--user', 'grace', '--label', 'laptop', '--json'])).toBe(0);
    const token = JSON.parse(out) as { token: string; userId: string };
    expect(token.userId).toBe(user.id);
    const db = openDatabase(join(dir, 'benchtop.sqlite'));
    expect(new UsersStore(db).authenticate(token.token)?.user.name).toBe('grace');
    db.close();
  });

  it('explains what is wrong with bad arguments', async () => {
    expect(await run(['user', 'add', '--data', dir, '--name', 'x', '--role', 'root'])).toBe(2);
    expect(out).toContain('--role must be admin, researcher or worker');
    expect(await run(['token', 'create', '--data', dir, '--user', 'nobody'])).toBe(2);
    expect(out).toContain('no user "nobody"');
    expect(await run(['frobnicate', '--data', dir])).toBe(2);
    expect(await run(['init'])).toBe(2);
  });
});
