import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readPurchaseOption } from './purchase-option.js';

let server: Server | undefined;
// The product waits 1 s for the metadata service; a loaded machine can take longer than that to
// answer two loopback requests (the first fetch also loads undici), so the answers under test get
// a bound no machine misses. The 1 s default is what a missing metadata service costs.
const ANSWER_MS = 30_000;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** A metadata service on 127.0.0.1 that answers instance-life-cycle only with its IMDSv2 token. */
async function imds(lifecycle: string | null): Promise<string> {
  server = createServer((req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') return void res.end('tok-1');
    if (req.url === '/latest/meta-data/instance-life-cycle' && req.headers['x-aws-ec2-metadata-token'] === 'tok-1' && lifecycle !== null) return void res.end(lifecycle);
    res.statusCode = req.headers['x-aws-ec2-metadata-token'] ? 404 : 401;
    res.end();
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('readPurchaseOption', () => {
  it('reads spot and on-demand from the instance metadata (scheduled bills as on-demand)', async () => {
    expect(await readPurchaseOption(await imds('spot'), ANSWER_MS)).toBe('spot');
    await new Promise<void>((done) => server!.close(() => done()));
    expect(await readPurchaseOption(await imds('on-demand'), ANSWER_MS)).toBe('on-demand');
    await new Promise<void>((done) => server!.close(() => done()));
    expect(await readPurchaseOption(await imds('scheduled'), ANSWER_MS)).toBe('on-demand');
  });

  it('leaves it unknown when the metadata has no answer or nobody listens', async () => {
    expect(await readPurchaseOption(await imds(null), ANSWER_MS)).toBeUndefined();
    const closedPort = (server!.address() as AddressInfo).port;
    await new Promise<void>((done) => server!.close(() => done()));
    server = undefined;
    expect(await readPurchaseOption(`http://127.0.0.1:${closedPort}`, 500)).toBeUndefined();
  });
});
