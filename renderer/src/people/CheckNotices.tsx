import { useQueryClient } from '@tanstack/react-query';
import { checkNotices } from '../../../common/api/users.contract.js';
import { useSubscription } from '../api/hooks.js';
import { useNotify } from '../researcher/notify.js';

/** Lives in the header: tells the owner when a scheduled check finds their capsule no longer reproduces. */
export function CheckNotices() {
  const notify = useNotify();
  const queries = useQueryClient();
  useSubscription(checkNotices, undefined, ({ entry }) => {
    notify({ title: entry.action === 'capsule.diverged' ? 'Capsule diverged' : 'Reproducibility check failed', body: `${entry.targetId}: ${entry.summary}`, tone: 'danger' });
    void queries.invalidateQueries({ queryKey: ['capsules:get-reproducibility'] });
  });
  return null;
}
