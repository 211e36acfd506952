import { randomUUID } from 'node:crypto';
import { ApiError } from '../../common/api/errors.js';
import type { TerminalSessionInfo, TerminalTarget } from '../../common/api/terminal.contract.js';
import { decodeClientFrame, encodeServerFrame, HIGH_WATER_BYTES, LOW_WATER_BYTES, type TerminalControl } from '../../common/api/terminal-stream.js';
import type { BackendFactory, TerminalBackend, TerminalSize } from './terminal-backend.js';

/** The page's end of one attachment, on whatever transport carries it. */
export interface TerminalPeer {
  send(frame: Uint8Array): void;
  close(): void;
}

/** Output kept per session for a page that re-attaches (a reload, a dropped socket). */
export const BACKLOG_BYTES = 2 * 1024 * 1024;
/**
 * An exited session keeps its whole backlog this long (a page that reloads right after the exit
 * still gets all of it), then only its last EXITED_TAIL_BYTES: its tab has the output already in
 * xterm and in its transcript, so the tail is only for a tab that reloads later — enough to redraw
 * the last screens and the exit.
 */
export const EXITED_KEEP_MS = 60_000;
export const EXITED_TAIL_BYTES = 64 * 1024;
const MAX_SESSIONS = 32;

interface Attachment {
  peer: TerminalPeer;
  /** Absolute output offset sent to the peer, and the one it acknowledged as written. */
  sent: number;
  acked: number;
}

class HubSession {
  backend: TerminalBackend | undefined;
  info: TerminalSessionInfo;
  /** Output bytes produced since the start; the backlog holds the last ones, ending at `total`. */
  total = 0;
  backlog: Buffer[] = [];
  backlogBytes = 0;
  attachment: Attachment | undefined;
  paused = false;
  ending: TerminalControl | undefined;
  release: ReturnType<typeof setTimeout> | undefined;

  constructor(info: TerminalSessionInfo) {
    this.info = info;
  }

  output(bytes: Uint8Array): void {
    const chunk = Buffer.from(bytes);
    this.total += chunk.length;
    this.backlog.push(chunk);
    this.backlogBytes += chunk.length;
    while (this.backlogBytes - (this.backlog[0]?.length ?? 0) >= BACKLOG_BYTES) this.backlogBytes -= this.backlog.shift()!.length;
    const a = this.attachment;
    if (!a) return;
    a.peer.send(encodeServerFrame({ kind: 'data', bytes: chunk }));
    a.sent = this.total;
    this.flow();
  }

  /** Pauses the source while the page is more than HIGH_WATER_BYTES behind, resumes under LOW_WATER_BYTES. */
  flow(): void {
    const a = this.attachment;
    const behind = a ? a.sent - a.acked : 0;
    if (!this.paused && behind > HIGH_WATER_BYTES) {
      this.paused = true;
      this.backend?.pause();
    } else if (this.paused && behind < LOW_WATER_BYTES) {
      this.paused = false;
      this.backend?.resume();
    }
  }

  control(control: TerminalControl): void {
    this.attachment?.peer.send(encodeServerFrame({ kind: 'control', control }));
  }

  /** Keeps only the last `bytes` of output, copied so the larger buffers they were part of can go. */
  trim(bytes: number): void {
    const tail = Buffer.from(Buffer.concat(this.backlog).subarray(-bytes));
    this.backlog = tail.length > 0 ? [tail] : [];
    this.backlogBytes = tail.length;
  }

  /** Output from `from` on, or from the oldest byte kept when some were dropped. */
  replay(from: number): { offset: number; bytes: Buffer; lost: boolean } {
    const start = this.total - this.backlogBytes;
    const offset = Math.min(Math.max(from, start), this.total);
    const all = Buffer.concat(this.backlog);
    return { offset, bytes: all.subarray(offset - start), lost: from < start };
  }
}

/**
 * The open terminals of this app. Sessions live here, apart from any page: a page attaches to one
 * (one page at a time; a new attach takes it over), may leave and come back, and gets the output it
 * missed from the backlog. The transports only move frames between a peer and `attach`.
 */
export class TerminalHub {
  readonly #sessions = new Map<string, HubSession>();

