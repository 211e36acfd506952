import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { z } from 'zod';
import { type ClientMessage, decodeMessage, encodeAck, encodeMessage, FLAGS, MalformedMessageError, MESSAGE_TYPES, PAYLOAD_TYPES } from './client-message.js';
import { answerHandshake, handshakeComplete, handshakeRequest } from './handshake.js';
import { RetransmissionTimer } from './retransmission.js';

// The client side of the Session Manager data channel: one WebSocket to the session's StreamUrl,
// opened with its token; every stream message is acknowledged; output is delivered in sequence
// order (later messages wait in a buffer); input stays buffered until acknowledged and is resent
// after a round-trip-based timeout. A reconnect (after ResumeSession) keeps both sequences.

/** Largest input payload per message, as the plugin sends (StreamDataPayloadSize). */
export const INPUT_CHUNK_BYTES = 1024;
const BUFFER_CAPACITY = 10_000;
/**
 * Output taken while paused and held here until resumed. The agent does not slow its shell when
 * acks stop: it keeps reading the pty and sending, keeps at most 10,000 unacknowledged messages
 * (later ones are sent once and never again), and resends only the oldest, one per 100 ms tick.
 * Output left unacknowledged would come back at about 10 KiB/s, or not at all, so it is taken and
 * held, up to this much; only past it are acks withheld.
 */
export const HELD_OUTPUT_BYTES = 4 * 1024 * 1024;
const PING_INTERVAL_MS = 5 * 60_000;

export interface DataChannelEvents {
  /** Terminal output (stdout and stderr), in order. */
  output(bytes: Uint8Array): void;
  /** The handshake finished (or the agent, being old, skipped it and sent output). */
  ready(info: { agentVersion: string; sessionType: string; customerMessage?: string }): void;
  /** The command's exit status (interactive commands), when the agent sends one. */
  exitCode(code: number): void;
  /** The agent closed the session; `output` is its reason, if any. Final. */
  closed(info: { output: string }): void;
  /** The socket dropped without channel_closed: resume the session, then `reconnect`. */
  disconnected(reason: string): void;
  /** The channel cannot go on (the handshake was refused, input was never acknowledged). Final. */
  failed(error: { message: string; fix?: string }): void;
}

export interface DataChannelOptions {
  streamUrl: string;
  token: string;
  clientVersion?: string;
  /** How often unacknowledged input is checked for resending; the plugin checks every 100 ms. */
  resendCheckMs?: number;
  /** Give up after this many resends of one message (the plugin: 3000, about five minutes). */
  maxResendAttempts?: number;
  /** Output held while paused before acks are withheld (HELD_OUTPUT_BYTES). */
  maxHeldBytes?: number;
}

interface Outgoing {
  frame: Buffer;
  sequenceNumber: number;
  sentAt: number;
  resends: number;
}

const channelClosed = z.object({ Output: z.string().optional() }).passthrough();
const ackContent = z.object({ AcknowledgedMessageSequenceNumber: z.number() }).passthrough();

export class SsmDataChannel {
  readonly clientId = randomUUID();
  readonly #options: Required<Omit<DataChannelOptions, 'token'>>;
  #token: string;
  #events: Partial<DataChannelEvents> = {};
  #socket: WebSocket | undefined;
  #nextInputSequence = 0;
  #expectedSequence = 0;
  readonly #outgoing = new Map<number, Outgoing>();
  readonly #incoming = new Map<number, ClientMessage>();
  readonly #timer = new RetransmissionTimer();
  #resendLoop: NodeJS.Timeout | undefined;
  #ping: NodeJS.Timeout | undefined;
  #ready = false;
  #finished = false;
  #paused = false;
  #pausedOutput = false;
  #unsent: Buffer[] = [];
  #held: Uint8Array[] = [];
  #heldBytes = 0;

