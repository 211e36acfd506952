import { PageHeader } from '../components/PageHeader.js';
import { useHashPath } from '../shell/hash-location.js';
import { RequirePlatform } from '../researcher/platforms/RequirePlatform.js';
import { parseRunsRoute } from '../researcher/routes.js';
import { CompareRuns } from '../researcher/runs/CompareRuns.js';
import { LaunchForm } from '../researcher/runs/LaunchForm.js';
import { RunDetail } from '../researcher/runs/RunDetail.js';
import { RunList } from '../researcher/runs/RunList.js';
import '../researcher/researcher.css';

export function RunsPage() {
  const route = parseRunsRoute(useHashPath());
  return (
    <RequirePlatform title="Runs">
      {route.view === 'list' ? (
        <>
          <PageHeader
            title="Runs"
            description="Every run of a capsule: queued, running and finished, with logs and results."
            actions={
              <a className="button button--primary button--md" href="#/runs/new">
                Launch run
              </a>
            }
          />
          <RunList />
        </>
      ) : null}
      {route.view === 'launch' ? (
        <>
          <PageHeader title="Launch a run" description="Pick a version, the command and its parameters, data and resources." />
          <LaunchForm {...(route.capsuleId ? { capsuleId: route.capsuleId } : {})} />
        </>
      ) : null}
      {route.view === 'detail' ? <RunDetail key={route.id} id={route.id} tab={route.tab} /> : null}
      {route.view === 'compare' ? <CompareRuns a={route.a} {...(route.b ? { b: route.b } : {})} /> : null}
    </RequirePlatform>
  );
}
