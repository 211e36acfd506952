import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { environmentSpec, type Capsule } from '../../../../common/protocol/index.js';
import { commitCapsule } from '../../../../common/api/capsules.contract.js';
import { useCallMutation } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { useToast } from '../../components/Toast.js';
import { joinCommand, splitCommand } from '../runs/split-command.js';

const words = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** Base image, packages and default command, saved as a new version (the platform keeps them in environment.json and command.json). */
export function EnvironmentEditor({ capsule, onDone }: { capsule: Capsule; onDone: () => void }) {
  const toast = useToast();
  const queries = useQueryClient();
  const env = capsule.environment;
  const [form, setForm] = useState({ baseImage: env.baseImage, apt: env.apt.join(' '), pip: env.pip.join(' '), conda: env.conda.join(' '), command: joinCommand(capsule.command) });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useCallMutation(commitCapsule, {
    onSuccess: () => {
      toast.show({ tone: 'success', message: 'The environment was saved as a new version.' });
      void queries.invalidateQueries();
      onDone();
    },
  });
  const submit = () => {
    const found: Record<string, string> = {};
    const parsed = environmentSpec.safeParse({ baseImage: form.baseImage.trim(), apt: words(form.apt), pip: words(form.pip), conda: words(form.conda) });
    if (!parsed.success) for (const i of parsed.error.issues) found[String(i.path[0])] ??= i.message;
    const command = splitCommand(form.command);
    if (!command.ok) found.command = `The command ${command.error}.`;
    else if (command.argv.length === 0) found.command = 'The default command must not be empty.';
    setErrors(found);
    if (Object.keys(found).length > 0 || !parsed.success || !command.ok) return;
    save.mutate({ id: capsule.id, parent: capsule.head, message: 'Change the environment', environment: parsed.data, command: command.argv });
  };
  const field = (key: keyof typeof form, label: string, hint?: string) => (
    <Field label={label} error={errors[key]} hint={hint}>
      {(p) => <input {...p} className="input rs-mono" value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />}
    </Field>
  );
  return (
    <form
      className="rs-form card"
      aria-label="Edit the environment"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {field('baseImage', 'Base image', 'A container image, e.g. python:3.12-slim.')}
      {field('apt', 'apt packages', 'Separated by spaces or commas.')}
      {field('pip', 'pip packages', 'With versions if you want them pinned, e.g. numpy==2.1.0.')}
      {field('conda', 'conda packages')}
      {field('command', 'Default command')}
      {save.isError ? <ErrorBanner title="The environment was not saved" error={save.error} /> : null}
      <div className="rs-form__actions">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save as new version
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
