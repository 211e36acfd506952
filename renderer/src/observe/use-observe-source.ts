import { useState } from 'react';
import { listObserveSources, type ObserveSource } from '../../../common/api/observe.contract.js';
import { useCall } from '../api/hooks.js';

const KEY = 'benchtop.observe.source';

export interface ObserveSourceChoice {
  id: string;
  label: string;
  source: ObserveSource;
}

/**
 * The source the Observe pages show (the sandbox or a saved deployment), shared by Monitoring,
 * Logs and Alarms and remembered in this window: the first one until the user picks another.
 */
export function useObserveSource() {
  const sources = useCall(listObserveSources, undefined, { staleTime: 30_000 });
  const [picked, setPicked] = useState<string | null>(() => (typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY)));
  const all: ObserveSourceChoice[] = sources.data?.sources ?? [];
  const selected = all.find((s) => s.id === picked) ?? all[0];
  const select = (id: string) => {
    setPicked(id);
    localStorage.setItem(KEY, id);
  };
  return { query: sources, sources: all, selected, select };
}
