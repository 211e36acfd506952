import type { IssuedInvite } from '../../../common/api/users.contract.js';
import { Button } from '../components/Button.js';
import { downloadText } from '../researcher/download.js';
import { CopyField } from './CopyField.js';

/** What an admin hands to a new user, shown once: the link, the file, and the token itself. */
export function InviteCard({ invite, onDone }: { invite: IssuedInvite; onDone: () => void }) {
  return (
    <section className="card pp-invite" aria-label={`Invite for ${invite.user.name}`}>
      <h2 className="card__title">Invite for {invite.user.name}</h2>
      <p>
        Send {invite.user.name} the invite file or the link. In Benchtop they open it on the <strong>Users</strong> page ("Join with an invite"),
        and their app connects by itself; nobody copies a token by hand.
      </p>
      <p className="pp-warning" role="note">
        This is the only time the token is shown. It works like a password until you revoke it; send it over a channel you trust.
      </p>
      <div className="pp-invite__actions">
        <Button variant="primary" onClick={() => downloadText(invite.file.name, invite.file.content, 'application/json')}>
          Save invite file ({invite.file.name})
        </Button>
      </div>
      <CopyField label="Invite link" value={invite.link} />
      <CopyField label="Token (for scripts)" value={invite.token} />
      <Button variant="ghost" onClick={onDone}>
        Done
      </Button>
    </section>
  );
}
