import type { z } from 'zod';

// A call or an event stream is declared once, as a value that carries its schemas; both
// transports (Electron IPC, loopback HTTP) and the renderer's client are typed from it, and the
// router parses with the same schemas at run time.

export interface CallDef<N extends string = string, I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'call';
  readonly name: N;
  readonly input: I;
  readonly output: O;
}

export interface EventDef<N extends string = string, I extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly name: N;
  /** Parameters of the subscription (e.g. which run's logs). */
  readonly input: I;
  /** Each message the stream delivers. */
  readonly payload: P;
}

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*:[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new Error(`API name "${name}" must look like "feature:verb-noun"`);
}

export function defineCall<const N extends string, I extends z.ZodType, O extends z.ZodType>(
  name: N,
  schemas: { input: I; output: O },
): CallDef<N, I, O> {
  checkName(name);
  return Object.freeze({ kind: 'call', name, ...schemas });
}

export function defineEvent<const N extends string, I extends z.ZodType, P extends z.ZodType>(
  name: N,
  schemas: { input: I; payload: P },
): EventDef<N, I, P> {
  checkName(name);
  return Object.freeze({ kind: 'event', name, ...schemas });
}

export type CallInput<D extends CallDef> = z.input<D['input']>;
export type CallOutput<D extends CallDef> = z.output<D['output']>;
export type EventInput<D extends EventDef> = z.input<D['input']>;
export type EventPayload<D extends EventDef> = z.output<D['payload']>;
