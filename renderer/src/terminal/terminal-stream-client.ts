import { ACK_EVERY_BYTES, decodeServerFrame, encodeClientFrame, type TerminalControl } from '../../../common/api/terminal-stream.js';
import type { OpenLink, TerminalLink } from './terminal-link.js';

export type LinkState = 'connecting' | 'open' | 'lost' | 'closed';

export interface StreamCallbacks {
  /** Output to write into the terminal; call `written` once it is rendered (that paces the source). */
  onData(bytes: Uint8Array, written: () => void): void;
  onControl(control: TerminalControl): void;
  onLinkState(state: LinkState, detail?: string): void;
}

const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];

/**
 * One terminal session as the page sees it: attaches over a link, acknowledges what the terminal
 * has rendered, and when the link drops attaches again from the last byte it has, so the session
 * (which lives in main) resumes without losing output.
 */
export class TerminalStreamClient {
  #link: TerminalLink | undefined;
  #received = 0;
  #written = 0;
  #acked = 0;
  #stopped = false;
  #ended = false;
  #attempt = 0;
  #connecting = false;
  /** Counts attachments: output received on an earlier one is not acknowledged on a later one. */
  #attachment = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly openLink: OpenLink,
    private readonly callbacks: StreamCallbacks,
  ) {}

  start(): void {
    void this.#connect();
  }

  send(bytes: Uint8Array): void {
    this.#link?.send(encodeClientFrame({ kind: 'data', bytes }));
  }

  resize(cols: number, rows: number): void {
    this.#link?.send(encodeClientFrame({ kind: 'resize', size: { cols, rows } }));
  }

  /** Reconnect now (the banner's button), instead of waiting for the next attempt. */
  retry(): void {
    clearTimeout(this.#timer);
    this.#attempt = 0;
    void this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#link?.close();
    this.#link = undefined;
  }

  async #connect(): Promise<void> {
    // One attempt at a time: a second link would take the session over from the first, which the
    // hub tells it with an error, and the replay would be written twice.
    if (this.#stopped || this.#link || this.#connecting) return;
    this.#connecting = true;
    this.callbacks.onLinkState(this.#attempt === 0 ? 'connecting' : 'lost', this.#attempt === 0 ? undefined : `attempt ${this.#attempt + 1}`);
    let link: TerminalLink | undefined;
    try {
      // A link that closes while it opens also rejects: that failure alone schedules the retry.
      link = await this.openLink({ onFrame: (f) => this.#frame(f), onClose: () => link && this.#lost(link) });
    } catch (error) {
      this.#connecting = false;
      this.#schedule(error instanceof Error ? error.message : String(error));
      return;
    }
    this.#connecting = false;
    if (this.#stopped) return link.close();
    this.#link = link;
    link.send(encodeClientFrame({ kind: 'attach', request: { sessionId: this.sessionId, from: this.#received } }));
  }

  #lost(link: TerminalLink): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    if (this.#stopped || this.#ended) return;
    this.#schedule('the connection to Benchtop dropped');
  }

  #schedule(reason: string): void {
    if (this.#stopped) return;
    const delay = RETRY_DELAYS_MS[this.#attempt];
    if (delay === undefined) {
      this.callbacks.onLinkState('closed', reason);
      return;
    }
    this.#attempt += 1;
    this.callbacks.onLinkState('lost', reason);
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }

  #frame(raw: Uint8Array): void {
    const frame = decodeServerFrame(raw);
    if (!frame) return;
    if (frame.kind === 'data') {
      this.#received += frame.bytes.length;
      const size = frame.bytes.length;
      const attachment = this.#attachment;
      this.callbacks.onData(frame.bytes, () => {
        // Counted from the new attachment's offset already (it resumed from what was received).
        if (attachment !== this.#attachment) return;
        this.#written += size;
        if (this.#written - this.#acked >= ACK_EVERY_BYTES || this.#written === this.#received) {
          this.#acked = this.#written;
          this.#link?.send(encodeClientFrame({ kind: 'ack', bytes: this.#written }));
        }
      });
      return;
    }
    const control = frame.control;
    if (control.type === 'attached') {
      this.#attempt = 0;
      this.#attachment += 1;
      // Output before `offset` is gone from main's backlog: count from where it resumes.
      this.#received = control.offset;
      this.#written = control.offset;
      this.#acked = control.offset;
      this.callbacks.onLinkState('open');
    }
    if (control.type === 'exit' || control.type === 'error') this.#ended = true;
    this.callbacks.onControl(control);
  }
}
