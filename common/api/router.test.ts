import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineCall, defineEvent } from './contract.js';
import { ApiError } from './errors.js';
import { Router } from './router.js';

const add = defineCall('math:add', {
  input: z.object({ a: z.number(), b: z.number() }).strict(),
  output: z.object({ sum: z.number() }),
});
const ticks = defineEvent('clock:watch-ticks', { input: z.object({ every: z.number().positive() }), payload: z.object({ n: z.number() }) });
const ctx = { transport: 'test' } as const;

describe('Router', () => {
  it('answers a valid call with its output', async () => {
    const router = new Router().handle(add, ({ a, b }) => ({ sum: a + b }));
    expect(await router.invoke('math:add', { a: 2, b: 3 }, ctx)).toEqual({ ok: true, value: { sum: 5 } });
  });

  it('rejects a bad input with the field named, without calling the handler', async () => {
    let called = false;
    const router = new Router().handle(add, () => {
      called = true;
      return { sum: 0 };
    });
    const result = await router.invoke('math:add', { a: 'two', b: 3 }, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('bad-input');
    expect(result.error.issues?.[0]?.path).toBe('a');
    expect(result.error.message).toContain('a:');
    expect(called).toBe(false);
  });

  it('rejects unknown fields of a strict input and unknown call names', async () => {
    const router = new Router().handle(add, ({ a, b }) => ({ sum: a + b }));
    const extra = await router.invoke('math:add', { a: 1, b: 2, c: 3 }, ctx);
    expect(extra.ok === false && extra.error.code).toBe('bad-input');
    const unknown = await router.invoke('math:nope', {}, ctx);
    expect(unknown.ok === false && unknown.error.code).toBe('not-found');
  });

  it('turns thrown errors into structured ones and never throws', async () => {
    const router = new Router()
      .handle(add, () => {
        throw new ApiError('conflict', 'already there', 'pick another name');
      })
      .handle(defineCall('math:boom', { input: z.undefined(), output: z.null() }), () => {
        throw new TypeError('kaput');
      });
    expect(await router.invoke('math:add', { a: 1, b: 1 }, ctx)).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'already there', fix: 'pick another name' },
    });
    const boom = await router.invoke('math:boom', undefined, ctx);
    expect(boom.ok === false && boom.error).toMatchObject({ code: 'internal', message: 'Unexpected error: kaput' });
  });

  it('refuses a handler answer that breaks the contract', async () => {
    const router = new Router().handle(add, () => ({ sum: 'NaN' }) as unknown as { sum: number });
    const result = await router.invoke('math:add', { a: 1, b: 1 }, ctx);
    expect(result.ok === false && result.error.code).toBe('internal');
  });

  it('uses registered error mappers for foreign errors', async () => {
    const router = new Router()
      .mapErrors((e) => (e instanceof RangeError ? { code: 'aws', message: 'mapped' } : undefined))
      .handle(add, () => {
        throw new RangeError('x');
      });
    const result = await router.invoke('math:add', { a: 1, b: 1 }, ctx);
    expect(result.ok === false && result.error).toEqual({ code: 'aws', message: 'mapped' });
  });

  it('streams events until unsubscribed, and validates the subscription input', async () => {
    const router = new Router().handleEvent(ticks, (input, emit, signal) => {
      let n = 0;
      const timer = setInterval(() => emit({ n: n++ }), input.every);
      signal.addEventListener('abort', () => clearInterval(timer));
    });
    const bad = router.subscribe('clock:watch-ticks', { every: -1 }, () => {});
    expect(bad.ok).toBe(false);
    const got: unknown[] = [];
    const sub = router.subscribe('clock:watch-ticks', { every: 5 }, (p) => got.push(p));
    expect(sub.ok).toBe(true);
    // Waited for, not slept on: a stalled event loop runs a late interval once, then the sleep.
    await vi.waitFor(() => expect(got.length).toBeGreaterThan(1), { timeout: 10_000 });
    if (sub.ok) sub.unsubscribe();
    const count = got.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(got.length).toBe(count);
    expect(got[0]).toEqual({ n: 0 });
  });

  it('refuses to register the same name twice', () => {
    const router = new Router().handle(add, () => ({ sum: 0 }));
    expect(() => router.handle(add, () => ({ sum: 0 }))).toThrow(/twice/);
  });
});
