import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { getAppInfo } from '../../../common/api/app.contract.js';
import { getIdentity } from '../../../common/api/aws.contract.js';
import { defineEvent } from '../../../common/api/contract.js';
import { createFakeBackend, APP_INFO } from '../test/fake-backend.js';
import { ApiCallError, createClient } from './client.js';
import type { Transport } from './transport.js';

function transportAnswering(value: unknown): Transport {
  return { kind: 'test', call: async () => ({ ok: true, value }), subscribe: () => () => undefined };
}

describe('typed client', () => {
  it('answers a call with the parsed output', async () => {
    const backend = createFakeBackend((router) => router.handle(getAppInfo, () => APP_INFO));
    await expect(backend.client.call(getAppInfo)).resolves.toEqual(APP_INFO);
  });

  it('refuses a bad input before it leaves the window, naming the field', async () => {
    const call = vi.fn();
    const client = createClient({ kind: 'test', call, subscribe: () => () => undefined });
    const error = await client.call(getIdentity, { profile: 'lab', region: 'Frankfurt' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).code).toBe('bad-input');
    expect((error as ApiCallError).message).toContain('region: must be an AWS region code');
    expect((error as ApiCallError).issues?.[0]?.path).toBe('region');
    expect(call).not.toHaveBeenCalled();
  });

  it('turns a structured failure into an ApiCallError that keeps the fix', async () => {
    const client = createClient({
      kind: 'test',
      call: async () => ({ ok: false, error: { code: 'aws', message: 'The SSO session has expired.', fix: 'Run aws sso login.' } }),
      subscribe: () => () => undefined,
    });
    const error = (await client.call(getAppInfo).catch((e: unknown) => e)) as ApiCallError;
    expect(error.code).toBe('aws');
    expect(error.message).toBe('The SSO session has expired.');
    expect(error.fix).toBe('Run aws sso login.');
  });

  it('rejects an answer that breaks the contract instead of passing it on', async () => {
    const client = createClient(transportAnswering({ name: 'Benchtop', version: 3 }));
    const error = (await client.call(getAppInfo).catch((e: unknown) => e)) as ApiCallError;
    expect(error.code).toBe('internal');
    expect(error.message).toContain('app:get-info answered in a shape this window does not understand');
    expect(error.message).toContain('version');
  });

  it('delivers parsed event payloads and reports broken ones', () => {
    const ticks = defineEvent('test:watch-ticks', { input: z.object({ every: z.number() }), payload: z.object({ n: z.number() }) });
    let emit: (payload: unknown) => void = () => undefined;
    const client = createClient({
      kind: 'test',
      call: async () => ({ ok: true, value: null }),
      subscribe: (_name, _input, onMessage) => {
        emit = onMessage;
        return () => undefined;
      },
    });
    const messages: unknown[] = [];
    const errors: ApiCallError[] = [];
    client.subscribe(ticks, { every: 1 }, (m) => messages.push(m), (e) => errors.push(e));
    emit({ n: 1 });
    emit({ n: 'two' });
    expect(messages).toEqual([{ n: 1 }]);
    expect(errors[0]?.message).toContain('test:watch-ticks sent a message that breaks its contract');
  });
});
