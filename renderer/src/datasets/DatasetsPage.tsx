import { PageHeader } from '../components/PageHeader.js';
import { RequirePlatform } from '../researcher/platforms/RequirePlatform.js';
import { useHashPath } from '../shell/hash-location.js';
import { DatasetDetail } from './DatasetDetail.js';
import { DatasetList } from './DatasetList.js';
import { parseDatasetsRoute } from './routes.js';
import '../researcher/researcher.css';
import '../people/people.css';
import './datasets.css';

export function DatasetsPage() {
  const route = parseDatasetsRoute(useHashPath());
  return (
    <RequirePlatform title="Datasets">
      {route.view === 'list' ? (
        <>
          <PageHeader title="Datasets" description="Files in immutable, content-addressed versions; runs mount them read-only under /data." />
          <DatasetList />
        </>
      ) : (
        <DatasetDetail id={route.id} tab={route.tab} {...(route.version ? { version: route.version } : {})} />
      )}
    </RequirePlatform>
  );
}
