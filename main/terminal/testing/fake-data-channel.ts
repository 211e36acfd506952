import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { type ClientMessage, decodeMessage, encodeAck, encodeMessage, FLAGS, MESSAGE_TYPES, PAYLOAD_TYPES } from '../ssm/client-message.js';

// A loopback stand-in for the Session Manager data-channel service and the agent behind it,
// written from the protocol: it checks the token of OpenDataChannelInput, starts the handshake,
// acknowledges every stream message, delivers input in order (later ones wait), resends output
// until acknowledged, and can drop, duplicate, reorder and delay what it sends and receives.

export interface Faults {
  /** Share of outgoing frames dropped (0..1). */
  dropOut?: number;
  /** Share of incoming frames ignored as if lost. */
  dropIn?: number;
  /** Share of outgoing frames sent twice. */
  duplicate?: number;
  /** Hold each outgoing frame back and send it after the next one. */
  reorder?: boolean;
  /** Delay of each outgoing frame, ms. */
  delayMs?: number;
}

export interface FakeSessionOptions {
  /** What input becomes: by default, an echo of it as output. */
  onInput?: (bytes: Uint8Array, session: FakeSession) => void;
  /** Ask the client for KMS encryption in the handshake. */
  kms?: boolean;
  /** Skip the handshake, as agents before 2.3 did. */
  noHandshake?: boolean;
  sessionType?: string;
}

export class FakeSession {
  token = randomUUID();
  socket: WebSocket | undefined;
  nextOutput = 0;
  expectedInput = 0;
  readonly unacked = new Map<number, Buffer>();
  readonly inputBuffer = new Map<number, ClientMessage>();
  readonly sizes: { cols: number; rows: number }[] = [];
  readonly received: Uint8Array[] = [];
  readonly inputAcksSent: number[] = [];
  handshakeResponse: unknown;
  flags: number[] = [];
  connections = 0;
  closed = false;
  #held: Buffer | undefined;

  constructor(
    readonly id: string,
    readonly options: FakeSessionOptions,
    private readonly service: FakeDataChannelService,
  ) {}

  /** Sends terminal output as the agent would (resent until acknowledged). */
  output(bytes: Uint8Array | string, payloadType: number = PAYLOAD_TYPES.output): void {
    const sequenceNumber = this.nextOutput++;
    const frame = encodeMessage({ messageType: MESSAGE_TYPES.output, sequenceNumber, flags: 0, payloadType, payload: typeof bytes === 'string' ? Buffer.from(bytes) : bytes });
    this.unacked.set(sequenceNumber, frame);
    this.send(frame);
  }

  exit(code: number, output = ''): void {
    this.output(String(code), PAYLOAD_TYPES.exitCode);
    this.channelClosed(output);
  }

  channelClosed(output = ''): void {
    const payload = Buffer.from(JSON.stringify({ MessageType: 'channel_closed', SessionId: this.id, Output: output, SchemaVersion: 1, MessageId: randomUUID(), CreatedDate: new Date().toISOString(), DestinationId: '' }));
    this.send(encodeMessage({ messageType: MESSAGE_TYPES.channelClosed, sequenceNumber: 0, flags: 0, payloadType: 0, payload }), true);
    this.closed = true;
  }

  pausePublication(paused: boolean): void {
    this.send(encodeMessage({ messageType: paused ? MESSAGE_TYPES.pausePublication : MESSAGE_TYPES.startPublication, sequenceNumber: 0, flags: 0, payloadType: 0, payload: new Uint8Array() }), true);
  }

  /** Cuts the socket, as a network drop would; the session lives on for a resume. */
  drop(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }

  /** What ResumeSession does: a new token for the same session. */
  resume(): string {
    this.token = randomUUID();
    return this.token;
  }

