import { createInterface } from 'node:readline/promises';
import type { Finding } from '../../../common/deploy/preflight-rules.js';
import type { StackEventView } from '../stack-events.js';
import type { WatchMessage } from '../watch-stack.js';

/** Text for people (a progress bar and event lines) or, with --json, one JSON object per line. */
export class CliOutput {
  constructor(
    readonly json: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  /** A JSON line in --json mode; the text otherwise. */
  emit(record: Record<string, unknown>, text?: string): void {
    if (this.json) this.out.write(`${JSON.stringify(record)}\n`);
    else if (text !== undefined) this.out.write(`${text}\n`);
  }

  text(line: string): void {
    if (!this.json) this.out.write(`${line}\n`);
  }

  error(message: string, fix?: string): void {
    if (this.json) this.out.write(`${JSON.stringify({ type: 'error', message, ...(fix ? { fix } : {}) })}\n`);
    else this.err.write(`benchtop: ${message}${fix ? `\n  ${fix}` : ''}\n`);
  }

  findings(findings: Finding[]): void {
    for (const f of findings) this.emit({ type: 'finding', ...f }, `${f.severity === 'error' ? '✗' : '!'} ${f.field}: ${f.message}`);
  }

  watch(m: WatchMessage): void {
    if (m.type === 'event') this.emit({ type: 'event', ...m.event }, formatEvent(m.event));
    else if (m.type === 'progress') this.emit({ type: 'progress', done: m.done, total: m.total, status: m.status }, progressBar(m.done, m.total, m.status));
    else this.emit({ type: 'final', status: m.status, ok: m.ok, ...(m.reason ? { reason: m.reason } : {}) }, `${m.ok ? '✓' : '✗'} ${m.status}${m.reason ? ` — ${m.reason}` : ''}`);
  }
}

export function formatEvent(e: StackEventView): string {
  const time = e.timestamp.slice(11, 19);
  const where = e.nested ? `${e.stackName}/` : '';
  return `  ${time}  ${e.status.padEnd(28)} ${where}${e.logicalId} (${e.resourceType})${e.reason ? ` — ${e.reason}` : ''}`;
}

export function progressBar(done: number, total: number, status: string, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${status}`;
}

/** Asks the admin to type a word (the stack name); false when there is no terminal to ask on. */
export async function confirmByTyping(question: string, expected: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim() === expected;
  } finally {
    rl.close();
  }
}
