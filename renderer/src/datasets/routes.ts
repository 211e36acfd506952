export type DatasetTab = 'versions' | 'upload' | 'sharing';
export type DatasetsRoute = { view: 'list' } | { view: 'detail'; id: string; tab: DatasetTab; version?: string };

const TABS: readonly DatasetTab[] = ['versions', 'upload', 'sharing'];

/** "#/datasets", "#/datasets/<id>/<tab>", "#/datasets/<id>/versions/<hash>". */
export function parseDatasetsRoute(path: string): DatasetsRoute {
  const [, , id, tab, version] = path.split('/');
  if (!id) return { view: 'list' };
  const t = TABS.includes(tab as DatasetTab) ? (tab as DatasetTab) : 'versions';
  return { view: 'detail', id, tab: t, ...(t === 'versions' && version ? { version } : {}) };
}

export function datasetPath(id: string, tab: DatasetTab = 'versions', version?: string): string {
  return `/datasets/${id}/${tab}${version ? `/${version}` : ''}`;
}