  send(frame: Buffer, reliable = false): void {
    const faults = reliable ? {} : this.service.faults;
    const random = this.service.random;
    const emit = (f: Buffer): void => {
      const go = (): void => {
        if (this.socket?.readyState === 1) this.socket.send(f, { binary: true });
      };
      if (faults.delayMs) setTimeout(go, faults.delayMs);
      else go();
    };
    if (faults.dropOut && random() < faults.dropOut) return;
    const copies = faults.duplicate && random() < faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i += 1) {
      if (faults.reorder) {
        const held = this.#held;
        this.#held = frame;
        if (held) {
          emit(frame);
          emit(held);
          this.#held = undefined;
        }
      } else {
        emit(frame);
      }
    }
  }

  /** Sends a frame the reorder fault holds back. */
  flush(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held && this.socket?.readyState === 1) this.socket.send(held, { binary: true });
  }

  resendUnacked(): void {
    for (const frame of this.unacked.values()) this.send(frame);
  }

  handshake(): void {
    if (this.options.noHandshake) return;
    const actions: unknown[] = [{ ActionType: 'SessionType', ActionParameters: { SessionType: this.options.sessionType ?? 'Standard_Stream', Properties: null } }];
    if (this.options.kms) actions.push({ ActionType: 'KMSEncryption', ActionParameters: { KMSKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/test' } });
    this.output(JSON.stringify({ AgentVersion: '3.3.0.0', RequestedClientActions: actions }), PAYLOAD_TYPES.handshakeRequest);
  }

  receive(message: ClientMessage): void {
    if (message.messageType === MESSAGE_TYPES.ack) {
      const content = JSON.parse(Buffer.from(message.payload).toString()) as { AcknowledgedMessageSequenceNumber: number };
      this.unacked.delete(content.AcknowledgedMessageSequenceNumber);
      return;
    }
    if (message.messageType !== MESSAGE_TYPES.input) return;
    this.inputAcksSent.push(message.sequenceNumber);
    this.send(encodeAck(message));
    if (message.sequenceNumber < this.expectedInput) return;
    if (message.sequenceNumber > this.expectedInput) {
      this.inputBuffer.set(message.sequenceNumber, message);
      return;
    }
    this.take(message);
    this.expectedInput += 1;
    for (let next = this.inputBuffer.get(this.expectedInput); next; next = this.inputBuffer.get(this.expectedInput)) {
      this.inputBuffer.delete(this.expectedInput);
      this.take(next);
      this.expectedInput += 1;
    }
  }

  private take(message: ClientMessage): void {
    const text = (): string => Buffer.from(message.payload).toString('utf8');
    switch (message.payloadType) {
      case PAYLOAD_TYPES.handshakeResponse:
        this.handshakeResponse = JSON.parse(text());
        if (!this.options.kms) this.output(JSON.stringify({ HandshakeTimeToComplete: 1_000_000, CustomerMessage: '' }), PAYLOAD_TYPES.handshakeComplete);
        return;
      case PAYLOAD_TYPES.size:
        this.sizes.push(JSON.parse(text()) as { cols: number; rows: number });
        return;
      case PAYLOAD_TYPES.flag: {
        const flag = Buffer.from(message.payload).readUInt32BE(0);
        this.flags.push(flag);
        if (flag === FLAGS.terminateSession) this.channelClosed('');
        return;
      }
      case PAYLOAD_TYPES.output:
        this.received.push(message.payload);
        if (this.options.onInput) this.options.onInput(message.payload, this);
        else this.output(message.payload);
        return;
      default:
        return;
    }
  }
}

export class FakeDataChannelService {
  readonly sessions = new Map<string, FakeSession>();
  faults: Faults = {};
  readonly #server: WebSocketServer;
  #resender: NodeJS.Timeout | undefined;
  #seed = 42;
  readonly refusedTokens: string[] = [];

  private constructor(server: WebSocketServer) {
    this.#server = server;
    server.on('connection', (socket, request) => this.#connect(socket, request.url ?? ''));
    // The agent resends unacknowledged output, as the client resends its input.
    this.#resender = setInterval(() => {
      for (const session of this.sessions.values()) session.resendUnacked();
    }, 150);
  }

  static async start(): Promise<FakeDataChannelService> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new FakeDataChannelService(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** A deterministic source for the faults (the same run drops the same frames). */
  random = (): number => {
    this.#seed = (this.#seed + 0x6d2b79f5) | 0;
    let t = Math.imul(this.#seed ^ (this.#seed >>> 15), 1 | this.#seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  /** What StartSession answers for a new session. */
  createSession(options: FakeSessionOptions = {}): { session: FakeSession; SessionId: string; StreamUrl: string; TokenValue: string } {
    const id = `benchtop-${randomUUID().slice(0, 17)}`;
    const session = new FakeSession(id, options, this);
    this.sessions.set(id, session);
    return { session, SessionId: id, StreamUrl: `ws://127.0.0.1:${this.port}/v1/data-channel/${id}?role=publish_subscribe`, TokenValue: session.token };
  }

  #connect(socket: WebSocket, url: string): void {
    const id = /\/v1\/data-channel\/([^?]+)/.exec(url)?.[1] ?? '';
    const session = this.sessions.get(id);
    if (!session || session.closed) {
      socket.close(4404, 'no such session');
      return;
    }
    let opened = false;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!opened) {
        const open = JSON.parse(data.toString()) as { TokenValue?: string; MessageSchemaVersion?: string };
        if (isBinary || open.TokenValue !== session.token || open.MessageSchemaVersion !== '1.0') {
          this.refusedTokens.push(String(open.TokenValue));
          socket.close(4401, 'invalid token');
          return;
        }
        opened = true;
        session.socket = socket;
        session.connections += 1;
        if (session.connections === 1) session.handshake();
        else session.resendUnacked();
        return;
      }
      if (!isBinary) return;
      if (this.faults.dropIn && this.random() < this.faults.dropIn) return;
      session.receive(decodeMessage(data));
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#resender);
    for (const client of this.#server.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
