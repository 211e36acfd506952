import { createPlatformClient, type PlatformClient } from '../../../lib/protocol/client.js';
import type { PlatformInfo, PlatformStatus, SandboxStatus } from '../../../common/api/platforms.contract.js';
import { ApiError } from '../../../common/api/errors.js';
import type { SecretStore } from '../../settings/secret-store.js';
import { mapPlatformError } from './map-platform-error.js';
import type { PlatformsFile } from './platforms-file.js';

/** Where the local sandbox listens and the token the app uses on it (its researcher token). */
export interface LocalPlatform {
  url: string;
  token: string;
  /** The sandbox's admin token: whoever runs the sandbox manages its users (the Users page). */
  adminToken?: string;
  /** Its agent processes as the app's supervisor sees them. */
  status?: () => SandboxStatus;
}

export const LOCAL_ID = 'local';
const LOCAL_NAME = 'Local sandbox';

type LocalState = { state: 'starting' } | { state: 'ready'; value: LocalPlatform } | { state: 'failed'; message: string };

export interface PlatformRegistryOptions {
  file: PlatformsFile;
  secrets: SecretStore;
  /** The sandbox the app started (or is starting); absent when the app runs without one. */
  local?: LocalPlatform | Promise<LocalPlatform>;
  fetch?: typeof fetch;
}

interface Resolved {
  info: PlatformInfo;
  client: PlatformClient;
}

export function tokenKey(id: string): string {
  return `platform-token:${id}`;
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'platform'
  );
}

/**
 * The platforms the app knows (the local sandbox and any added by URL), which one is active, and a
 * client for it with its token. Tokens stay in main: the renderer only learns `hasToken`.
 */
export class PlatformRegistry {
  private local: LocalState | undefined;

