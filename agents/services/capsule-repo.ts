import { mkdir } from 'node:fs/promises';
import { COMMAND_FILE, ENVIRONMENT_FILE, type CommitInfo, type TreeEntry } from '../../common/protocol/capsules.js';
import { git, GitError, gitStream } from './git.js';

const BRANCH = 'refs/heads/main';

/** A file a commit writes, already decoded. */
export interface RepoWrite {
  path: string;
  content: Buffer;
  executable: boolean;
}

export interface CommitInput {
  parent: string | null;
  message: string;
  authorName: string;
  authorEmail: string;
  writes: RepoWrite[];
  deletes: string[];
}

// fast-import reads paths up to the end of the line; a path that starts with a quote must be
// C-quoted. Control characters never get here (the protocol refuses them).
function fastImportPath(path: string): string {
  return path.startsWith('"') ? `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : path;
}

function safeIdent(s: string): string {
  return s.replace(/[<>\n\r\0]/g, '').trim() || 'unknown';
}

/** One capsule's bare git repository: every change is a commit on `main`. */
export class CapsuleRepo {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await git(this.dir, ['init', '--quiet', '--bare', '--initial-branch=main']);
  }

  /**
   * Writes one commit with git fast-import (one process, whatever the number of files). The
   * caller serialises commits per capsule; fast-import itself refuses a non-fast-forward update.
   */
  async commit(input: CommitInput): Promise<string> {
    const chunks: Buffer[] = [];
    const seconds = Math.floor(Date.now() / 1000);
    const message = Buffer.from(input.message, 'utf8');
    chunks.push(
      Buffer.from(
        `commit ${BRANCH}\ncommitter ${safeIdent(input.authorName)} <${safeIdent(input.authorEmail)}> ${seconds} +0000\ndata ${message.length}\n`,
      ),
      message,
      Buffer.from('\n'),
    );
    if (input.parent) chunks.push(Buffer.from(`from ${input.parent}\n`));
    for (const path of input.deletes) chunks.push(Buffer.from(`D ${fastImportPath(path)}\n`));
    for (const w of input.writes) {
      chunks.push(Buffer.from(`M ${w.executable ? '100755' : '100644'} inline ${fastImportPath(w.path)}\ndata ${w.content.length}\n`), w.content, Buffer.from('\n'));
    }
    chunks.push(Buffer.from('\ndone\n'));
    await git(this.dir, ['fast-import', '--quiet', '--done'], Buffer.concat(chunks));
    return (await git(this.dir, ['rev-parse', '--verify', BRANCH])).toString().trim();
  }

  /** The commit a ref names, or null when there is none. */
  async resolve(ref: string): Promise<string | null> {
    const target = ref === 'HEAD' ? BRANCH : ref;
    try {
      return (await git(this.dir, ['rev-parse', '--verify', '--quiet', `${target}^{commit}`])).toString().trim() || null;
    } catch (error) {
      if (error instanceof GitError) return null;
      throw error;
    }
  }

  async head(): Promise<string | null> {
    return this.resolve('HEAD');
  }

  async readText(commit: string, path: string): Promise<string | null> {
    try {
      return (await git(this.dir, ['cat-file', 'blob', `${commit}:${path}`])).toString('utf8');
    } catch (error) {
      if (error instanceof GitError) return null;
      throw error;
    }
  }

  /** The environment and default command a version declares. */
  async settings(commit: string): Promise<{ environment: unknown; command: unknown }> {
    const [env, cmd] = await Promise.all([this.readText(commit, ENVIRONMENT_FILE), this.readText(commit, COMMAND_FILE)]);
    const parse = (t: string | null): unknown => {
      try {
        return t === null ? null : JSON.parse(t);
      } catch {
        return null;
      }
    };
    return { environment: parse(env), command: (parse(cmd) as { command?: unknown } | null)?.command ?? null };
  }

  async tree(commit: string): Promise<TreeEntry[]> {
    const out = (await git(this.dir, ['ls-tree', '-r', '-l', '-z', '--full-tree', commit])).toString('utf8');
    const entries: TreeEntry[] = [];
    for (const record of out.split('\0')) {
      if (!record) continue;
      const tab = record.indexOf('\t');
      const [mode, type, , size] = record.slice(0, tab).split(/ +/);
      if (type !== 'blob') continue;
      entries.push({
        path: record.slice(tab + 1),
        type: mode === '100755' ? 'executable' : mode === '120000' ? 'symlink' : 'file',
        size: Number(size),
      });
    }
    return entries;
  }

  /** What a path is in a version: 'blob', 'tree', or null when absent. */
  async typeOf(commit: string, path: string): Promise<string | null> {
    try {
      return (await git(this.dir, ['cat-file', '-t', `${commit}:${path}`])).toString().trim();
    } catch (error) {
      if (error instanceof GitError) return null;
      throw error;
    }
  }

  blobStream(commit: string, path: string) {
    return gitStream(this.dir, ['cat-file', 'blob', `${commit}:${path}`]);
  }

  archiveStream(commit: string) {
    return gitStream(this.dir, ['archive', '--format=tar', commit]);
  }

  async log(commit: string, skip: number, limit: number): Promise<CommitInfo[]> {
    const out = (await git(this.dir, ['log', `--skip=${skip}`, `-n`, String(limit), '--format=%H%x1f%P%x1f%an%x1f%aI%x1f%B%x1e', commit])).toString('utf8');
    return out
      .split('\x1e')
      .map((r) => r.replace(/^\n/, ''))
      .filter((r) => r.length > 0)
      .map((r) => {
        const [sha, parents, author, date, body] = r.split('\x1f');
        return {
          sha: sha!,
          parents: parents ? parents.split(' ').filter(Boolean) : [],
          author: author ?? '',
          createdAt: new Date(date!).toISOString(),
          message: (body ?? '').trimEnd(),
        };
      });
  }
}
