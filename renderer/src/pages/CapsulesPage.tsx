import { PageHeader } from '../components/PageHeader.js';
import { useHashPath } from '../shell/hash-location.js';
import { CapsuleDetail } from '../researcher/capsules/CapsuleDetail.js';
import { CapsuleList } from '../researcher/capsules/CapsuleList.js';
import { NewCapsule } from '../researcher/capsules/NewCapsule.js';
import { RequirePlatform } from '../researcher/platforms/RequirePlatform.js';
import { parseCapsulesRoute } from '../researcher/routes.js';
import '../researcher/researcher.css';

export function CapsulesPage() {
  const route = parseCapsulesRoute(useHashPath());
  return (
    <RequirePlatform title="Capsules">
      {route.view === 'list' ? (
        <>
          <PageHeader
            title="Capsules"
            description="Code, environment and default command, versioned together so any run can be repeated."
            actions={
              <a className="button button--primary button--md" href="#/capsules/new">
                New capsule
              </a>
            }
          />
          <CapsuleList />
        </>
      ) : null}
      {route.view === 'new' ? <NewCapsule /> : null}
      {route.view === 'detail' ? <CapsuleDetail id={route.id} tab={route.tab} {...(route.file ? { file: route.file } : {})} /> : null}
    </RequirePlatform>
  );
}