  constructor(private readonly options: PlatformRegistryOptions) {
    const source = options.local;
    if (!source) return;
    if (source instanceof Promise) {
      this.local = { state: 'starting' };
      source.then(
        (value) => (this.local = { state: 'ready', value }),
        (error: unknown) => (this.local = { state: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
    } else {
      this.local = { state: 'ready', value: source };
    }
  }

  activeId(): string | null {
    const data = this.options.file.read();
    if (data.activeId && (data.activeId === LOCAL_ID ? this.local : data.platforms.some((p) => p.id === data.activeId))) return data.activeId;
    if (this.local) return LOCAL_ID;
    return data.platforms[0]?.id ?? null;
  }

  list(): PlatformInfo[] {
    const active = this.activeId();
    const out: PlatformInfo[] = [];
    if (this.local) {
      const url = this.local.state === 'ready' ? this.local.value.url : '';
      out.push({ id: LOCAL_ID, name: LOCAL_NAME, url, kind: 'local', hasToken: this.local.state === 'ready', active: active === LOCAL_ID });
    }
    for (const p of this.options.file.read().platforms) {
      out.push({ id: p.id, name: p.name, url: p.url, kind: 'remote', hasToken: this.options.secrets.has(tokenKey(p.id)), active: active === p.id, ...(p.deploymentId ? { deploymentId: p.deploymentId } : {}) });
    }
    return out;
  }

  async add(input: { name: string; url: string; token: string; activate: boolean }): Promise<PlatformInfo> {
    const url = input.url.replace(/\/+$/, '');
    const probe = this.client(url, input.token);
    try {
      await probe.me();
    } catch (error) {
      throw mapPlatformError(error, { name: input.name, url, kind: 'remote' });
    }
    const id = this.newId(input.name);
    this.options.secrets.set(tokenKey(id), input.token);
    this.options.file.update((d) => ({
      ...d,
      activeId: input.activate ? id : d.activeId,
      platforms: [...d.platforms, { id, name: input.name, url, addedAt: new Date().toISOString() }],
    }));
    return this.info(id);
  }

  /** The platform the app connected from this deployment, if any. */
  ofDeployment(deploymentId: string): PlatformInfo | undefined {
    return this.list().find((p) => p.deploymentId === deploymentId);
  }

  /**
   * Keeps the platform of a deployment with the URL and admin token read from its stack: the same
   * entry is updated on every reconnection, so the researcher pages keep their platform. Not probed
   * here: the token came from the stack itself, and `status` says whether it answers.
   * `activate`: "always" after an install; "if-new" on app start, and then only when no platform
   * added by hand is in use (the user's own choice is kept).
   */
  connectDeployment(input: { deploymentId: string; name: string; url: string; token: string; activate: 'always' | 'if-new' }): PlatformInfo {
    const url = input.url.replace(/\/+$/, '');
    const known = this.options.file.read().platforms.find((p) => p.deploymentId === input.deploymentId);
    const id = known?.id ?? this.newId(input.name);
    this.options.secrets.set(tokenKey(id), input.token);
    const current = this.activeId();
    const userChoseRemote = current !== null && current !== LOCAL_ID;
    const activate = input.activate === 'always' || (!known && !userChoseRemote);
    this.options.file.update((d) => ({
      ...d,
      activeId: activate ? id : d.activeId,
      platforms: known
        ? d.platforms.map((p) => (p.id === id ? { ...p, url } : p))
        : [...d.platforms, { id, name: input.name, url, addedAt: new Date().toISOString(), deploymentId: input.deploymentId }],
    }));
    return this.info(id);
  }

  private newId(name: string): string {
    const existing = this.options.file.read().platforms;
    const base = slug(name);
    let id = base === LOCAL_ID ? `${base}-2` : base;
    for (let n = 2; existing.some((p) => p.id === id) && n < 1000; n += 1) id = `${base}-${n}`;
    return id;
  }

  remove(id: string): { removed: boolean; activeId: string | null } {
    if (id === LOCAL_ID) throw new ApiError('bad-input', 'The local sandbox cannot be removed: it comes with the app.', 'Make another platform active instead.');
    let removed = false;
    this.options.file.update((d) => {
      removed = d.platforms.some((p) => p.id === id);
      return { ...d, activeId: d.activeId === id ? null : d.activeId, platforms: d.platforms.filter((p) => p.id !== id) };
    });
    this.options.secrets.delete(tokenKey(id));
    return { removed, activeId: this.activeId() };
  }

  setActive(id: string): PlatformInfo {
    const info = this.info(id);
    this.options.file.update((d) => ({ ...d, activeId: id }));
    return { ...info, active: true };
  }

  /** Runs `work` against the active platform; platform failures come back as sentences naming it. */
  async withActive<T>(work: (client: PlatformClient, platform: PlatformInfo) => Promise<T>): Promise<T> {
    const { client, info } = this.resolveActive();
    return this.guarded(info, () => work(client, info));
  }

  /**
   * As withActive, but as the platform's admin where the app holds that token (the local sandbox);
   * elsewhere with the active token, which the platform refuses unless it is an admin's.
   */
  async withActiveAdmin<T>(work: (client: PlatformClient, platform: PlatformInfo) => Promise<T>): Promise<T> {
    const { client, info } = this.resolveActive();
    const local = info.id === LOCAL_ID && this.local?.state === 'ready' ? this.local.value : undefined;
    const admin = local?.adminToken ? this.client(local.url, local.adminToken) : client;
    return this.guarded(info, () => work(admin, info));
  }

  private async guarded<T>(info: PlatformInfo, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw mapPlatformError(error, info);
    }
  }

  async status(): Promise<PlatformStatus> {
    const id = this.activeId();
    if (id === null) return { platform: null, state: 'none', message: 'No platform: add one by URL and token.' };
    return this.statusOf(id);
  }

  /** Health, version and the token's user of one platform, active or not (the Deployment page asks for its own). */
  async statusOf(id: string): Promise<PlatformStatus> {
    const info = this.info(id);
    if (id === LOCAL_ID && this.local?.state === 'starting') return { platform: info, state: 'starting', message: 'The local sandbox is starting…' };
    if (id === LOCAL_ID && this.local?.state === 'failed') return { platform: info, state: 'unreachable', message: `The local sandbox did not start: ${this.local.message}` };
    const sandbox = id === LOCAL_ID && this.local?.state === 'ready' ? this.local.value.status?.() : undefined;
    const withSandbox = sandbox ? { sandbox } : {};
    if (sandbox && sandbox.services.state !== 'running') {
      const last = sandbox.services.lastExit ? ` (${sandbox.services.lastExit.how})` : '';
      return { platform: info, state: 'starting', message: `The local sandbox's services agent stopped${last}; Benchtop is starting it again…`, ...withSandbox };
    }
    try {
      const { client } = this.resolve(id);
      return await this.guarded(info, async () => {
        const [health, me] = await Promise.all([client.health(), client.me()]);
        const queue = (q: typeof health.queues.cpu) => ({ queued: q.queued, running: q.running, workersOnline: q.workersOnline, gpus: q.gpus, workerVersions: q.workerVersions });
        return {
          platform: info,
          state: 'connected' as const,
          version: health.version,
          user: { id: me.user.id, name: me.user.name, role: me.user.role },
          queues: { cpu: queue(health.queues.cpu), gpu: queue(health.queues.gpu) },
          ...withSandbox,
        };
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const state = error instanceof ApiError && error.code === 'unauthorized' ? 'unauthorized' : 'unreachable';
      return { platform: info, state, message, ...withSandbox };
    }
  }

  private info(id: string): PlatformInfo {
    const found = this.list().find((p) => p.id === id);
    if (!found) throw new ApiError('not-found', `There is no platform "${id}".`, 'Pick one from the list of platforms.');
    return found;
  }

  private resolveActive(): Resolved {
    const id = this.activeId();
    if (id === null) throw new ApiError('unavailable', 'No platform is connected.', 'Add a platform by URL and token, or restart Benchtop to start the local sandbox.');
    return this.resolve(id);
  }

  private resolve(id: string): Resolved {
    const info = this.info(id);
    if (id === LOCAL_ID) {
      const local = this.local;
      if (local?.state === 'ready') return { info, client: this.client(local.value.url, local.value.token) };
      if (local?.state === 'failed') throw new ApiError('unavailable', `The local sandbox did not start: ${local.message}`, 'Restart Benchtop; its log says why the sandbox stopped.');
      throw new ApiError('unavailable', 'The local sandbox is still starting.', 'Wait a few seconds and try again.');
    }
    const token = this.options.secrets.get(tokenKey(id));
    if (!token) throw new ApiError('unauthorized', `No token is kept for the platform ${info.name}.`, 'Remove the platform and add it again with your token.');
    return { info, client: this.client(info.url, token) };
  }

  private client(url: string, token: string): PlatformClient {
    return createPlatformClient({ url, token, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
  }
}
