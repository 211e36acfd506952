import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../lib/protocol/client.js';
import { spawnServices, type ServicesProcess } from './testing/spawn-services.js';

// Real HTTP over 127.0.0.1 to a real services process: a client that hangs up mid-body is only
// visible at the socket level (Fastify's inject never has a socket to close).

const ABORTS = 200;
const PARALLEL = 8;
const FILE_BYTES = 8 * 1024 * 1024;

/** Starts a GET and destroys its socket once `afterBytes` of the body have arrived (0: right after the headers). */
function abortedGet(url: string, token: string, afterBytes: number): Promise<{ status: number; received: number }> {
  return new Promise((resolve, reject) => {
    let hungUp = false;
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let received = 0;
      const hangUp = () => {
        hungUp = true;
        req.destroy();
        resolve({ status: res.statusCode ?? 0, received });
      };
      if (afterBytes === 0) return hangUp();
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= afterBytes) hangUp();
      });
      res.on('end', () => reject(new Error(`${url}: the whole body (${received} bytes) arrived before the hang-up`)));
    });
    // After our own hang-up the socket error is expected; before it, the server is gone.
    req.on('error', (error) => {
      if (!hungUp) reject(new Error(`${url}: ${error.message}`));
    });
    req.end();
  });
}

/** Process ids of the git children of `pid` still alive (Linux /proc). */
function gitChildren(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
      if (comm === 'git' && Number(rest?.split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

describe(`services agent: ${ABORTS} downloads cut off mid-body`, () => {
  let dataDir: string;
  let proc: ServicesProcess;
  let base: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'benchtop-aborts-'));
    proc = await spawnServices(dataDir);
    const researcher = createPlatformClient({ url: proc.url, token: proc.researcherToken });
    const capsule = await researcher.createCapsule({
      name: 'large',
      environment: { baseImage: 'python:3.12-slim' },
      command: ['true'],
      files: [
        { path: 'a.bin', content: randomBytes(FILE_BYTES / 2).toString('hex') },
        { path: 'b.bin', content: randomBytes(FILE_BYTES / 2).toString('hex') },
      ],
    });
    base = `${proc.url}/api/v1/capsules/${capsule.id}`;
  }, 120_000);

  afterAll(async () => {
    await proc?.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('survives every hang-up, answers health, leaves no git process and counts no unhandled error', { timeout: 180_000 }, async () => {
    let next = 0;
    const outcomes: Array<{ status: number; received: number }> = [];
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < ABORTS) {
          const i = next++;
          const target = i % 2 === 0 ? `${base}/files/a.bin` : `${base}/archive`;
          outcomes.push(await abortedGet(target, proc.researcherToken, i % 4 < 2 ? 64 * 1024 : 0));
        }
      }),
    );
    expect(outcomes).toHaveLength(ABORTS);
    expect(outcomes.every((o) => o.status === 200)).toBe(true);

    expect(proc.child.exitCode).toBeNull();
    expect(proc.child.signalCode).toBeNull();
    const health = await fetch(`${proc.url}/api/v1/health`);
    expect(health.status).toBe(200);

    // Git is killed when its reader goes away, not left blocked on a full pipe (given 30 s to die
    // and be reaped: 5 s was little on a machine at load 20).
    let left = gitChildren(proc.child.pid!);
    for (let i = 0; i < 600 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = gitChildren(proc.child.pid!);
    }
    expect(left).toEqual([]);

    const metrics = await (await fetch(`${proc.url}/metrics`, { headers: { authorization: `Bearer ${proc.adminToken}` } })).text();
    expect(metrics).toMatch(/^benchtop_unhandled_errors_total\{kind="rejection"\} 0$/m);

    // And a download that is not cut off still delivers every byte.
    const whole = await fetch(`${base}/files/a.bin`, { headers: { authorization: `Bearer ${proc.researcherToken}` } });
    expect((await whole.arrayBuffer()).byteLength).toBe(FILE_BYTES);
  });
});
