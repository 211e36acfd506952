import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { LogBatchRequest, LogLineUpload, logBatchResponse } from '../../common/protocol/index.js';
import { Backoff, sleep } from '../../lib/retry.js';

type LogBatchResponse = z.infer<typeof logBatchResponse>;

// The protocol caps one line at 64 KiB characters; longer output is cut into several lines.
const MAX_LINE = 64 * 1024;

export interface LogShipperOptions {
  /** Sends one batch; rejects with a PlatformError (409 = stale lease) or a network error. */
  send(batch: LogBatchRequest): Promise<LogBatchResponse>;
  fencingToken: number;
  /** Buffered lines above which the run's output is paused until batches are acknowledged. */
  maxLines?: number;
  /** Same bound in characters, so a few huge lines cannot exhaust memory either. */
  maxChars?: number;
  batchLines?: number;
  /** How long a partial batch may wait for more lines. */
  flushMs?: number;
  /** Called once when the server says the lease is stale (409). */
  onStale(): void;
}

/**
 * Ships a run's output in ordered batches with back-pressure: when the buffer is full the
 * child's pipes are paused, so a chatty run blocks on write instead of growing the worker.
 */
export class LogShipper {
  private readonly buffer: LogLineUpload[] = [];
  private bufferedChars = 0;
  /** Index, within this lease, of buffer[0]. */
  private offset = 0;
  private readonly paused = new Set<Readable>();
  private readonly open = new Set<Readable>();
  private sending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stale = false;
  private readonly maxLines: number;
  private readonly maxChars: number;
  private readonly batchLines: number;
  private readonly flushMs: number;

  constructor(private readonly options: LogShipperOptions) {
    this.maxLines = options.maxLines ?? 10_000;
    this.maxChars = options.maxChars ?? 8 * 1024 * 1024;
    this.batchLines = options.batchLines ?? 2_000;
    this.flushMs = options.flushMs ?? 100;
  }

  get isStale(): boolean {
    return this.stale;
  }

  /** Reads a stream line by line until it ends. */
  attach(stream: Readable, name: LogLineUpload['stream']): Promise<void> {
    this.open.add(stream);
    const decoder = new StringDecoder('utf8');
    let partial = '';
    const take = (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.push(name, line.endsWith('\r') ? line.slice(0, -1) : line);
      while (partial.length > MAX_LINE) {
        this.push(name, partial.slice(0, MAX_LINE));
        partial = partial.slice(MAX_LINE);
      }
      if (this.full()) {
        stream.pause();
        this.paused.add(stream);
      }
    };
    return new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => take(decoder.write(chunk)));
      const finish = () => {
        take(decoder.end());
        if (partial !== '') this.push(name, partial);
        partial = '';
        this.open.delete(stream);
        this.paused.delete(stream);
        resolve();
      };
      stream.once('end', finish);
      stream.once('error', finish);
    });
  }

  /** A line from the worker itself (staging, image build), shown in the run's log. */
  note(text: string): void {
    this.push('stderr', `benchtop: ${text}`);
  }

  private push(stream: LogLineUpload['stream'], text: string): void {
    if (this.stale) return;
    for (let i = 0; i === 0 || i < text.length; i += MAX_LINE) {
      const piece = text.slice(i, i + MAX_LINE);
      this.buffer.push({ stream, ts: Date.now(), text: piece });
      this.bufferedChars += piece.length;
    }
    if (this.buffer.length >= this.batchLines) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.flushMs);
  }

  private full(): boolean {
    return this.buffer.length >= this.maxLines || this.bufferedChars >= this.maxChars;
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sending ??= this.drain().finally(() => {
      this.sending = null;
      if (this.buffer.length > 0 && !this.stale) this.kick();
    });
  }

  private async drain(): Promise<void> {
    const backoff = new Backoff({ baseMs: 100, maxMs: 2_000 });
    while (this.buffer.length > 0 && !this.stale) {
      const lines = this.buffer.slice(0, this.batchLines);
      try {
        const answer = await this.options.send({ fencingToken: this.options.fencingToken, offset: this.offset, lines });
        const accepted = Math.min(Math.max(answer.next - this.offset, 0), this.buffer.length);
        for (const line of this.buffer.splice(0, accepted)) this.bufferedChars -= line.text.length;
        this.offset += accepted;
        backoff.succeed();
        if (!this.full()) this.resume();
      } catch (error) {
        if ((error as { status?: number }).status === 409) {
          this.stale = true;
          this.buffer.length = 0;
          this.resume();
          this.options.onStale();
          return;
        }
        // The services agent restarting or a blip: keep the lines and retry, backing off.
        await sleep(backoff.fail());
      }
    }
  }

  /** Drops everything still buffered: the run was handed over to another worker. */
  abort(): void {
    this.stale = true;
    this.buffer.length = 0;
    this.bufferedChars = 0;
    if (this.timer) clearTimeout(this.timer);
    this.resume();
  }

  private resume(): void {
    for (const stream of this.paused) stream.resume();
    this.paused.clear();
  }

  /**
   * Waits until every line is acknowledged (or the lease went stale). Bounded by `timeoutMs`, after
   * which whatever is left is dropped rather than holding the run's completion forever.
   */
  async close(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ((this.buffer.length > 0 || this.sending) && !this.stale && Date.now() < deadline) {
      this.kick();
      await Promise.race([this.sending, sleep(100)]);
    }
    if (this.timer) clearTimeout(this.timer);
    return this.buffer.length === 0 && !this.stale;
  }
}
