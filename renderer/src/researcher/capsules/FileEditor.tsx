import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { commitCapsule } from '../../../../common/api/capsules.contract.js';
import { useCallMutation } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useToast } from '../../components/Toast.js';

/** Edits one text file and saves it as a new version on top of `parent` (a concurrent edit is refused, not overwritten). */
export function FileEditor({ capsuleId, parent, path, initial, onDone }: { capsuleId: string; parent: string; path: string; initial: string; onDone: () => void }) {
  const toast = useToast();
  const queries = useQueryClient();
  const [text, setText] = useState(initial);
  const [message, setMessage] = useState(`Edit ${path}`);
  const save = useCallMutation(commitCapsule, {
    onSuccess: (r) => {
      toast.show({ tone: 'success', message: `Saved ${path} as version ${r.commit.sha.slice(0, 8)}.` });
      void queries.invalidateQueries();
      onDone();
    },
  });
  return (
    <form
      className="rs-editor"
      aria-label={`Edit ${path}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ id: capsuleId, parent, message, files: [{ path, content: text }] });
      }}
    >
      <textarea className="input rs-editor__text" aria-label={`Content of ${path}`} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} rows={24} />
      <Field label="What changed" error={message.trim() === '' ? 'Say in a few words what changed.' : undefined}>
        {(p) => <input {...p} className="input" value={message} onChange={(e) => setMessage(e.target.value)} />}
      </Field>
      {save.isError ? <ErrorBanner title="The new version was not saved" error={save.error} /> : null}
      <div className="rs-form__actions">
        <Button type="submit" variant="primary" busy={save.isPending} disabled={message.trim() === '' || text === initial}>
          Save as new version
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Discard
        </Button>
      </div>
    </form>
  );
}
