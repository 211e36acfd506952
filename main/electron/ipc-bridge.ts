import type { CallResult } from '../../common/api/errors.js';
import type { Router } from '../../common/api/router.js';
import { IPC_EVENT, type IpcEventMessage } from './ipc-channels.js';
import { type SenderFrame, isTrustedSender } from './sender-validation.js';

/** The parts of an Electron WebContents the bridge uses, so it can be tested without Electron. */
export interface BridgeSender {
  readonly id: number;
  send(channel: typeof IPC_EVENT, message: IpcEventMessage): void;
  isDestroyed(): boolean;
}

const REFUSED = { code: 'forbidden', message: 'Refused: this IPC message did not come from the Benchtop window.' } as const;

/**
 * The desktop transport of the router: calls, and subscriptions keyed by (window, id) so that one
 * window cannot stop another's streams, and all of a window's streams end when it goes away.
 */
export class IpcBridge {
  private readonly subscriptions = new Map<number, Map<number, () => void>>();

  constructor(
    private readonly router: Router,
    private readonly trusted: (frame: SenderFrame | undefined) => boolean = isTrustedSender,
  ) {}

  async call(frame: SenderFrame | undefined, name: unknown, input: unknown): Promise<CallResult> {
    if (!this.trusted(frame)) return { ok: false, error: REFUSED };
    if (typeof name !== 'string') return { ok: false, error: { code: 'bad-input', message: 'The API name must be a string.' } };
    return this.router.invoke(name, input, { transport: 'ipc' });
  }

  subscribe(sender: BridgeSender, frame: SenderFrame | undefined, id: unknown, name: unknown, input: unknown): void {
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return;
    const reply = (message: IpcEventMessage): void => {
      if (!sender.isDestroyed()) sender.send(IPC_EVENT, message);
    };
    if (!this.trusted(frame)) return reply({ id, error: REFUSED });
    if (typeof name !== 'string') return reply({ id, error: { code: 'bad-input', message: 'The event name must be a string.' } });
    this.unsubscribe(sender.id, id);
    const mine = this.subscriptions.get(sender.id) ?? new Map<number, () => void>();
    this.subscriptions.set(sender.id, mine);
    const subscription = this.router.subscribe(
      name,
      input,
      (payload) => reply({ id, payload }),
      (error) => {
        reply({ id, error });
        this.unsubscribe(sender.id, id);
      },
    );
    if (!subscription.ok) return reply({ id, error: subscription.error });
    mine.set(id, subscription.unsubscribe);
  }

  unsubscribe(senderId: number, id: unknown): void {
    const mine = this.subscriptions.get(senderId);
    if (typeof id !== 'number' || !mine) return;
    mine.get(id)?.();
    mine.delete(id);
  }

  /** A window closed, crashed or navigated away: end all of its streams. */
  release(senderId: number): void {
    const mine = this.subscriptions.get(senderId);
    if (!mine) return;
    this.subscriptions.delete(senderId);
    for (const stop of mine.values()) stop();
  }

  activeCount(senderId: number): number {
    return this.subscriptions.get(senderId)?.size ?? 0;
  }
}
