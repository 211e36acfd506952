import type { z } from 'zod';
import type { CallDef, EventDef } from './contract.js';
import { ApiError, type ApiErrorShape, type CallResult, describeIssues, issuesOf } from './errors.js';

export interface CallContext {
  readonly transport: 'ipc' | 'http' | 'test';
}

export type CallHandler<D extends CallDef> = (
  input: z.output<D['input']>,
  ctx: CallContext,
) => Promise<z.input<D['output']>> | z.input<D['output']>;

/** Starts a stream; returns what stops it. `signal` aborts when the subscriber goes away. */
export type EventHandler<D extends EventDef> = (
  input: z.output<D['input']>,
  emit: (payload: z.input<D['payload']>) => void,
  signal: AbortSignal,
) => void | (() => void) | Promise<void | (() => void)>;

/** Turns a foreign error (AWS SDK, platform client) into one the user can act on. */
export type ErrorMapper = (error: unknown) => ApiErrorShape | undefined;

export type Subscription = { ok: true; unsubscribe: () => void } | { ok: false; error: ApiErrorShape };

interface CallEntry {
  def: CallDef;
  handler: (input: unknown, ctx: CallContext) => unknown;
}
interface EventEntry {
  def: EventDef;
  handler: (input: unknown, emit: (p: unknown) => void, signal: AbortSignal) => void | (() => void) | Promise<void | (() => void)>;
}

export class Router {
  private readonly calls = new Map<string, CallEntry>();
  private readonly events = new Map<string, EventEntry>();
  private readonly mappers: ErrorMapper[] = [];

  handle<D extends CallDef>(def: D, handler: CallHandler<D>): this {
    if (this.calls.has(def.name)) throw new Error(`call ${def.name} is registered twice`);
    this.calls.set(def.name, { def, handler: handler as CallEntry['handler'] });
    return this;
  }

  handleEvent<D extends EventDef>(def: D, handler: EventHandler<D>): this {
    if (this.events.has(def.name)) throw new Error(`event ${def.name} is registered twice`);
    this.events.set(def.name, { def, handler: handler as EventEntry['handler'] });
    return this;
  }

  mapErrors(mapper: ErrorMapper): this {
    this.mappers.push(mapper);
    return this;
  }

  has(name: string): boolean {
    return this.calls.has(name) || this.events.has(name);
  }

  names(): { calls: string[]; events: string[] } {
    return { calls: [...this.calls.keys()].sort(), events: [...this.events.keys()].sort() };
  }

  /** Never throws: every failure, including a bad input, comes back as a structured error. */
  async invoke(name: string, rawInput: unknown, ctx: CallContext): Promise<CallResult> {
    const entry = this.calls.get(name);
    if (!entry) return fail({ code: 'not-found', message: `There is no API call named "${String(name)}".` });
    const parsed = entry.def.input.safeParse(rawInput);
    if (!parsed.success) return badInput(name, parsed.error);
    try {
      const value = await entry.handler(parsed.data, ctx);
      const out = entry.def.output.safeParse(value);
      if (!out.success) {
        return fail({ code: 'internal', message: `${name} produced an answer that breaks its contract: ${describeIssues(issuesOf(out.error))}` });
      }
      return { ok: true, value: out.data };
    } catch (error) {
      return fail(this.toApiError(error));
    }
  }

  subscribe(name: string, rawInput: unknown, onMessage: (payload: unknown) => void, onError?: (e: ApiErrorShape) => void): Subscription {
    const entry = this.events.get(name);
    if (!entry) return fail({ code: 'not-found', message: `There is no event stream named "${String(name)}".` });
    const parsed = entry.def.input.safeParse(rawInput);
    if (!parsed.success) return badInput(name, parsed.error);
    const controller = new AbortController();
    let stop: (() => void) | undefined;
    const emit = (payload: unknown): void => {
      if (controller.signal.aborted) return;
      const out = entry.def.payload.safeParse(payload);
      if (out.success) onMessage(out.data);
      else onError?.({ code: 'internal', message: `${name} emitted a message that breaks its contract: ${describeIssues(issuesOf(out.error))}` });
    };
    const report = (error: unknown): void => {
      if (!controller.signal.aborted) onError?.(this.toApiError(error));
    };
    try {
      Promise.resolve(entry.handler(parsed.data, emit, controller.signal)).then((s) => {
        if (typeof s !== 'function') return;
        if (controller.signal.aborted) s();
        else stop = s;
      }, report);
    } catch (error) {
      report(error);
    }
    return {
      ok: true,
      unsubscribe: () => {
        if (controller.signal.aborted) return;
        controller.abort();
        stop?.();
      },
    };
  }

  private toApiError(error: unknown): ApiErrorShape {
    if (error instanceof ApiError) return { code: error.code, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
    for (const mapper of this.mappers) {
      const mapped = mapper(error);
      if (mapped) return mapped;
    }
    const message = error instanceof Error ? error.message : String(error);
    return { code: 'internal', message: `Unexpected error: ${message}` };
  }
}

function fail(error: ApiErrorShape): { ok: false; error: ApiErrorShape } {
  return { ok: false, error };
}

function badInput(name: string, error: z.ZodError): { ok: false; error: ApiErrorShape } {
  const issues = issuesOf(error);
  return fail({ code: 'bad-input', message: `Invalid input to ${name}: ${describeIssues(issues)}`, issues });
}
