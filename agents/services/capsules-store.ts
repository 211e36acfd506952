import { join } from 'node:path';
import {
  COMMAND_FILE,
  ENVIRONMENT_FILE,
  command as commandSchema,
  environmentSpec,
  type Capsule,
  type CommitInfo,
  type EnvironmentSpec,
} from '../../common/protocol/capsules.js';
import type { z } from 'zod';
import type { createCapsuleRequest, createCommitRequest } from '../../common/protocol/capsules.js';
import { CapsuleRepo, type RepoWrite } from './capsule-repo.js';
import type { Db, WriteQueue } from './db.js';
import { badInput, conflict, notFound } from './http-error.js';
import { newId, nowIso } from './ids.js';
import type { User } from '../../common/protocol/users.js';
import type { Visibility } from '../../common/protocol/sharing.js';
import type { SqlScope } from './access-policy.js';
import { recordAudit } from './audit-log.js';

interface CapsuleRow {
  n: number; id: string; name: string; description: string; head: string; environment: string; command: string;
  created_at: string; updated_at: string; owner_id: string; visibility: Visibility;
}

const toCapsule = (r: CapsuleRow, collaborators: string[]): Capsule => ({
  id: r.id,
  name: r.name,
  description: r.description,
  head: r.head,
  environment: JSON.parse(r.environment) as EnvironmentSpec,
  command: JSON.parse(r.command) as string[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sharing: { ownerId: r.owner_id, visibility: r.visibility, collaborators },
});

const RESERVED = new Set([ENVIRONMENT_FILE, COMMAND_FILE]);

function settingsFiles(environment: EnvironmentSpec | undefined, command: string[] | undefined): RepoWrite[] {
  const out: RepoWrite[] = [];
  if (environment) out.push({ path: ENVIRONMENT_FILE, content: Buffer.from(`${JSON.stringify(environment, null, 2)}\n`), executable: false });
  if (command) out.push({ path: COMMAND_FILE, content: Buffer.from(`${JSON.stringify({ command }, null, 2)}\n`), executable: false });
  return out;
}

function decodeWrites(files: z.output<typeof createCapsuleRequest>['files']): RepoWrite[] {
  const seen = new Set<string>();
  const writes = files.map((f, i) => {
    if (RESERVED.has(f.path.split('/')[0]!)) throw badInput(`body.files.${i}.path: "${f.path}" is kept by the platform; set the "environment" or "command" field instead`);
    if (seen.has(f.path)) throw badInput(`body.files.${i}.path: "${f.path}" appears twice`);
    seen.add(f.path);
    return { path: f.path, content: Buffer.from(f.content, f.encoding), executable: f.executable };
  });
  // git would quietly turn file "a" into folder "a" if both "a" and "a/b" were written.
  writes.forEach((w, i) => {
    const parts = w.path.split('/');
    for (let k = 1; k < parts.length; k++) {
      const folder = parts.slice(0, k).join('/');
      if (seen.has(folder)) throw badInput(`body.files.${i}.path: "${w.path}" is inside "${folder}", which this commit also writes as a file`);
    }
  });
  return writes;
}

/**
 * Capsules: the git repository holds the truth (code, environment.json, command.json, history);
 * the database row caches the head's settings so that listing capsules and launching a run at
 * HEAD never spawn git.
 */
export class CapsulesStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
    private readonly root: string,
  ) {}

  repo(id: string): CapsuleRepo {
    return new CapsuleRepo(join(this.root, `${id}.git`));
  }

  // Commits of one capsule run one after the other; different capsules do not wait for each other.
  private async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.locks.set(id, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(id) === next) this.locks.delete(id);
    }
  }

  get(id: string): Capsule {
    const row = this.db.prepare('SELECT * FROM capsules WHERE id = ?').get(id) as CapsuleRow | undefined;
    if (!row) throw notFound(`capsule ${id}`);
    return toCapsule(row, this.collaborators(id));
  }

  private collaborators(id: string): string[] {
    return (this.db.prepare("SELECT user_id FROM collaborators WHERE kind = 'capsule' AND object_id = ? ORDER BY user_id").all(id) as Array<{ user_id: string }>).map((r) => r.user_id);
  }

  /** A page of the capsules `scope` lets the caller read (AccessPolicy.readableScope with alias "x"). */
  list(limit: number, after: number, scope: SqlScope): { items: Capsule[]; next?: string } {
    const rows = this.db.prepare(`SELECT * FROM capsules x WHERE n > ? AND ${scope.sql} ORDER BY n LIMIT ?`).all(after, ...scope.args, limit + 1) as CapsuleRow[];
    const items = rows.slice(0, limit);
    return { items: items.map((r) => toCapsule(r, this.collaborators(r.id))), ...(rows.length > limit ? { next: String(items.at(-1)!.n) } : {}) };
  }

  async create(body: z.output<typeof createCapsuleRequest>, user: User): Promise<Capsule> {
    const writes = decodeWrites(body.files);
    const id = newId('cap');
    const repo = this.repo(id);
    await repo.init();
    const head = await repo.commit({
      parent: null,
      message: `Create capsule ${body.name}`,
      authorName: user.name,
      authorEmail: `${user.id}@benchtop`,
      writes: [...settingsFiles(body.environment, body.command), ...writes],
      deletes: [],
    });
    const now = nowIso();
    await this.writes.run(() => {
      this.db
        .prepare('INSERT INTO capsules (id, name, description, head, environment, command, created_at, updated_at, owner_id, visibility) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, body.name, body.description, head, JSON.stringify(body.environment), JSON.stringify(body.command), now, now, user.id, body.visibility);
      recordAudit(this.db, { actor: user, action: 'capsule.create', targetKind: 'capsule', targetId: id, summary: `created capsule "${body.name}" (${body.visibility})`, detail: { commit: head } });
    });
    return this.get(id);
  }

  async commit(id: string, body: z.output<typeof createCommitRequest>, user: User): Promise<{ commit: CommitInfo; capsule: Capsule }> {
    this.get(id);
    const writes = decodeWrites(body.files);
    body.delete.forEach((p, i) => {
      if (RESERVED.has(p)) throw badInput(`body.delete.${i}: "${p}" cannot be deleted; every version keeps its environment and command`);
    });
    return this.exclusive(id, async () => {
      const current = this.get(id);
      if (body.parent && body.parent !== current.head) {
        throw conflict(`the capsule moved on: its head is ${current.head}, not ${body.parent}; fetch it and commit again`);
      }
      const repo = this.repo(id);
      const head = await repo.commit({
        parent: current.head,
        message: body.message,
        authorName: user.name,
        authorEmail: `${user.id}@benchtop`,
        writes: [...settingsFiles(body.environment, body.command), ...writes],
        deletes: body.delete.filter((p) => !writes.some((w) => w.path === p)),
      });
      const environment = body.environment ?? current.environment;
      const command = body.command ?? current.command;
      await this.writes.run(() => {
        this.db
          .prepare('UPDATE capsules SET head = ?, environment = ?, command = ?, updated_at = ? WHERE id = ?')
          .run(head, JSON.stringify(environment), JSON.stringify(command), nowIso(), id);
        recordAudit(this.db, { actor: user, action: 'capsule.commit', targetKind: 'capsule', targetId: id, summary: `committed ${head.slice(0, 12)}: ${body.message.split('\n')[0]!.slice(0, 200)}`, detail: { commit: head, parent: current.head } });
      });
      const [commit] = await repo.log(head, 0, 1);
      return { commit: commit!, capsule: this.get(id) };
    });
  }

  /** The commit a ref names in a capsule, with that version's environment and command. */
  async version(id: string, ref: string): Promise<{ commit: string; environment: EnvironmentSpec; command: string[] }> {
    const capsule = this.get(id);
    if (ref === 'HEAD' || ref === capsule.head) return { commit: capsule.head, environment: capsule.environment, command: capsule.command };
    const repo = this.repo(id);
    const commit = await repo.resolve(ref);
    if (!commit) throw notFound(`version ${ref} of capsule ${id}`);
    const settings = await repo.settings(commit);
    const environment = environmentSpec.safeParse(settings.environment);
    const command = commandSchema.safeParse(settings.command);
    if (!environment.success || !command.success) throw badInput(`version ${ref} of capsule ${id} has no valid ${ENVIRONMENT_FILE} or ${COMMAND_FILE}`);
    return { commit, environment: environment.data, command: command.data };
  }

  /**
   * Brings the cached head up to the repository after a crash between a git commit and the row
   * update (git is written first, so the repository is never behind the database).
   */
  async reconcile(): Promise<void> {
    const rows = this.db.prepare('SELECT id, head FROM capsules').all() as Array<{ id: string; head: string }>;
    for (const row of rows) {
      const repo = this.repo(row.id);
      const head = await repo.head();
      if (!head || head === row.head) continue;
      const settings = await repo.settings(head);
      const environment = environmentSpec.safeParse(settings.environment);
      const command = commandSchema.safeParse(settings.command);
      if (!environment.success || !command.success) continue;
      await this.writes.run(() =>
        this.db
          .prepare('UPDATE capsules SET head = ?, environment = ?, command = ?, updated_at = ? WHERE id = ?')
          .run(head, JSON.stringify(environment.data), JSON.stringify(command.data), nowIso(), row.id),
      );
    }
  }
}
