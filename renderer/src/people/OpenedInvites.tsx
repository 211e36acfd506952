import { invitesOpened } from '../../../common/api/users.contract.js';
import { useSubscription } from '../api/hooks.js';
import { navigate } from '../shell/hash-location.js';
import { offerOpenedInvite } from './opened-invite.js';

/** Lives in the header: a clicked invite link opens the join form with the link filled in, for the user to confirm. */
export function OpenedInvites() {
  useSubscription(invitesOpened, undefined, ({ link }) => {
    offerOpenedInvite(link);
    navigate('/users/join');
  });
  return null;
}
