// Sub-routes of the Capsules and Runs pages, held in the hash like every page ("#/runs/run_…").

export type CapsulesRoute = { view: 'list' } | { view: 'new' } | { view: 'detail'; id: string; tab: CapsuleTab; file?: string };
export type CapsuleTab = 'files' | 'environment' | 'history' | 'runs' | 'sharing';
export type RunsRoute =
  | { view: 'list' }
  | { view: 'launch'; capsuleId?: string }
  | { view: 'detail'; id: string; tab: RunTab }
  | { view: 'compare'; a: string; b?: string };
export type RunTab = 'logs' | 'results' | 'details';

const CAPSULE_TABS: readonly CapsuleTab[] = ['files', 'environment', 'history', 'runs', 'sharing'];
const RUN_TABS: readonly RunTab[] = ['logs', 'results', 'details'];

export function parseCapsulesRoute(path: string): CapsulesRoute {
  const [, , id, tab, ...file] = path.split('/');
  if (!id) return { view: 'list' };
  if (id === 'new') return { view: 'new' };
  const t = CAPSULE_TABS.includes(tab as CapsuleTab) ? (tab as CapsuleTab) : 'files';
  return { view: 'detail', id, tab: t, ...(t === 'files' && file.length > 0 ? { file: file.map(decodeURIComponent).join('/') } : {}) };
}

export function capsulePath(id: string, tab: CapsuleTab = 'files', file?: string): string {
  return `/capsules/${id}/${tab}${file ? `/${file.split('/').map(encodeURIComponent).join('/')}` : ''}`;
}

export function parseRunsRoute(path: string): RunsRoute {
  const [, , first, second, third] = path.split('/');
  if (!first) return { view: 'list' };
  if (first === 'new') return { view: 'launch', ...(second ? { capsuleId: second } : {}) };
  if (second === 'compare') return { view: 'compare', a: first, ...(third ? { b: third } : {}) };
  return { view: 'detail', id: first, tab: RUN_TABS.includes(second as RunTab) ? (second as RunTab) : 'logs' };
}

export function runPath(id: string, tab: RunTab = 'logs'): string {
  return `/runs/${id}/${tab}`;
}