  async open(spec: { title: string; target: TerminalTarget; note: string }, size: TerminalSize, factory: BackendFactory): Promise<TerminalSessionInfo> {
    if ([...this.#sessions.values()].filter((s) => s.info.state !== 'exited').length >= MAX_SESSIONS) {
      throw new ApiError('bad-input', `${MAX_SESSIONS} terminals are open already.`, 'Close a terminal tab you no longer need.');
    }
    const session = new HubSession({ id: `term-${randomUUID()}`, ...spec, state: 'open', exitCode: null, startedAt: new Date().toISOString() });
    this.#sessions.set(session.info.id, session);
    try {
      session.backend = await factory(
        {
          data: (bytes) => session.output(bytes),
          status: (state, message) => {
            if (session.info.state === 'exited') return;
            session.info = { ...session.info, state: state === 'connected' ? 'open' : 'reconnecting' };
            session.control({ type: 'status', state, message });
          },
          exit: (exitCode, reason, fix) => {
            if (session.info.state === 'exited') return;
            session.info = { ...session.info, state: 'exited', exitCode };
            session.ending = { type: 'exit', exitCode, reason, ...(fix ? { fix } : {}) };
            session.control(session.ending);
            session.release = setTimeout(() => {
              session.release = undefined;
              session.trim(EXITED_TAIL_BYTES);
            }, EXITED_KEEP_MS);
            session.release.unref?.();
          },
        },
        size,
      );
    } catch (error) {
      this.#sessions.delete(session.info.id);
      clearTimeout(session.release);
      throw error;
    }
    // Exited already, or its tab closed while the source started: nothing will close it later.
    if (session.info.state === 'exited' || !this.#sessions.has(session.info.id)) session.backend.close();
    return session.info;
  }

  list(): TerminalSessionInfo[] {
    return [...this.#sessions.values()].map((s) => s.info);
  }

  get(id: string): TerminalSessionInfo | undefined {
    return this.#sessions.get(id)?.info;
  }

  close(id: string): boolean {
    const session = this.#sessions.get(id);
    if (!session) return false;
    this.#sessions.delete(id);
    clearTimeout(session.release);
    session.backend?.close();
    session.attachment?.peer.close();
    return true;
  }

  closeAll(): void {
    for (const id of [...this.#sessions.keys()]) this.close(id);
  }

  /**
   * A new attachment: the peer's first frame must be `attach`. Returns what handles each frame the
   * peer sends, and what to call when the peer goes away.
   */
  attach(peer: TerminalPeer): { receive(raw: Uint8Array): void; gone(): void } {
    let session: HubSession | undefined;
    let attachment: Attachment | undefined;
    const refuse = (message: string, fix?: string): void => {
      peer.send(encodeServerFrame({ kind: 'control', control: { type: 'error', message, ...(fix ? { fix } : {}) } }));
      peer.close();
    };
    return {
      receive: (raw) => {
        const frame = decodeClientFrame(raw);
        if (!frame) return refuse('A terminal frame was not understood (unknown tag or bad JSON).');
        if (!session || !attachment) {
          if (frame.kind !== 'attach') return refuse('The first terminal frame must say which session to attach to.');
          session = this.#sessions.get(frame.request.sessionId);
          if (!session) return refuse(`There is no terminal session ${frame.request.sessionId}: it was closed, or Benchtop was restarted.`, 'Open a new terminal.');
          const previous = session.attachment;
          if (previous) {
            previous.peer.send(encodeServerFrame({ kind: 'control', control: { type: 'error', message: 'This terminal was opened in another window.' } }));
            previous.peer.close();
          }
          const replay = session.replay(frame.request.from);
          attachment = { peer, sent: session.total, acked: replay.offset };
          session.attachment = attachment;
          peer.send(encodeServerFrame({ kind: 'control', control: { type: 'attached', offset: replay.offset, lost: replay.lost } }));
          if (replay.bytes.length > 0) peer.send(encodeServerFrame({ kind: 'data', bytes: replay.bytes }));
          if (session.info.state === 'reconnecting') session.control({ type: 'status', state: 'reconnecting', message: 'Reconnecting to the instance…' });
          if (session.ending) session.control(session.ending);
          session.flow();
          return;
        }
        if (session.attachment !== attachment) return;
        switch (frame.kind) {
          case 'data':
            if (session.info.state !== 'exited') session.backend?.write(frame.bytes);
            return;
          case 'resize':
            session.backend?.resize(frame.size.cols, frame.size.rows);
            return;
          case 'ack':
            attachment.acked = Math.min(Math.max(attachment.acked, frame.bytes), attachment.sent);
            session.flow();
            return;
          case 'attach':
            return refuse('This connection is attached already.');
        }
      },
      gone: () => {
        if (session && session.attachment === attachment) {
          session.attachment = undefined;
          // Nobody is reading: keep the source going into the backlog rather than stall the shell.
          session.flow();
        }
      },
    };
  }
}
