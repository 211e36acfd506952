import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { createCapsule, createCapsuleFromTemplate, listCapsuleTemplates, type CapsuleTemplateId } from '../../../../common/api/capsules.contract.js';
import type { ApiCallError } from '../../api/client.js';
import { useCall, useCallMutation } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { Loading } from '../../components/Loading.js';
import { PageHeader } from '../../components/PageHeader.js';
import { useToast } from '../../components/Toast.js';
import { navigate } from '../../shell/hash-location.js';
import { formatBytes } from '../format.js';
import { capsulePath } from '../routes.js';
import { splitCommand } from '../runs/split-command.js';
import { fromDrop, fromInput, MAX_UPLOAD_BYTES, toFileWrites, totalSize, withoutIgnored, type PickedFile } from './read-dropped-files.js';

/** A guess at how to run a folder, from its files; the user can change it before creating. */
export function guessCommand(paths: readonly string[]): { command: string; baseImage: string } {
  const has = (p: string) => paths.includes(p);
  if (has('main.py')) return { command: 'python3 /code/main.py', baseImage: 'python:3.12-slim' };
  if (has('main.R')) return { command: 'Rscript /code/main.R', baseImage: 'r-base:4.4.1' };
  if (has('run.sh')) return { command: 'sh /code/run.sh', baseImage: 'debian:bookworm-slim' };
  if (has('main.sh')) return { command: 'sh /code/main.sh', baseImage: 'debian:bookworm-slim' };
  const py = paths.find((p) => p.endsWith('.py') && !p.includes('/'));
  if (py) return { command: `python3 /code/${py}`, baseImage: 'python:3.12-slim' };
  return { command: '', baseImage: 'debian:bookworm-slim' };
}

export function NewCapsule() {
  const toast = useToast();
  const queries = useQueryClient();
  const templates = useCall(listCapsuleTemplates, undefined, { staleTime: Infinity });
  const [source, setSource] = useState<'template' | 'folder'>('template');
  const [template, setTemplate] = useState<CapsuleTemplateId>('python');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [folder, setFolder] = useState<PickedFile[]>([]);
  const [command, setCommand] = useState('');
  const [baseImage, setBaseImage] = useState('python:3.12-slim');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiCallError | Error | undefined>();
  const done = (capsule: { id: string; name: string }) => {
    toast.show({ tone: 'success', message: `Capsule "${capsule.name}" is created.` });
    void queries.invalidateQueries();
    navigate(capsulePath(capsule.id));
  };
  const fromTemplate = useCallMutation(createCapsuleFromTemplate, { onSuccess: done, onError: setFailure });
  const fromFolder = useCallMutation(createCapsule, { onSuccess: done, onError: setFailure });
  const takeFolder = (files: PickedFile[]) => {
    const kept = withoutIgnored(files);
    setFolder(kept);
    const guess = guessCommand(kept.map((f) => f.path));
    setCommand(guess.command);
    setBaseImage(guess.baseImage);
  };
  const submit = async () => {
    const found: Record<string, string> = {};
    if (name.trim() === '') found.name = 'Give the capsule a name.';
    setFailure(undefined);
    if (source === 'template') {
      setErrors(found);
      if (Object.keys(found).length === 0) fromTemplate.mutate({ template, name: name.trim(), description });
      return;
    }
    if (folder.length === 0) found.folder = 'Choose or drop a folder.';
    else if (totalSize(folder) > MAX_UPLOAD_BYTES) found.folder = `The folder holds ${formatBytes(totalSize(folder))}; at most ${formatBytes(MAX_UPLOAD_BYTES)} can be sent at once. Create the capsule from fewer files, then upload the rest.`;
    const argv = splitCommand(command);
    if (!argv.ok) found.command = `The command ${argv.error}.`;
    else if (argv.argv.length === 0) found.command = 'Say how to run the code, e.g. python3 /code/main.py.';
    if (baseImage.trim() === '') found.baseImage = 'Name a base image, e.g. python:3.12-slim.';
    setErrors(found);
    if (Object.keys(found).length > 0 || !argv.ok) return;
    try {
      const files = await toFileWrites(folder);
      fromFolder.mutate({ name: name.trim(), description, environment: { baseImage: baseImage.trim(), apt: [], pip: [], conda: [] }, command: argv.argv, files });
    } catch (e) {
      setFailure(e as Error);
    }
  };
  return (
    <>
      <PageHeader title="New capsule" description="Start from a template or from a folder on this computer." />
      <form
        className="rs-form card"
        aria-label="New capsule"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} className="input" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Description">{(p) => <input {...p} className="input" value={description} onChange={(e) => setDescription(e.target.value)} />}</Field>
        <fieldset className="rs-fieldset">
          <legend>Start from</legend>
          <label className="rs-check">
            <input type="radio" name="source" checked={source === 'template'} onChange={() => setSource('template')} /> A template
          </label>
          <label className="rs-check">
            <input type="radio" name="source" checked={source === 'folder'} onChange={() => setSource('folder')} /> A folder on this computer
          </label>
        </fieldset>
        {source === 'template' ? (
          templates.isPending ? (
            <Loading label="Loading templates…" />
          ) : templates.isError ? (
            <ErrorBanner title="Could not list the templates" error={templates.error} />
          ) : (
            <fieldset className="rs-fieldset rs-templates">
              <legend>Template</legend>
              {templates.data.items.map((t) => (
                <label key={t.id} className={t.id === template ? 'card rs-template rs-template--selected' : 'card rs-template'}>
                  <input type="radio" name="template" value={t.id} checked={t.id === template} onChange={() => setTemplate(t.id)} />
                  <span className="card__title">{t.label}</span>
                  <span className="card__subtitle">{t.description}</span>
                  <span className="rs-muted">
                    {t.baseImage} · {t.files.join(', ')}
                  </span>
                </label>
              ))}
            </fieldset>
          )
        ) : (
          <div
            className="rs-drop"
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              fromDrop(e.dataTransfer.items).then(
                // A dropped folder comes with its own name first; the capsule's root is its inside.
                (files) => takeFolder(files.map((f) => ({ ...f, path: f.path.split('/').slice(1).join('/') || f.path }))),
                (err: Error) => setFailure(err),
              );
            }}
          >
            <Field label="Folder" error={errors.folder} hint="Drop a folder here or choose one; .git and caches are left out.">
              {(p) => <input {...p} type="file" {...{ webkitdirectory: '' }} onChange={(e) => e.target.files && takeFolder(fromInput(e.target.files, true))} />}
            </Field>
            {folder.length > 0 ? (
              <p className="rs-muted">
                {folder.length} file(s), {formatBytes(totalSize(folder))}
              </p>
            ) : null}
            <Field label="Command" error={errors.command} hint="How to run it; the folder is at /code.">
              {(p) => <input {...p} className="input rs-mono" value={command} onChange={(e) => setCommand(e.target.value)} />}
            </Field>
            <Field label="Base image" error={errors.baseImage}>
              {(p) => <input {...p} className="input rs-mono" value={baseImage} onChange={(e) => setBaseImage(e.target.value)} />}
            </Field>
          </div>
        )}
        {failure ? <ErrorBanner title="The capsule was not created" error={failure} /> : null}
        <div className="rs-form__actions">
          <Button type="submit" variant="primary" busy={fromTemplate.isPending || fromFolder.isPending}>
            Create capsule
          </Button>
          <Button variant="ghost" onClick={() => navigate('/capsules')}>
            Cancel
          </Button>
        </div>
      </form>
    </>
  );
}
