import type { TerminalHub } from '../terminal/terminal-hub.js';
import { IPC_TERMINAL_CLOSE, IPC_TERMINAL_FRAME } from './ipc-channels.js';
import { type SenderFrame, isTrustedSender } from './sender-validation.js';

/** The parts of an Electron WebContents the terminal bridge uses, so it can be tested without Electron. */
export interface TerminalSender {
  readonly id: number;
  send(channel: typeof IPC_TERMINAL_FRAME | typeof IPC_TERMINAL_CLOSE, connection: number, frame?: Uint8Array): void;
  isDestroyed(): boolean;
}

/**
 * The desktop transport of terminal streams: each connection (window, id) is one attachment to the
 * hub, carrying the same binary frames as browser mode's WebSocket. Frames of an untrusted sender
 * are dropped; a window's connections end when it goes away.
 */
export class IpcTerminalBridge {
  private readonly connections = new Map<number, Map<number, { receive(raw: Uint8Array): void; gone(): void }>>();

  constructor(
    private readonly hub: TerminalHub,
    private readonly trusted: (frame: SenderFrame | undefined) => boolean = isTrustedSender,
  ) {}

  /** A frame from the page; the first of a connection opens it. */
  frame(sender: TerminalSender, senderFrame: SenderFrame | undefined, connection: unknown, raw: unknown): void {
    if (!this.trusted(senderFrame) || typeof connection !== 'number' || !Number.isSafeInteger(connection) || !(raw instanceof Uint8Array)) return;
    const mine = this.connections.get(sender.id) ?? new Map();
    this.connections.set(sender.id, mine);
    let attachment = mine.get(connection);
    if (!attachment) {
      attachment = this.hub.attach({
        send: (frame) => {
          if (!sender.isDestroyed()) sender.send(IPC_TERMINAL_FRAME, connection, frame);
        },
        close: () => {
          mine.get(connection)?.gone();
          mine.delete(connection);
          if (!sender.isDestroyed()) sender.send(IPC_TERMINAL_CLOSE, connection);
        },
      });
      mine.set(connection, attachment);
    }
    attachment.receive(raw);
  }

  close(senderId: number, connection: unknown): void {
    const mine = this.connections.get(senderId);
    if (typeof connection !== 'number' || !mine) return;
    mine.get(connection)?.gone();
    mine.delete(connection);
  }

  release(senderId: number): void {
    const mine = this.connections.get(senderId);
    if (!mine) return;
    this.connections.delete(senderId);
    for (const attachment of mine.values()) attachment.gone();
  }
}
