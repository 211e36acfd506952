import { SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeServerFrame, encodeClientFrame } from '../common/api/terminal-stream.js';
import { ssmBackend } from '../main/terminal/ssm/ssm-terminal.js';
import { TerminalHub } from '../main/terminal/terminal-hub.js';
import { FakeDataChannelService } from '../main/terminal/testing/fake-data-channel.js';
import { numberOption } from './lib/number-option.js';

// Keystroke-to-echo latency of an SSM terminal: a key goes page-side frame → hub → SSM data
// channel client → the fake data-channel service on loopback, which echoes it as output after an
// injected delay on every frame it sends (acks included) → client → hub → back as a frame. One key
// at a time, each waiting for its echo. Baseline: a bare WebSocket echo server with the same
// injected delay (the least any client could do). Target: p99 ≤ injected delay + 100 ms.
//   node --import tsx bench/terminal-echo.ts [--keys N] [--delay-ms N]

const KEYS = numberOption('--keys', 300);
const DELAY_MS = numberOption('--delay-ms', 20);

function emit(metric: string, value: number, unit: string, extra: Record<string, number> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'terminal-echo', metric, value: Math.round(value * 10) / 10, unit, better: 'lower', ...extra })}\n`);
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function throughTerminal(): Promise<number[]> {
  const service = await FakeDataChannelService.start();
  service.faults = { delayMs: DELAY_MS };
  const ssm = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(ssm);
  mock.on(StartSessionCommand).callsFake(() => {
    const s = service.createSession();
    return { SessionId: s.SessionId, StreamUrl: s.StreamUrl, TokenValue: s.TokenValue };
  });
  mock.on(TerminateSessionCommand).resolves({});
  const hub = new TerminalHub();
  const info = await hub.open({ title: 'bench', target: { kind: 'local' }, note: '' }, { cols: 80, rows: 24 }, ssmBackend({ ssm, instanceId: 'i-0123456789abcdef0' }));
  let waiting: (() => void) | undefined;
  const attachment = hub.attach({
    send: (raw) => {
      const frame = decodeServerFrame(raw);
      if (frame?.kind === 'data') waiting?.();
    },
    close: () => undefined,
  });
  attachment.receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
  await new Promise((r) => setTimeout(r, 500));
  const samples: number[] = [];
  for (let i = 0; i < KEYS; i += 1) {
    const echoed = new Promise<void>((resolve) => (waiting = resolve));
    const start = performance.now();
    attachment.receive(encodeClientFrame({ kind: 'data', bytes: Buffer.from('k') }));
    await echoed;
    samples.push(performance.now() - start);
  }
  hub.closeAll();
  await service.close();
  return samples;
}

async function bareWebSocket(): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  server.on('connection', (ws) => ws.on('message', (data: Buffer) => setTimeout(() => ws.send(data), DELAY_MS)));
  const port = (server.address() as { port: number }).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((r) => client.once('open', r));
  const samples: number[] = [];
  for (let i = 0; i < KEYS; i += 1) {
    const start = performance.now();
    const echoed = new Promise((r) => client.once('message', r));
    client.send(Buffer.from('k'));
    await echoed;
    samples.push(performance.now() - start);
  }
  client.close();
  await new Promise<void>((r) => server.close(() => r()));
  return samples;
}

const terminal = await throughTerminal();
const bare = await bareWebSocket();
emit('echo_p50', percentile(terminal, 0.5), 'ms', { baseline: Math.round(percentile(bare, 0.5) * 10) / 10, injectedDelayMs: DELAY_MS, keys: KEYS });
emit('echo_p99', percentile(terminal, 0.99), 'ms', { target: DELAY_MS + 100, baseline: Math.round(percentile(bare, 0.99) * 10) / 10, injectedDelayMs: DELAY_MS, keys: KEYS });
emit('echo_max', Math.max(...terminal), 'ms', { baseline: Math.round(Math.max(...bare) * 10) / 10 });
