import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { type Deployment, deploymentId, type Preferences, type StoredDeployment } from '../../common/api/settings.contract.js';
import { ApiError } from '../../common/api/errors.js';
import { CorruptSettingsError, type SettingsFile, defaultPreferences, parseSettingsText, settingsFile } from './settings-file.js';

export type PreferencesPatch = { [K in keyof Preferences]?: Preferences[K] | null };
export type DeploymentInput = Omit<StoredDeployment, 'createdAt'> & { createdAt?: string };

/** Same stack: same region and name, and the same account unless one side does not know it yet (an older entry). */
function sameStack(a: Pick<StoredDeployment, 'name' | 'region' | 'accountId'>, b: Pick<StoredDeployment, 'name' | 'region' | 'accountId'>): boolean {
  return a.name === b.name && a.region === b.region && (a.accountId === b.accountId || !a.accountId || !b.accountId);
}

const withId = (d: StoredDeployment): Deployment => ({ ...d, id: deploymentId(d) });

/**
 * Preferences and known deployments, in one JSON file written atomically by `conf` (electron-store's
 * engine). Every read is checked against the schema; a damaged file is never overwritten: it is
 * copied aside, and every call fails with a sentence naming the file and the copy until the user
 * repairs or removes it.
 */
export class SettingsStore {
  private conf: Conf<SettingsFile> | undefined;
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, 'settings.json');
  }

  getPreferences(): Preferences {
    return this.read().preferences;
  }

  setPreferences(patch: PreferencesPatch): Preferences {
    return this.update((s) => {
      const next: Record<string, unknown> = { ...s.preferences };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete next[key];
        else if (value !== undefined) next[key] = value;
      }
      return { ...s, preferences: next as Preferences };
    }).preferences;
  }

  listDeployments(): Deployment[] {
    return this.read().deployments.map(withId);
  }

  getDeployment(id: string): Deployment | undefined {
    return this.listDeployments().find((d) => d.id === id);
  }

  /** The saved deployment of this stack; `accountId` undefined matches any account (an older entry, or an unknown one). */
  findDeployment(stack: { name: string; region: string; accountId?: string | undefined }): Deployment | undefined {
    return this.listDeployments().find((d) => sameStack(d, stack));
  }

  saveDeployment(input: DeploymentInput): Deployment {
    let saved: StoredDeployment | undefined;
    this.update((s) => {
      const existing = s.deployments.find((d) => sameStack(d, input));
      const accountId = input.accountId ?? existing?.accountId;
      saved = { ...existing, ...input, ...(accountId ? { accountId } : {}), createdAt: input.createdAt ?? existing?.createdAt ?? this.now().toISOString() };
      const others = s.deployments.filter((d) => d !== existing);
      return { ...s, deployments: [...others, saved].sort((a, b) => a.name.localeCompare(b.name) || a.region.localeCompare(b.region) || (a.accountId ?? '').localeCompare(b.accountId ?? '')) };
    });
    return withId(saved!);
  }

  removeDeployment(id: string): boolean {
    let removed = false;
    this.update((s) => {
      const kept = s.deployments.filter((d) => deploymentId(d) !== id);
      removed = kept.length !== s.deployments.length;
      return { ...s, deployments: kept };
    });
    return removed;
  }

  private read(): SettingsFile {
    return this.guard(() => this.open().store);
  }

  private update(change: (current: SettingsFile) => SettingsFile): SettingsFile {
    return this.guard(() => {
      const conf = this.open();
      // Checked before writing too: nothing is saved that the next read would refuse.
      const next = settingsFile.parse(change(conf.store));
      conf.store = next;
      return next;
    });
  }

  private open(): Conf<SettingsFile> {
    this.conf ??= new Conf<SettingsFile>({
      cwd: this.dir,
      configName: 'settings',
      projectName: 'benchtop',
      configFileMode: 0o600,
      defaults: { preferences: defaultPreferences, deployments: [] },
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      deserialize: (text) => parseSettingsText(text, this.file),
      serialize: (value) => `${JSON.stringify(value, null, 2)}\n`,
    });
    return this.conf;
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (!(error instanceof CorruptSettingsError)) throw error;
      this.conf = undefined;
      const backup = this.keepCopy();
      throw new ApiError(
        'unavailable',
        `${error.message}${backup ? ` A copy was kept at ${backup}.` : ''}`,
        `Repair ${this.file} by hand, or delete it to start with empty settings; Benchtop will not overwrite it.`,
      );
    }
  }

  /** One copy per distinct damaged content, so repeated reads do not pile up backups. */
  private keepCopy(): string | undefined {
    if (!existsSync(this.file)) return undefined;
    const content = readFileSync(this.file);
    const digest = createHash('sha256').update(content).digest('hex').slice(0, 12);
    const backup = path.join(this.dir, `settings.damaged-${digest}.json`);
    if (!existsSync(backup)) copyFileSync(this.file, backup);
    return backup;
  }
}