  constructor(options: DataChannelOptions) {
    this.#token = options.token;
    this.#options = {
      streamUrl: options.streamUrl,
      clientVersion: options.clientVersion ?? '1.2.0.0',
      resendCheckMs: options.resendCheckMs ?? 100,
      maxResendAttempts: options.maxResendAttempts ?? 3000,
      maxHeldBytes: options.maxHeldBytes ?? HELD_OUTPUT_BYTES,
    };
  }

  on<K extends keyof DataChannelEvents>(event: K, handler: DataChannelEvents[K]): this {
    this.#events[event] = handler;
    return this;
  }

  get retransmissionTimeoutMs(): number {
    return this.#timer.timeoutMs;
  }

  get unacknowledged(): number {
    return this.#outgoing.size;
  }

  /** Opens the socket and sends the token; resolves once the socket is open. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.#options.streamUrl, { perMessageDeflate: false });
      this.#socket = socket;
      socket.binaryType = 'nodebuffer';
      let opened = false;
      socket.once('open', () => {
        opened = true;
        socket.send(
          JSON.stringify({
            MessageSchemaVersion: '1.0',
            RequestId: randomUUID(),
            TokenValue: this.#token,
            ClientId: this.clientId,
            ClientVersion: this.#options.clientVersion,
          }),
        );
        this.#startLoops();
        for (const message of this.#outgoing.values()) this.#send(message.frame);
        resolve();
      });
      // Kept for the socket's life: an 'error' without a listener would throw; 'close' follows it.
      socket.on('error', (error) => reject(error));
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (socket !== this.#socket || !isBinary) return;
        this.#receive(data);
      });
      socket.once('close', (code, reason) => {
        if (socket !== this.#socket) return;
        this.#stopLoops();
        // A socket that never opened rejected open(): its caller decides, it is no drop to resume.
        if (opened && !this.#finished) this.#events.disconnected?.(`the data channel closed (${code}${reason.length ? `: ${reason.toString()}` : ''})`);
      });
    });
  }

  /** After ResumeSession: a new socket with the new token; unacknowledged input is sent again. */
  async reconnect(token: string): Promise<void> {
    if (this.#finished) return;
    this.#token = token;
    const old = this.#socket;
    this.#socket = undefined;
    old?.terminate();
    await this.open();
  }

  /** Keystrokes or pasted text, split into messages of at most 1 KiB. */
  sendInput(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; at += INPUT_CHUNK_BYTES) {
      this.#sendStream(PAYLOAD_TYPES.output, bytes.subarray(at, at + INPUT_CHUNK_BYTES));
    }
  }

  resize(cols: number, rows: number): void {
    this.#sendStream(PAYLOAD_TYPES.size, Buffer.from(JSON.stringify({ cols, rows })));
  }

  /** Asks the agent to end the session (agents since 2.3.722.0 honour the flag). */
  terminate(): void {
    const flag = Buffer.alloc(4);
    flag.writeUInt32BE(FLAGS.terminateSession);
    this.#sendStream(PAYLOAD_TYPES.flag, flag);
  }

  /**
   * Back-pressure: while paused, output is taken and acknowledged but held here, in order, up to
   * maxHeldBytes (see HELD_OUTPUT_BYTES); past that, output messages are neither taken nor
   * acknowledged, and the agent keeps them.
   */
  pauseOutput(paused: boolean): void {
    this.#pausedOutput = paused;
    if (!paused) this.#release();
  }

  /** Hands held output on, until it is all out or output is paused again (or, `all`, regardless). */
  #release(all = false): void {
    while (this.#held.length > 0 && (all || !this.#pausedOutput)) {
      const bytes = this.#held.shift()!;
      this.#heldBytes -= bytes.length;
      this.#events.output?.(bytes);
    }
  }

  close(): void {
    this.#finished = true;
    this.#stopLoops();
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
  }

  #sendStream(payloadType: number, payload: Uint8Array): void {
    if (this.#finished) return;
    const sequenceNumber = this.#nextInputSequence++;
    const frame = encodeMessage({ messageType: MESSAGE_TYPES.input, sequenceNumber, flags: 0, payloadType, payload });
    if (this.#outgoing.size >= BUFFER_CAPACITY) this.#outgoing.delete(this.#outgoing.keys().next().value as number);
    this.#outgoing.set(sequenceNumber, { frame, sequenceNumber, sentAt: Date.now(), resends: 0 });
    if (this.#paused) this.#unsent.push(frame);
    else this.#send(frame);
  }

  #send(frame: Buffer): void {
    const socket = this.#socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(frame, { binary: true });
  }

  #startLoops(): void {
    this.#stopLoops();
    this.#resendLoop = setInterval(() => this.#resendExpired(), this.#options.resendCheckMs);
    this.#ping = setInterval(() => this.#socket?.ping('keepalive'), PING_INTERVAL_MS);
  }

  #stopLoops(): void {
    clearInterval(this.#resendLoop);
    clearInterval(this.#ping);
  }

  #resendExpired(): void {
    if (this.#paused) return;
    const now = Date.now();
    for (const message of this.#outgoing.values()) {
      if (now - message.sentAt <= this.#timer.timeoutMs) continue;
      if (message.resends >= this.#options.maxResendAttempts) {
        this.#fail({ message: `The instance did not acknowledge input after ${message.resends} resends.`, fix: 'Reconnect; if it keeps failing, check the SSM agent on the instance.' });
        return;
      }
      message.resends += 1;
      message.sentAt = now;
      this.#send(message.frame);
    }
  }

  #receive(data: Buffer): void {
    let message: ClientMessage;
    try {
      message = decodeMessage(data);
    } catch (error) {
      // A corrupt frame is dropped unacknowledged: the agent sends it again.
      if (error instanceof MalformedMessageError) return;
      throw error;
    }
    switch (message.messageType) {
      case MESSAGE_TYPES.output:
        return this.#receiveOutput(message);
      case MESSAGE_TYPES.ack:
        return this.#receiveAck(message);
      case MESSAGE_TYPES.channelClosed: {
        const parsed = channelClosed.safeParse(parseJson(message.payload));
        // The session's last output comes before its end, paused or not.
        this.#release(true);
        this.#finished = true;
        this.#events.closed?.({ output: parsed.success ? (parsed.data.Output ?? '') : '' });
        this.close();
        return;
      }
      case MESSAGE_TYPES.pausePublication:
        this.#paused = true;
        return;
      case MESSAGE_TYPES.startPublication:
        this.#paused = false;
        for (const frame of this.#unsent.splice(0)) this.#send(frame);
        return;
      default:
        return;
    }
  }

  #receiveAck(message: ClientMessage): void {
    const parsed = ackContent.safeParse(parseJson(message.payload));
    if (!parsed.success) return;
    const acked = this.#outgoing.get(parsed.data.AcknowledgedMessageSequenceNumber);
    if (!acked) return;
    if (acked.resends === 0) this.#timer.sample(Date.now() - acked.sentAt);
    this.#outgoing.delete(acked.sequenceNumber);
  }

  #receiveOutput(message: ClientMessage): void {
    if (this.#pausedOutput && this.#heldBytes >= this.#options.maxHeldBytes) return;
    if (message.sequenceNumber < this.#expectedSequence) {
      // A resend of something already taken: our ack was lost, so acknowledge it again.
      this.#send(encodeAck(message));
      return;
    }
    if (message.sequenceNumber > this.#expectedSequence) {
      if (this.#incoming.size < BUFFER_CAPACITY) {
        this.#incoming.set(message.sequenceNumber, message);
        this.#send(encodeAck(message));
      }
      return;
    }
    this.#send(encodeAck(message));
    this.#deliver(message);
    this.#expectedSequence += 1;
    for (let next = this.#incoming.get(this.#expectedSequence); next; next = this.#incoming.get(this.#expectedSequence)) {
      this.#incoming.delete(this.#expectedSequence);
      this.#deliver(next);
      this.#expectedSequence += 1;
    }
  }

  #deliver(message: ClientMessage): void {
    switch (message.payloadType) {
      case PAYLOAD_TYPES.handshakeRequest: {
        const request = handshakeRequest.safeParse(parseJson(message.payload));
        if (!request.success) return this.#fail({ message: 'The agent sent a handshake request Benchtop cannot read.' });
        const outcome = answerHandshake(request.data, this.#options.clientVersion);
        this.#sendStream(PAYLOAD_TYPES.handshakeResponse, Buffer.from(JSON.stringify(outcome.response)));
        this.#agentVersion = request.data.AgentVersion;
        this.#sessionType = outcome.sessionType ?? this.#sessionType;
        if (outcome.refusal) this.#fail(outcome.refusal);
        return;
      }
      case PAYLOAD_TYPES.handshakeComplete: {
        const complete = handshakeComplete.safeParse(parseJson(message.payload));
        const customerMessage = complete.success ? complete.data.CustomerMessage : undefined;
        this.#markReady(customerMessage);
        return;
      }
      case PAYLOAD_TYPES.encChallengeRequest:
        return;
      case PAYLOAD_TYPES.output:
      case PAYLOAD_TYPES.stdErr:
        this.#markReady(undefined);
        if (this.#pausedOutput || this.#held.length > 0) {
          this.#held.push(message.payload);
          this.#heldBytes += message.payload.length;
        } else this.#events.output?.(message.payload);
        return;
      case PAYLOAD_TYPES.exitCode: {
        const code = exitCodeOf(message.payload);
        if (code !== undefined) this.#events.exitCode?.(code);
        return;
      }
      default:
        return;
    }
  }

  #agentVersion = '';
  #sessionType = 'Standard_Stream';

  #markReady(customerMessage: string | undefined): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#events.ready?.({ agentVersion: this.#agentVersion, sessionType: this.#sessionType, ...(customerMessage ? { customerMessage } : {}) });
  }

  #fail(error: { message: string; fix?: string }): void {
    if (this.#finished) return;
    // Let the handshake response (or whatever is queued) leave before the socket closes.
    const socket = this.#socket;
    this.#finished = true;
    this.#stopLoops();
    this.#events.failed?.(error);
    setTimeout(() => socket?.close(), 50).unref();
  }
}

function parseJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The agent's exit status. The reference client never parses it, so both a decimal in text and a big-endian int32 are read. */
export function exitCodeOf(payload: Uint8Array): number | undefined {
  const text = Buffer.from(payload).toString('utf8').trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  if (payload.length === 4) return Buffer.from(payload).readInt32BE(0);
  return undefined;
}
