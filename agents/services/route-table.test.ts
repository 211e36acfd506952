import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Access } from '../../common/protocol/routes.js';
import { buildServer } from './server.js';
import { startHarness, type Harness } from './testing/harness.js';

interface Registered {
  method: string;
  path: string;
  access: Access | undefined;
}

let h: Harness;
const registered: Registered[] = [];

beforeAll(async () => {
  h = await startHarness();
  // The real server, as startServices builds it; its routes are added when it gets ready.
  const app = buildServer(h.running.services, { logger: false, bodyLimit: 1024 });
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) registered.push({ method, path: route.url, access: route.config?.access });
  });
  await app.ready();
  await app.close();
});

afterAll(async () => {
  await h?.close();
});

const key = (method: string, path: string) => `${method} ${path}`;

describe('the services agent registers exactly the declared routes', () => {
  it('registers every declared route, with its access rule', () => {
    const byKey = new Map(registered.map((r) => [key(r.method, r.path), r]));
    for (const [name, route] of Object.entries(ROUTES)) {
      const found = byKey.get(key(route.method, route.path));
      expect(found, `${name}: ${key(route.method, route.path)} is not registered`).toBeDefined();
      expect(found?.access, name).toEqual(route.access);
    }
  });

  it('registers nothing undeclared (a HEAD is the twin of a declared GET)', () => {
    const declared = new Set(Object.values(ROUTES).map((r) => key(r.method, r.path)));
    const extra = registered.filter((r) => !declared.has(key(r.method === 'HEAD' ? 'GET' : r.method, r.path)));
    expect(extra).toEqual([]);
    expect(registered.filter((r) => r.method !== 'HEAD')).toHaveLength(Object.keys(ROUTES).length);
  });

  it('gives the event stream no HEAD twin, which would hold a follower open for nothing', () => {
    expect(registered.filter((r) => r.path === ROUTES.streamLogs.path).map((r) => r.method)).toEqual(['GET']);
    expect(registered.filter((r) => r.path === ROUTES.runLogs.path).map((r) => r.method).sort()).toEqual(['GET', 'HEAD']);
  });
});
