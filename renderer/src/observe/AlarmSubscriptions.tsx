import { useState } from 'react';
import { addSubscription, listSubscriptions, removeSubscription, type ObserveSource } from '../../../common/api/observe.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';

/** Who the stack's alarm topic mails: confirmed and pending addresses, add, resend, remove. */
export function AlarmSubscriptions({ source }: { source: Extract<ObserveSource, { kind: 'stack' }> }) {
  const subs = useCall(listSubscriptions, { source });
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | undefined>();
  const add = useCallMutation(addSubscription, {
    onSuccess: (answer, input) => {
      setSent(answer.pending ? `AWS mailed ${input.email} a confirmation link; it is pending until they follow it.` : `${input.email} is subscribed.`);
      setEmail('');
      void subs.refetch();
    },
  });
  const remove = useCallMutation(removeSubscription, { onSuccess: () => void subs.refetch() });
  return (
    <section className="card ob-subs" aria-label="Who is told">
      <h2 className="card__title">Who is told</h2>
      <p className="card__subtitle">The stack's alarms mail these addresses through its SNS topic{subs.data?.topicArn ? ` (${subs.data.topicArn})` : ''}.</p>
      {subs.isLoading ? <Loading label="Reading the subscriptions…" inline /> : null}
      {subs.error ? <ErrorBanner title="Could not read the subscriptions" error={subs.error} onRetry={() => void subs.refetch()} /> : null}
      {subs.data && subs.data.subscriptions.length === 0 ? <p className="ob-muted">Nobody is subscribed: alarms go off silently. Add an address below.</p> : null}
      <ul className="ob-subs__list">
        {(subs.data?.subscriptions ?? []).map((s) => (
          <li key={`${s.arn}-${s.endpoint}`}>
            <span>{s.endpoint}</span> <span className="badge">{s.protocol}</span>
            {s.pending ? (
              <>
                <span className="badge badge--accent">Pending confirmation</span>
                {s.protocol === 'email' ? (
                  <Button size="sm" variant="ghost" onClick={() => add.mutate({ source, email: s.endpoint })} busy={add.isPending}>
                    Resend
                  </Button>
                ) : null}
              </>
            ) : (
              <Button
                size="sm"
                variant="ghost"
                busy={remove.isPending}
                onClick={() => {
                  if (window.confirm(`Stop mailing alarms to ${s.endpoint}?`)) remove.mutate({ source, arn: s.arn });
                }}
              >
                Remove
              </Button>
            )}
          </li>
        ))}
      </ul>
      <form
        className="ob-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setSent(undefined);
          add.mutate({ source, email: email.trim() });
        }}
      >
        <input className="input" type="email" aria-label="Email address to add" placeholder="pi@lab.example.org" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <Button type="submit" size="sm" busy={add.isPending}>
          Add address
        </Button>
      </form>
      {sent ? <p role="status">{sent}</p> : null}
      {add.error ? <ErrorBanner title="Could not subscribe the address" error={add.error} /> : null}
      {remove.error ? <ErrorBanner title="Could not remove the subscription" error={remove.error} /> : null}
    </section>
  );
}
