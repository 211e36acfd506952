import { describe, expect, it } from 'vitest';
import { bridgeTransport, type BenchtopBridge } from './bridge-transport.js';
import { pickTransport } from './pick-transport.js';

function bridge(overrides: Partial<BenchtopBridge>): BenchtopBridge {
  return { call: async () => ({ ok: true, value: null }), subscribe: () => () => undefined, ...overrides };
}

describe('Electron bridge transport', () => {
  it('is chosen when the preload exposed window.benchtop, HTTP otherwise', () => {
    expect(pickTransport({ benchtop: bridge({}) } as unknown as Window).kind).toBe('ipc');
    expect(pickTransport({} as Window).kind).toBe('http');
  });

  it('passes a well-formed result through', async () => {
    const transport = bridgeTransport(bridge({ call: async (name) => ({ ok: true, value: { name } }) }));
    await expect(transport.call('app:get-info', undefined)).resolves.toEqual({ ok: true, value: { name: 'app:get-info' } });
  });

  it('does not trust a malformed answer from the other side', async () => {
    const transport = bridgeTransport(bridge({ call: async () => 'surprise' }));
    await expect(transport.call('app:get-info', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('turns a failed IPC round trip into an "unavailable" error with a fix', async () => {
    const transport = bridgeTransport(bridge({ call: async () => Promise.reject(new Error('channel closed')) }));
    const result = await transport.call('app:get-info', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('channel closed') } });
    if (!result.ok) expect(result.error.fix).toBeTruthy();
  });

  it('parses stream errors, keeping structured ones as they are', () => {
    const errors: unknown[] = [];
    let fail: (e: unknown) => void = () => undefined;
    const transport = bridgeTransport(
      bridge({
        subscribe: (_n, _i, _m, onError) => {
          fail = onError;
          return () => undefined;
        },
      }),
    );
    transport.subscribe('logs:tail', {}, () => undefined, (e) => errors.push(e));
    fail({ code: 'not-found', message: 'No such run.' });
    fail('boom');
    expect(errors[0]).toEqual({ code: 'not-found', message: 'No such run.' });
    expect(errors[1]).toMatchObject({ code: 'unavailable' });
  });
});
