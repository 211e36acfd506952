import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDataChannelService, type FakeSessionOptions } from '../testing/fake-data-channel.js';
import { decodeMessage, encodeMessage, MalformedMessageError, MESSAGE_TYPES, PAYLOAD_TYPES } from './client-message.js';
import { SsmDataChannel } from './data-channel.js';
import { KMS_FIX } from './handshake.js';
import { INITIAL_TIMEOUT_MS } from './retransmission.js';

let service: FakeDataChannelService;
beforeEach(async () => {
  service = await FakeDataChannelService.start();
});
afterEach(async () => {
  await service.close();
});

/** Polls (bounded) until `check` holds. */
async function until(check: () => boolean, what: string, limit = 200): Promise<void> {
  for (let i = 0; i < limit; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function connect(options: FakeSessionOptions = {}) {
  const started = service.createSession(options);
  const channel = new SsmDataChannel({ streamUrl: started.StreamUrl, token: started.TokenValue, resendCheckMs: 20 });
  const output: Buffer[] = [];
  const state = { ready: false, closed: undefined as string | undefined, exit: undefined as number | undefined, failed: undefined as { message: string; fix?: string } | undefined, disconnected: 0 };
  channel
    .on('output', (b) => output.push(Buffer.from(b)))
    .on('ready', () => (state.ready = true))
    .on('closed', ({ output: o }) => (state.closed = o))
    .on('exitCode', (c) => (state.exit = c))
    .on('failed', (e) => (state.failed = e))
    .on('disconnected', () => (state.disconnected += 1));
  const text = () => Buffer.concat(output).toString('utf8');
  return { channel, session: started.session, output, text, state };
}

describe('client message frames', () => {
  it('round-trips every header field and the payload', () => {
    const frame = encodeMessage({ messageType: MESSAGE_TYPES.input, sequenceNumber: 7, flags: 1, payloadType: PAYLOAD_TYPES.size, payload: Buffer.from('{"cols":80}'), messageId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', createdDate: 1_700_000_000_123 });
    expect(frame.readUInt32BE(0)).toBe(116);
    expect(frame.subarray(4, 36).toString('ascii')).toBe('input_stream_data'.padEnd(32, ' '));
    // The UUID's low half is written first.
    expect(frame.subarray(64, 72).toString('hex')).toBe('8796a5b4c3d2e1f0');
    const back = decodeMessage(frame);
    expect(back).toMatchObject({ messageType: 'input_stream_data', sequenceNumber: 7, flags: 1, payloadType: 3, createdDate: 1_700_000_000_123, messageId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', schemaVersion: 1 });
    expect(Buffer.from(back.payload).toString()).toBe('{"cols":80}');
  });

  it('refuses a payload that does not match its digest, and a truncated frame', () => {
    const frame = encodeMessage({ messageType: MESSAGE_TYPES.output, sequenceNumber: 0, flags: 0, payloadType: 1, payload: Buffer.from('hello') });
    frame[frame.length - 1] = 0x21;
    expect(() => decodeMessage(frame)).toThrow(/SHA-256/);
    expect(() => decodeMessage(frame.subarray(0, 60))).toThrow(MalformedMessageError);
  });
});

describe('SSM data channel against the fake service', () => {
  it('sends the token, answers the handshake with the session type, and echoes input', async () => {
    const c = connect();
    await c.channel.open();
    await until(() => c.state.ready, 'handshake complete');
    expect(c.session.handshakeResponse).toMatchObject({ ProcessedClientActions: [{ ActionType: 'SessionType', ActionStatus: 1 }], Errors: [] });
    c.channel.sendInput(Buffer.from('ls\r'));
    await until(() => c.text() === 'ls\r', 'echo');
    // Every message both ways was acknowledged.
    await until(() => c.session.unacked.size === 0 && c.channel.unacknowledged === 0, 'acks');
    c.channel.close();
  });

  it('delivers output in order, once, through drops, duplicates and reordering', async () => {
    const c = connect();
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    service.faults = { dropOut: 0.3, duplicate: 0.3, reorder: true };
    const expected: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      expected.push(`line ${i}\n`);
      c.session.output(`line ${i}\n`);
    }
    c.session.flush();
    await until(() => c.text().length >= expected.join('').length, 'all output', 400);
    expect(c.text()).toBe(expected.join(''));
    c.channel.close();
  });

  it('while paused takes and acknowledges output but holds it, and hands it on in order once resumed', async () => {
    const c = connect();
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    c.channel.pauseOutput(true);
    for (const line of ['one\n', 'two\n', 'three\n']) c.session.output(line);
    // Acknowledged: the agent resends only the oldest unacknowledged message, one a tick, and keeps
    // at most 10,000 — output it had to resend would come back slowly, or never.
    await until(() => c.session.unacked.size === 0, 'acks while paused', 400);
    expect(c.text()).toBe('');
    c.channel.pauseOutput(false);
    expect(c.text()).toBe('one\ntwo\nthree\n');
    c.channel.close();
  });

  it('past what it may hold while paused, leaves output to the agent, and gets its resends in order once resumed', async () => {
    const started = service.createSession();
    const channel = new SsmDataChannel({ streamUrl: started.StreamUrl, token: started.TokenValue, resendCheckMs: 20, maxHeldBytes: 4 });
    const output: Buffer[] = [];
    let ready = false;
    channel.on('output', (b) => output.push(Buffer.from(b))).on('ready', () => (ready = true));
    await channel.open();
    await until(() => ready, 'ready');
    channel.pauseOutput(true);
    started.session.output('one\n');
    await until(() => started.session.unacked.size === 0, 'the first line held');
    for (const line of ['two\n', 'three\n']) started.session.output(line);
    // Long enough for the fake agent to send and resend them; a channel that took them would have.
    await new Promise((r) => setTimeout(r, 400));
    expect(started.session.unacked.size).toBe(2);
    channel.pauseOutput(false);
    await until(() => Buffer.concat(output).toString() === 'one\ntwo\nthree\n', 'the resent output', 400);
    await until(() => started.session.unacked.size === 0, 'acks', 400);
    channel.close();
  });

  it('hands on output held while paused before the session closes', async () => {
    const c = connect();
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    c.channel.pauseOutput(true);
    c.session.output('last words\n');
    await until(() => c.session.unacked.size === 0, 'acks while paused', 400);
    c.session.channelClosed('bye');
    await until(() => c.state.closed !== undefined, 'closed', 400);
    expect(c.text()).toBe('last words\n');
  });

  it('resends unacknowledged input until the agent takes it, and the agent sees it in order once', async () => {
    const c = connect();
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    service.faults = { dropIn: 0.5 };
    const keys = 'abcdefghijklmnopqrst';
    for (const key of keys) c.channel.sendInput(Buffer.from(key));
    await until(() => Buffer.concat(c.session.received).toString() === keys, 'input delivered', 400);
    service.faults = {};
    await until(() => c.channel.unacknowledged === 0, 'input acknowledged', 400);
    // The agent acknowledges a key before it echoes it, and a burst of echoes comes in a few TCP
    // rounds: the last ones may still be on their way once every key is acknowledged.
    await until(() => c.text().length >= keys.length, 'the echoes', 400);
    expect(c.text()).toBe(keys);
    c.channel.close();
  });

  it('measures round trips on acknowledged input to set its retransmission timeout', async () => {
    const c = connect();
    const initial = c.channel.retransmissionTimeoutMs;
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    for (let i = 0; i < 5; i += 1) {
      c.channel.sendInput(Buffer.from('x'));
      await until(() => c.channel.unacknowledged === 0, 'ack');
    }
    expect(initial).toBe(INITIAL_TIMEOUT_MS);
    expect(c.channel.retransmissionTimeoutMs).not.toBe(INITIAL_TIMEOUT_MS);
    c.channel.close();
  });

  it('splits pasted input into 1 KiB messages', async () => {
    const c = connect({ onInput: () => undefined });
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    c.channel.sendInput(Buffer.alloc(2500, 0x61));
    await until(() => c.session.received.length === 3, 'three messages');
    expect(c.session.received.map((b) => b.length)).toEqual([1024, 1024, 452]);
    c.channel.close();
  });

  it('sends terminal sizes as size messages', async () => {
    const c = connect();
    await c.channel.open();
    c.channel.resize(120, 40);
    c.channel.resize(100, 30);
    await until(() => c.session.sizes.length === 2, 'sizes');
    expect(c.session.sizes).toEqual([{ cols: 120, rows: 40 }, { cols: 100, rows: 30 }]);
    c.channel.close();
  });

  it('reports the exit status and the agent closing the channel', async () => {
    const c = connect();
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    c.session.exit(3, 'Command exited');
    await until(() => c.state.closed !== undefined, 'closed');
    expect(c.state.exit).toBe(3);
    expect(c.state.closed).toBe('Command exited');
    expect(c.state.disconnected).toBe(0);
  });

  it('asks the agent to terminate with the TerminateSession flag', async () => {
    const c = connect();
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    c.channel.terminate();
    await until(() => c.state.closed !== undefined, 'closed');
    expect(c.session.flags).toEqual([2]);
  });

  it('resumes after a drop with the new token, keeping both sequences and resending what was lost', async () => {
    const c = connect();
    await c.channel.open();
    await until(() => c.state.ready, 'ready');
    c.channel.sendInput(Buffer.from('one '));
    await until(() => c.text() === 'one ', 'first echo');
    c.session.drop();
    await until(() => c.state.disconnected === 1, 'disconnected');
    // Typed while disconnected: kept and sent after the reconnect.
    c.channel.sendInput(Buffer.from('two'));
    const oldToken = c.session.token;
    const token = c.session.resume();
    await expect(new SsmDataChannel({ streamUrl: `ws://127.0.0.1:${service.port}/v1/data-channel/${c.session.id}`, token: oldToken }).open()).resolves.toBeUndefined();
    await until(() => service.refusedTokens.includes(oldToken), 'the old token refused');
    await c.channel.reconnect(token);
    await until(() => c.text() === 'one two', 'echo after resume');
    expect(c.session.connections).toBe(2);
    c.channel.close();
  });

  it('refuses KMS encryption, naming the preference to change', async () => {
    const c = connect({ kms: true });
    await c.channel.open();
    await until(() => c.state.failed !== undefined, 'refusal');
    expect(c.state.failed?.message).toMatch(/KMS encryption/);
    expect(c.state.failed?.fix).toBe(KMS_FIX);
    await until(() => c.session.handshakeResponse !== undefined, 'handshake response');
    expect(c.session.handshakeResponse).toMatchObject({ ProcessedClientActions: [{ ActionStatus: 1 }, { ActionType: 'KMSEncryption', ActionStatus: 2 }] });
  });

  it('takes output from an agent that skips the handshake', async () => {
    const c = connect({ noHandshake: true });
    await c.channel.open();
    c.session.output('$ ');
    await until(() => c.state.ready && c.text() === '$ ', 'output');
    c.channel.close();
  });
});
