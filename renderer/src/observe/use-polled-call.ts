import { useQuery } from '@tanstack/react-query';
import type { CallDef, CallInput, CallOutput } from '../../../common/api/contract.js';
import { useApiClient } from '../api/ApiProvider.js';
import { callKey } from '../api/hooks.js';
import type { ApiCallError } from '../api/client.js';

/**
 * A call asked again every `intervalMs` while the window is visible: react-query stops the
 * interval when the document is hidden (refetchIntervalInBackground: false) and asks again on
 * return, so a minimised app costs no CloudWatch calls.
 */
export function usePolledCall<D extends CallDef>(def: D, input: CallInput<D>, intervalMs: number | false, enabled = true) {
  const client = useApiClient();
  return useQuery<CallOutput<D>, ApiCallError>({
    queryKey: callKey(def, input),
    queryFn: () => (client.call as (d: D, i: CallInput<D>) => Promise<CallOutput<D>>)(def, input),
    enabled,
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: true,
    placeholderData: (previous) => previous,
  });
}
