import { useQueryClient } from '@tanstack/react-query';
import { getPreferences, setPreferences, type Preferences } from '../../../common/api/settings.contract.js';
import type { CallInput } from '../../../common/api/contract.js';
import { callKey, useCall, useCallMutation } from '../api/hooks.js';
import type { ApiCallError } from '../api/client.js';

export type PreferencesPatch = CallInput<typeof setPreferences>;

export function usePreferences() {
  return useCall(getPreferences, undefined, { staleTime: Infinity });
}

/**
 * Saves a change and shows it at once: the cached preferences take the patch before the call
 * returns (a theme switch must not wait on disk). Saves run one at a time in the order made, and
 * each answer only confirms the fields its own patch set: an answer to an earlier save (say,
 * the last page) must not put back a theme chosen after it. A failed save puts its fields back and
 * re-reads what is really stored. The returned promise says how the save ended (true: saved), for
 * a control that shows its own choice until then.
 */
export function useSavePreferences(onError?: (error: ApiCallError) => void) {
  const queries = useQueryClient();
  const key = callKey(getPreferences);
  const mutation = useCallMutation(setPreferences, {
    scope: setPreferences.name,
    onSuccess: (saved, patch) => {
      update(queries.getQueryData<Preferences>(key), fieldsOf(saved, patch));
      settleOf.get(patch)?.(true);
    },
    onError: (error, patch) => {
      const before = undoOf.get(patch);
      if (before) update(queries.getQueryData<Preferences>(key), before);
      void queries.invalidateQueries({ queryKey: key });
      onError?.(error);
      settleOf.get(patch)?.(false);
    },
  });
  const update = (current: Preferences | undefined, patch: PreferencesPatch): void => {
    if (current) queries.setQueryData(key, applyPatch(current, patch));
  };
  return (patch: PreferencesPatch): Promise<boolean> =>
    new Promise((resolve) => {
      const current = queries.getQueryData<Preferences>(key);
      if (current) undoOf.set(patch, fieldsOf(current, patch));
      settleOf.set(patch, resolve);
      update(current, patch);
      mutation.mutate(patch);
    });
}

/** How to tell each pending patch's caller that its save ended. */
const settleOf = new WeakMap<PreferencesPatch, (saved: boolean) => void>();

/** What each pending patch overwrote, to put back if its save fails. */
const undoOf = new WeakMap<PreferencesPatch, PreferencesPatch>();

/** The values `source` holds for the fields `patch` names (null where `source` has none). */
function fieldsOf(source: Preferences, patch: PreferencesPatch): PreferencesPatch {
  const picked: Record<string, unknown> = {};
  for (const field of Object.keys(patch)) picked[field] = (source as Record<string, unknown>)[field] ?? null;
  return picked as PreferencesPatch;
}

function applyPatch(current: Preferences, patch: PreferencesPatch): Preferences {
  const next: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as Preferences;
}
