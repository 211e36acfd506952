import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  input?: string;
  timeoutMs?: number;
  /** Called with each output line as it comes (builds are long; the run's log shows progress). */
  onLine?: (line: string) => void;
}

/** How long a helper's pipes may stay open after it exited. */
const PIPE_DRAIN_MS = 5_000;

/** Runs a helper program (docker, iptables) to completion; never rejects on a non-zero exit. */
export function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 600_000 });
    const out = collector(options.onLine);
    const err = collector(options.onLine);
    child.stdout.on('data', out.add);
    child.stderr.on('data', err.add);
    child.once('error', (error) => reject(new Error(`could not run ${file}: ${error.message}`)));
    child.once('close', (code) => {
      clearTimeout(drainTimer);
      resolve({ code, stdout: out.end(), stderr: err.end() });
    });
    // A process the program started may outlive it and hold its pipes (a build backend left behind,
    // a daemon): 'close' would then wait for that process, past the timeout, and the run with it.
    // Its output is given up a while after the program's exit.
    let drainTimer: NodeJS.Timeout | undefined;
    child.once('exit', () => {
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_DRAIN_MS);
    });
    // A program that exits without reading its input closes the pipe (EPIPE): its exit code and
    // output say what happened, and the error must not take the worker down with it.
    child.stdin.once('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/**
 * One output stream's text, and its lines as they complete. A pipe's chunks end wherever the
 * reads fell (a long build line, a character's bytes), so text is decoded across chunks and a
 * line is passed on only once its newline has come, or at the end.
 */
function collector(onLine: ((line: string) => void) | undefined): { add(chunk: Buffer): void; end(): string } {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  // The line under way, in the pieces it came in: only new text is searched for a newline, so a
  // long line without one costs its length, not its length times the number of reads.
  let pending: string[] = [];
  const take = (text: string, last: boolean) => {
    parts.push(text);
    if (!onLine) return;
    const lines = text.split('\n');
    const open = last ? undefined : lines.pop();
    if (lines.length > 0) {
      lines[0] = pending.join('') + lines[0];
      pending = [];
    }
    if (open) pending.push(open);
    for (const line of lines) if (line.trim() !== '') onLine(line);
  };
  return {
    add: (chunk) => take(decoder.write(chunk), false),
    end: () => {
      take(decoder.end(), true);
      return parts.join('');
    },
  };
}
