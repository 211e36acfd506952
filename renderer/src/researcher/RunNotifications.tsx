import { useQueryClient } from '@tanstack/react-query';
import { runFinished } from '../../../common/api/runs.contract.js';
import { useSubscription } from '../api/hooks.js';
import { useNotify } from './notify.js';

/** Lives in the header: when a run launched from this app finishes, says so wherever the user is. */
export function RunNotifications() {
  const notify = useNotify();
  const queries = useQueryClient();
  useSubscription(runFinished, undefined, ({ run }) => {
    notify({
      title: `Run ${run.state}`,
      body: `${run.id}${run.exitCode !== null ? ` exited with ${run.exitCode}` : ''}${run.error ? `: ${run.error}` : ''}`,
      tone: run.state === 'succeeded' ? 'success' : run.state === 'failed' ? 'danger' : 'info',
    });
    void queries.invalidateQueries({ queryKey: ['runs:list'] });
  });
  return null;
}
