import { spawn as spawnPty } from 'node-pty';
import type { BackendFactory, TerminalBackend } from './terminal-backend.js';

export interface PtySpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** The login shell of this user, or /bin/sh. */
export function defaultShell(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHELL && env.SHELL.startsWith('/') ? env.SHELL : '/bin/sh';
}

/**
 * A pty running `spec`. `encoding: null` keeps its output as bytes, so a program writing a
 * multi-byte character across two reads, or binary, reaches the page unchanged.
 */
export function ptyBackend(spec: PtySpec): BackendFactory {
  return async (sink, size) => {
    const pty = spawnPty(spec.file, spec.args, { name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: spec.cwd, env: spec.env, encoding: null });
    let closed = false;
    pty.onData((data: string | Buffer) => sink.data(typeof data === 'string' ? Buffer.from(data) : data));
    pty.onExit(({ exitCode, signal }) => {
      closed = true;
      sink.exit(exitCode, signal ? `The shell was ended by signal ${signal}.` : `The shell exited with status ${exitCode}.`);
    });
    const backend: TerminalBackend = {
      write: (bytes) => {
        if (!closed) pty.write(Buffer.from(bytes));
      },
      resize: (cols, rows) => {
        if (!closed) pty.resize(cols, rows);
      },
      pause: () => pty.pause(),
      resume: () => pty.resume(),
      close: () => {
        if (closed) return;
        closed = true;
        pty.kill('SIGHUP');
      },
    };
    return backend;
  };
}
