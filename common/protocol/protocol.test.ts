import { describe, expect, it } from 'vitest';
import { canonicalManifest, createRunRequest, relativePath, leaseRequest } from './index.js';
import { encodePath } from '../../lib/protocol/client.js';

describe('protocol', () => {
  it('orders a manifest by path so the same files always hash the same', () => {
    const a = { path: 'b.txt', size: 1, sha256: 'a'.repeat(64) };
    const b = { path: 'a/c.txt', size: 2, sha256: 'b'.repeat(64) };
    expect(canonicalManifest([a, b])).toBe(canonicalManifest([b, a]));
    expect(canonicalManifest([a, b])).toBe(`[["a/c.txt",2,"${'b'.repeat(64)}"],["b.txt",1,"${'a'.repeat(64)}"]]`);
  });

  it('refuses paths that could leave their folder', () => {
    for (const bad of ['../x', '/etc/passwd', 'a//b', 'a/./b', 'a\\b', '']) expect(relativePath.safeParse(bad).success).toBe(false);
    expect(relativePath.safeParse('results/plot.png').success).toBe(true);
  });

  it('fills run defaults and names unknown fields', () => {
    const ok = createRunRequest.parse({ capsuleId: 'cap_0123456789' });
    expect(ok).toMatchObject({ queue: 'cpu', parameters: {}, datasets: [], resources: {} });
    const bad = createRunRequest.safeParse({ capsuleId: 'cap_0123456789', qeueu: 'gpu' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('qeueu');
  });

  it('bounds the long-poll wait', () => {
    expect(leaseRequest.safeParse({ queue: 'cpu', workerId: 'w', waitMs: 3_600_000 }).success).toBe(false);
  });

  it('encodes file paths segment by segment', () => {
    expect(encodePath('a b/c#d.txt')).toBe('a%20b/c%23d.txt');
  });
});
