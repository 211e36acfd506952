import { useMutation, useQuery, useQueryClient, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { CallDef, CallInput, CallOutput, EventDef, EventInput, EventPayload } from '../../../common/api/contract.js';
import type { ApiCallError } from './client.js';
import { useApiClient } from './ApiProvider.js';

/** One cache entry per call name and input, so two components asking the same question share one answer. */
export function callKey<D extends CallDef>(def: D, input?: CallInput<D>): readonly [string, unknown] {
  return [def.name, input ?? null];
}

export interface UseCallOptions {
  enabled?: boolean;
  staleTime?: number;
}

export function useCall<D extends CallDef>(def: D, input: CallInput<D>, options: UseCallOptions = {}): UseQueryResult<CallOutput<D>, ApiCallError> {
  const client = useApiClient();
  return useQuery<CallOutput<D>, ApiCallError>({
    queryKey: callKey(def, input),
    queryFn: () => (client.call as (d: D, i: CallInput<D>) => Promise<CallOutput<D>>)(def, input),
    enabled: options.enabled ?? true,
    ...(options.staleTime === undefined ? {} : { staleTime: options.staleTime }),
  });
}

export interface UseCallMutationOptions<D extends CallDef> {
  /** Mutations sharing a scope id run one after another, in the order they were made. */
  scope?: string;
  onSuccess?: (value: CallOutput<D>, input: CallInput<D>) => void;
  onError?: (error: ApiCallError, input: CallInput<D>) => void;
}

export function useCallMutation<D extends CallDef>(
  def: D,
  options: UseCallMutationOptions<D> = {},
): UseMutationResult<CallOutput<D>, ApiCallError, CallInput<D>> {
  const client = useApiClient();
  return useMutation<CallOutput<D>, ApiCallError, CallInput<D>>({
    mutationKey: [def.name],
    mutationFn: (input) => (client.call as (d: D, i: CallInput<D>) => Promise<CallOutput<D>>)(def, input),
    ...(options.scope ? { scope: { id: options.scope } } : {}),
    ...(options.onSuccess ? { onSuccess: (value: CallOutput<D>, input: CallInput<D>) => options.onSuccess?.(value, input) } : {}),
    ...(options.onError ? { onError: (error: ApiCallError, input: CallInput<D>) => options.onError?.(error, input) } : {}),
  });
}

/** Replaces a cached answer, e.g. with what a "set" call returned, without asking again. */
export function useSetCallData() {
  const queries = useQueryClient();
  return <D extends CallDef>(def: D, input: CallInput<D> | undefined, value: CallOutput<D>) => queries.setQueryData(callKey(def, input), value);
}

/** Subscribes while mounted and `enabled`; the latest handlers are used without resubscribing. */
export function useSubscription<D extends EventDef>(
  def: D,
  input: EventInput<D>,
  onMessage: (payload: EventPayload<D>) => void,
  options: { enabled?: boolean; onError?: (error: ApiCallError) => void } = {},
): void {
  const client = useApiClient();
  const handlers = useRef({ input, onMessage, onError: options.onError });
  handlers.current = { input, onMessage, onError: options.onError };
  const inputKey = JSON.stringify(input ?? null);
  const enabled = options.enabled ?? true;
  useEffect(() => {
    if (!enabled) return undefined;
    return client.subscribe(
      def,
      handlers.current.input,
      (payload) => handlers.current.onMessage(payload),
      (error) => handlers.current.onError?.(error),
    );
  }, [client, def, inputKey, enabled]);
}
