import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodePath, pathFor, ROUTES, type Access, type RouteSpec } from './routes.js';

const routes = Object.entries(ROUTES) as [string, RouteSpec][];

/** The names a path pattern binds: each `:name`, and `*` for the wildcard. */
function pathParamNames(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment === '*' || segment.startsWith(':'))
    .map((segment) => (segment === '*' ? '*' : segment.slice(1)));
}

function accessText(access: Access): string {
  if (access === 'public') return 'public';
  if (access === 'any') return 'any token';
  return access.join(', ');
}

describe('the route table', () => {
  it('declares each method and path once', () => {
    const keys = routes.map(([, r]) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives every route a params schema with exactly the names its path binds', () => {
    for (const [name, r] of routes) {
      const bound = pathParamNames(r.path).sort();
      if (bound.length === 0) {
        expect(r.params, name).toBeUndefined();
        continue;
      }
      expect(r.params, name).toBeInstanceOf(z.ZodObject);
      expect(Object.keys((r.params as z.ZodObject).shape).sort(), name).toEqual(bound);
    }
  });

  it('puts the wildcard last, where Fastify and pathFor expect it', () => {
    for (const [name, r] of routes) {
      const star = r.path.indexOf('*');
      if (star >= 0) expect(star, name).toBe(r.path.length - 1);
    }
  });

  it('is the table of the protocol README, row by row', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const rows = readme.split('\n').filter((line) => /^\| `[A-Za-z]+` \| `/.test(line));
    const expected = routes.map(([name, r]) => `| \`${name}\` | \`${r.method} ${r.path}\` | ${accessText(r.access)} |`);
    expect(rows.map((row) => row.split(' | ').slice(0, 3).join(' | ') + ' |')).toEqual(expected);
  });
});

describe('pathFor', () => {
  it('encodes each path parameter as one segment', () => {
    expect(pathFor(ROUTES.getCapsule, { id: 'cap_0123456789' })).toBe('/api/v1/capsules/cap_0123456789');
    // A value with a slash or a question mark stays in its segment instead of naming another route.
    expect(pathFor(ROUTES.getCapsule, { id: 'a/b?c' })).toBe('/api/v1/capsules/a%2Fb%3Fc');
    expect(pathFor(ROUTES.compareRuns, { a: 'run_1', b: 'run 2' })).toBe('/api/v1/runs/run_1/compare/run%202');
  });

  it('encodes a wildcard file path segment by segment, keeping its slashes', () => {
    expect(pathFor(ROUTES.capsuleFile, { id: 'cap_0123456789', '*': 'a b/c#d?.txt' }, { ref: 'HEAD' })).toBe('/api/v1/capsules/cap_0123456789/files/a%20b/c%23d%3F.txt?ref=HEAD');
    expect(pathFor(ROUTES.uploadResult, { id: 'lse_0123456789', '*': 'plots/café %.png' })).toBe('/api/v1/leases/lse_0123456789/results/plots/caf%C3%A9%20%25.png');
    expect(encodePath('a b/c#d.txt')).toBe('a%20b/c%23d.txt');
  });

  it('writes the query as URLSearchParams does, leaving out what is undefined', () => {
    const cursor = "a b&c=d+e/f?g!h'i(j)k~l*m";
    expect(pathFor(ROUTES.listRuns, {}, { state: 'running', limit: 5, cursor, capsuleId: undefined })).toBe(
      `/api/v1/runs?${new URLSearchParams({ state: 'running', limit: '5', cursor }).toString()}`,
    );
    expect(pathFor(ROUTES.listRuns, {}, {})).toBe('/api/v1/runs');
    expect(pathFor(ROUTES.health, {})).toBe('/api/v1/health');
  });

  it('refuses a call without a parameter its path needs', () => {
    expect(() => pathFor(ROUTES.getRun, {} as { id: string })).toThrow('GET /api/v1/runs/:id needs the path parameter "id"');
  });
});
