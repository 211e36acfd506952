import { useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { getPreferences, setPreferences, type Preferences } from '../../../main/api/settings.contract.js';
import type { CallInput } from '../../../main/api/contract.js';
import { callKey, useCall, useCallMutation } from '../api/hooks.js';
import type { ApiCallError } from '../api/client.js';

export type PreferencesPatch = CallInput<typeof setPreferences>;

export function usePreferences() {
  return useCall(getPreferences, undefined, { staleTime: Infinity });
}

/**
 * Saves a change and shows it at once: the cached preferences take the patch before the call
 * returns (a theme switch must not wait on disk), and go back to what they were if it fails.
 */
export function useSavePreferences(onError?: (error: ApiCallError) => void) {
  const queries = useQueryClient();
  const key = callKey(getPreferences);
  const previous = useRef<Preferences | undefined>(undefined);
  const mutation = useCallMutation(setPreferences, {
    onSuccess: (saved) => queries.setQueryData(key, saved),
    onError: (error) => {
      queries.setQueryData(key, previous.current);
      onError?.(error);
    },
  });
  return (patch: PreferencesPatch) => {
    previous.current = queries.getQueryData<Preferences>(key);
    if (previous.current) queries.setQueryData(key, applyPatch(previous.current, patch));
    mutation.mutate(patch);
  };
}

function applyPatch(current: Preferences, patch: PreferencesPatch): Preferences {
  const next: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as Preferences;
}
