import { spawn } from 'node:child_process';

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

/** Runs a helper program (docker, iptables) to completion; never rejects on a non-zero exit. */
export function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 600_000 });
    const out: string[] = [];
    const err: string[] = [];
    const collect = (sink: string[]) => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      sink.push(text);
      if (options.onLine) for (const line of text.split('\n')) if (line.trim() !== '') options.onLine(line);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.once('error', (error) => reject(new Error(`could not run ${file}: ${error.message}`)));
    child.once('close', (code) => resolve({ code, stdout: out.join(''), stderr: err.join('') }));
    // A program that exits without reading its input closes the pipe (EPIPE): its exit code and
    // output say what happened, and the error must not take the worker down with it.
    child.stdin.once('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
