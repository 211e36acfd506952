import { execFile, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

// The git CLI (not isomorphic-git): it is already on every host we run on (Debian package, AWS
// AMI), it is the reference implementation of the object format, and it streams blobs and tar
// archives straight to a socket without holding them in memory.

// Hooks, templates and the user's config must not change what the platform writes.
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};
// Objects and refs reach the disk before git exits, so an acknowledged commit survives a crash.
const DURABLE = ['-c', 'core.fsync=committed', '-c', 'core.fsyncMethod=fsync'];

export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/** Runs git in `repo` and answers its stdout; rejects with GitError on a non-zero exit. */
export function git(repo: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...DURABLE, '-C', repo, ...args],
      { env: GIT_ENV, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null;
          reject(new GitError(`git ${args[0]} failed: ${stderr.toString().trim() || error.message}`, code, stderr.toString()));
        } else resolve(stdout);
      },
    );
    if (input) child.stdin!.end(input);
  });
}

/** A git process whose stdout is read as a stream (blobs, archives). */
export interface GitStream {
  stdout: Readable;
  /**
   * Settles once git has exited: rejects with GitError on a non-zero exit. Already observed, so a
   * caller that only reads `stdout` never leaves it as an unhandled rejection (that ended the
   * whole agent when a client hung up mid-download and git died of EPIPE).
   */
  done: Promise<void>;
  /** Ends git at once: its reader went away. */
  kill(): void;
}

export function gitStream(repo: string, args: string[]): GitStream {
  const child = spawn('git', [...DURABLE, '-C', repo, ...args], { env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new GitError(`git ${args[0]} failed: ${stderr.trim() || `killed by ${signal}`}`, code, stderr)),
    );
  });
  done.catch(() => undefined);
  return {
    stdout: child.stdout,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
