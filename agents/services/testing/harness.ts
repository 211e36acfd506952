import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatformClient, type PlatformClient } from '../../../lib/protocol/client.js';
import { startServices, type RunningServices, type StartServicesOptions } from '../start-services.js';

/** A services agent on 127.0.0.1:0 in a fresh temporary folder, with short lease times for tests. */
export interface Harness {
  running: RunningServices;
  dataDir: string;
  admin: PlatformClient;
  researcher: PlatformClient;
  worker: PlatformClient;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<StartServicesOptions> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'benchtop-services-'));
  const running = await startServices({ dataDir, leaseTtlMs: 60_000, sweepMs: 50, maxWaitMs: 2000, backup: false, ...options });
  const client = (token: string) => createPlatformClient({ url: running.url, token });
  return {
    running,
    dataDir,
    admin: client(running.adminToken),
    researcher: client(running.researcherToken),
    worker: client(running.workerToken),
    async close() {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const exampleCapsule = {
  name: 'example',
  description: 'prints a line and writes a CSV',
  environment: { baseImage: 'python:3.12-slim', pip: ['numpy==2.1.0'] },
  command: ['python3', 'main.py'],
  files: [{ path: 'main.py', content: 'print("hello")\n' }],
};
