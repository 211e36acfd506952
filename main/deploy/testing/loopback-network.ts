import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// The instances' network: a network namespace of its own with only a loopback interface, shared
// by the boots, the agents and the fake Docker's containers (--network none leave it). In it the
// services agent listens where its unit says (0.0.0.0:8080) without touching the machine's own
// ports or interfaces, and workers reach it by its private DNS name (/etc/hosts -> 127.0.0.1).
// AWS is the fake on the host's loopback, reached from inside at the same port through a Unix
// socket, since a filesystem socket crosses network namespaces; the platform API is reached
// from the test the same way in the other direction. Needs root (unshare --net).

const INSIDE = String.raw`
const net = require('node:net');
const { execFileSync } = require('node:child_process');
const [awsPort, awsSocket, apiSocket, apiPort] = process.argv.slice(1);
execFileSync('ip', ['link', 'set', 'lo', 'up']);
const pipe = (a, b) => { a.pipe(b).pipe(a); a.on('error', () => b.destroy()); b.on('error', () => a.destroy()); };
let listening = 0;
const ready = () => { if (++listening === 2) process.stdout.write('ready\n'); };
net.createServer((c) => pipe(c, net.connect(awsSocket))).listen(Number(awsPort), '127.0.0.1', ready);
net.createServer((c) => pipe(c, net.connect(Number(apiPort), '127.0.0.1'))).listen(apiSocket, ready);
process.on('SIGTERM', () => process.exit(0));
`;

export interface LoopbackNetwork {
  /** For nsenter --net=… */
  namespace: string;
  /** The fake AWS as seen from inside (same port as on the host). */
  awsUrl: string;
  /** The platform API (inside: 127.0.0.1:apiPort) as the test reaches it from the host. */
  apiUrl: string;
  close(): Promise<void>;
}

const open = new Set<Socket>();

function pipe(a: Socket, b: Socket): void {
  for (const s of [a, b]) {
    open.add(s);
    s.once('close', () => open.delete(s));
  }
  a.pipe(b).pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
}

function listen(server: Server, where: { path: string } | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => resolve());
  });
}

/** Starts the namespace (a process holding it and forwarding) and the host side of both forwards. */
export async function startLoopbackNetwork(dir: string, fakeAwsUrl: string, apiPort: number): Promise<LoopbackNetwork> {
  const awsPort = Number(new URL(fakeAwsUrl).port);
  const awsSocket = join(dir, 'aws.sock');
  const apiSocket = join(dir, 'api.sock');
  const awsBridge = createServer((c) => pipe(c, createConnection(awsPort, '127.0.0.1')));
  await listen(awsBridge, { path: awsSocket });
  const apiBridge = createServer((c) => pipe(c, createConnection(apiSocket)));
  await listen(apiBridge, { port: 0, host: '127.0.0.1' });

  const holder: ChildProcess = spawn('unshare', ['--net', '--', process.execPath, '-e', INSIDE, String(awsPort), awsSocket, apiSocket, String(apiPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  holder.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the network namespace did not come up within 10 s: ${stderr}`)), 10_000);
    createInterface({ input: holder.stdout! }).once('line', () => {
      clearTimeout(timer);
      resolve();
    });
    holder.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the network namespace holder exited (${code}): ${stderr}`));
    });
  });
  const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    namespace: `/proc/${holder.pid}/ns/net`,
    awsUrl: `http://127.0.0.1:${awsPort}`,
    apiUrl: `http://127.0.0.1:${(apiBridge.address() as AddressInfo).port}`,
    async close() {
      holder.kill('SIGTERM');
      for (const s of open) s.destroy();
      await Promise.all([close(awsBridge), close(apiBridge)]);
      rmSync(awsSocket, { force: true });
    },
  };
}
