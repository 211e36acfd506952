import { useQueryClient } from '@tanstack/react-query';
import { shareCapsule } from '../../../common/api/capsule-sharing.contract.js';
import type { Capsule } from '../../../common/protocol/capsules.js';
import { useCallMutation } from '../api/hooks.js';
import { SharingPanel } from '../people/SharingPanel.js';
import { ReproducibilityCard } from './ReproducibilityCard.js';
import '../people/people.css';
import './pipelines.css';

/** The capsule's "Sharing & checks" tab: who may see and change it, and whether it still reproduces. */
export function CapsuleSharingTab({ capsule }: { capsule: Capsule }) {
  const queries = useQueryClient();
  const share = useCallMutation(shareCapsule, { onSuccess: () => void queries.invalidateQueries() });
  return (
    <div className="pl-capsule-sharing">
      {capsule.sharing ? (
        <SharingPanel what={capsule.name} sharing={capsule.sharing} saving={share.isPending} error={share.error} onSave={(change) => share.mutate({ id: capsule.id, ...change })} />
      ) : (
        <p>This platform is older than sharing: everyone with a token can read its capsules.</p>
      )}
      <ReproducibilityCard capsuleId={capsule.id} />
    </div>
  );
}
