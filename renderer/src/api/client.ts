import type { CallDef, CallInput, CallOutput, EventDef, EventInput, EventPayload } from '../../../common/api/contract.js';
import { describeIssues, issuesOf, type ApiErrorCode, type ApiErrorShape } from '../../../common/api/errors.js';
import type { Transport } from './transport.js';

/** A failed call as the UI sees it: the router's structured error, thrown so queries can catch it. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode;
  readonly fix: string | undefined;
  readonly issues: ApiErrorShape['issues'];

  constructor(readonly shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'ApiCallError';
    this.code = shape.code;
    this.fix = shape.fix;
    this.issues = shape.issues;
  }
}

/** Calls whose input may be left out (`z.void()` inputs) take no second argument. */
type InputArg<D extends CallDef> = undefined extends CallInput<D> ? [input?: CallInput<D>] : [input: CallInput<D>];

export interface ApiClient {
  readonly transport: Transport['kind'];
  call<D extends CallDef>(def: D, ...args: InputArg<D>): Promise<CallOutput<D>>;
  subscribe<D extends EventDef>(
    def: D,
    input: EventInput<D>,
    onMessage: (payload: EventPayload<D>) => void,
    onError?: (error: ApiCallError) => void,
  ): () => void;
}

/**
 * The typed face of the contract. Inputs are checked here too, so a form learns which field is
 * wrong without a round trip; answers are parsed with the same schemas the router used, because a
 * transport is a boundary and the renderer trusts nothing that crosses one.
 */
export function createClient(transport: Transport): ApiClient {
  return {
    transport: transport.kind,
    async call<D extends CallDef>(def: D, ...args: InputArg<D>): Promise<CallOutput<D>> {
      const input = def.input.safeParse(args[0]);
      if (!input.success) {
        const issues = issuesOf(input.error);
        throw new ApiCallError({ code: 'bad-input', message: `Invalid input to ${def.name}: ${describeIssues(issues)}`, issues });
      }
      const result = await transport.call(def.name, args[0]);
      if (!result.ok) throw new ApiCallError(result.error);
      const output = def.output.safeParse(result.value);
      if (!output.success) {
        throw new ApiCallError({
          code: 'internal',
          message: `${def.name} answered in a shape this window does not understand: ${describeIssues(issuesOf(output.error))}`,
          fix: 'Reload the window; if Benchtop was just upgraded, restart it so both halves run the same version.',
        });
      }
      return output.data as CallOutput<D>;
    },
    subscribe(def, input, onMessage, onError) {
      return transport.subscribe(
        def.name,
        input,
        (raw) => {
          const payload = def.payload.safeParse(raw);
          if (payload.success) onMessage(payload.data as EventPayload<typeof def>);
          else onError?.(new ApiCallError({ code: 'internal', message: `${def.name} sent a message that breaks its contract: ${describeIssues(issuesOf(payload.error))}` }));
        },
        (error) => onError?.(new ApiCallError(error)),
      );
    },
  };
}
