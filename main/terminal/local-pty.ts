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

/** What a paused pty may still be read into main before the pty itself stops being read. */
export const HELD_PTY_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * A pty running `spec`. `encoding: null` keeps its output as bytes, so a program writing a
 * multi-byte character across two reads, or binary, reaches the page unchanged.
 *
 * Paused, it keeps being read into main up to HELD_PTY_OUTPUT_BYTES and only then stops being read:
 * node-pty destroys the socket of a pty whose child has exited 200 ms later, unread output and
 * all, so a shell that exits while the page is behind would lose its last lines.
 */
export function ptyBackend(spec: PtySpec): BackendFactory {
  return async (sink, size) => {
    const pty = spawnPty(spec.file, spec.args, { name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: spec.cwd, env: spec.env, encoding: null });
    let closed = false;
    let paused = false;
    let ptyPaused = false;
    let held: Buffer[] = [];
    let heldBytes = 0;
    const deliverHeld = () => {
      const out = held;
      held = [];
      heldBytes = 0;
      for (const bytes of out) sink.data(bytes);
    };
    pty.onData((data: string | Buffer) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (!paused) return sink.data(bytes);
      held.push(bytes);
      heldBytes += bytes.length;
      if (heldBytes >= HELD_PTY_OUTPUT_BYTES && !ptyPaused) {
        ptyPaused = true;
        pty.pause();
      }
    });
    pty.onExit(({ exitCode, signal }) => {
      closed = true;
      deliverHeld();
      sink.exit(exitCode, signal ? `The shell was ended by signal ${signal}.` : `The shell exited with status ${exitCode}.`);
    });
    const backend: TerminalBackend = {
      write: (bytes) => {
        if (!closed) pty.write(Buffer.from(bytes));
      },
      resize: (cols, rows) => {
        if (!closed) pty.resize(cols, rows);
      },
      pause: () => {
        paused = true;
      },
      resume: () => {
        paused = false;
        deliverHeld();
        if (ptyPaused) {
          ptyPaused = false;
          pty.resume();
        }
      },
      close: () => {
        if (closed) return;
        closed = true;
        pty.kill('SIGHUP');
      },
    };
    return backend;
  };
}
