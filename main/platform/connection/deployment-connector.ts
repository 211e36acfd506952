import type { AwsTarget } from '../../../lib/aws/client-factory.js';
import { errorText } from '../../../lib/aws/error-meaning.js';
import type { DeploymentConnection, DeploymentPlatformStatus } from '../../../common/api/platforms.contract.js';
import type { Deployment } from '../../../common/api/settings.contract.js';
import type { SettingsStore } from '../../settings/settings-store.js';
import { accountOf, createPlatformAccessClients, type PlatformAccessClients, readPlatformAccess } from './platform-access.js';
import type { PlatformRegistry } from './platform-registry.js';

export interface DeploymentConnectorOptions {
  platforms: PlatformRegistry;
  settings: SettingsStore;
  clients?: (target: AwsTarget) => PlatformAccessClients;
  now?: () => Date;
}

// A platform still waiting (the stack installing, the token not stored yet) is read again when the
// Deployment page asks after this long, so it connects without anyone pressing "connect".
const RETRY_WAITING_MS = 15_000;

const targetOf = (d: Deployment): AwsTarget => ({ region: d.region, ...(d.profile ? { profile: d.profile } : {}) });

/**
 * Connects the researcher plane to the deployments this app installed: the URL from the stack's
 * outputs and the admin token from SSM, read with the admin's own credentials, kept as a platform
 * (token in the secret store). After an install it becomes the active platform; on every app start
 * each known deployment is read again, so a replaced token or a new address is picked up.
 */
export class DeploymentConnector {
  private readonly attempts = new Map<string, DeploymentConnection>();
  private readonly inFlight = new Map<string, Promise<DeploymentConnection>>();
  private readonly modes = new Map<string, 'always' | 'if-new'>();
  private readonly clients: (target: AwsTarget) => PlatformAccessClients;
  private readonly now: () => Date;

  constructor(private readonly options: DeploymentConnectorOptions) {
    this.clients = options.clients ?? createPlatformAccessClients;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * One attempt per deployment at a time; a second caller waits for the first. One that must make
   * the platform active (after an install, "connect") reads it again once a background attempt,
   * which may have left another platform active, is done.
   */
  connect(d: Deployment, activate: 'always' | 'if-new'): Promise<DeploymentConnection> {
    const running = this.inFlight.get(d.id);
    if (running && activate === 'always' && this.modes.get(d.id) !== 'always') return running.then(() => this.connect(d, 'always'));
    if (running) return running;
    this.modes.set(d.id, activate);
    const attempt = this.attempt(d, activate).finally(() => this.inFlight.delete(d.id));
    this.inFlight.set(d.id, attempt);
    return attempt;
  }

  private async attempt(d: Deployment, activate: 'always' | 'if-new'): Promise<DeploymentConnection> {
    const at = this.now().toISOString();
    let outcome: DeploymentConnection;
    try {
      const access = await readPlatformAccess(this.clients(targetOf(d)), d.name, d.region);
      if (access.ready) {
        const platform = this.options.platforms.connectDeployment({ deploymentId: d.id, name: `${d.name} (${d.region})`, url: access.url, token: access.token, activate });
        if (d.platformUrl !== access.url) this.options.settings.saveDeployment({ ...withoutId(d), platformUrl: access.url });
        outcome = { state: 'connected', at, platformId: platform.id, message: `Connected to ${access.url} with the admin token of ${d.name}.` };
      } else {
        outcome = { state: access.waiting ? 'waiting' : 'failed', at, message: access.message, ...(access.fix ? { fix: access.fix } : {}) };
      }
    } catch (e) {
      outcome = { state: 'failed', at, message: `Could not read the platform of ${d.name}: ${errorText(e)}`, fix: 'Check that the deployment\u2019s AWS profile is signed in, then connect again.' };
    }
    this.attempts.set(d.id, outcome);
    return outcome;
  }

  /** On app start: every known deployment, one after another (each is a couple of AWS calls). */
  async reconnectAll(): Promise<void> {
    let deployments: Deployment[];
    try {
      deployments = this.options.settings.listDeployments();
    } catch {
      // A damaged settings file is reported by the pages that read it.
      return;
    }
    for (const d of deployments) await this.connect(await this.withAccount(d), 'if-new');
  }

  /**
   * An entry saved by name only (older versions) takes the account its profile signs in to, once
   * the stack is found there: from then on it is keyed by account, region and stack.
   */
  private async withAccount(d: Deployment): Promise<Deployment> {
    if (d.accountId) return d;
    try {
      const c = this.clients(targetOf(d));
      const accountId = await accountOf(c);
      const access = await readPlatformAccess(c, d.name, d.region);
      const found = access.ready || access.waiting;
      if (!accountId || !found) return d;
      return this.options.settings.saveDeployment({ ...withoutId(d), accountId });
    } catch {
      // Not signed in yet: the Deployment page migrates it when it reads the stack.
      return d;
    }
  }

  /** The stack is gone: so is its platform and the token kept for it. */
  forget(deploymentId: string): void {
    const platform = this.options.platforms.ofDeployment(deploymentId);
    if (platform) this.options.platforms.remove(platform.id);
    this.attempts.delete(deploymentId);
  }

  async status(d: Deployment): Promise<DeploymentPlatformStatus> {
    const last = this.attempts.get(d.id);
    const stale = last?.state === 'waiting' && this.now().getTime() - Date.parse(last.at ?? '') >= RETRY_WAITING_MS;
    if (stale) void this.connect(d, 'if-new');
    const platform = this.options.platforms.ofDeployment(d.id);
    const connection = last ?? { state: 'never' as const, message: `Benchtop has not read the platform of ${d.name} yet.` };
    if (!platform) return { connection, platform: null };
    return { connection, platform: await this.options.platforms.statusOf(platform.id) };
  }

  /** The versions the services agent and the online workers report, for the version check; empty when the platform does not answer. */
  async agentVersions(d: Deployment): Promise<{ services?: string; workers?: { version: string; count: number }[] }> {
    const platform = this.options.platforms.ofDeployment(d.id);
    if (!platform) return {};
    const status = await this.options.platforms.statusOf(platform.id);
    if (!status.version) return {};
    const counts = new Map<string, number>();
    for (const q of [status.queues?.cpu, status.queues?.gpu]) for (const w of q?.workerVersions ?? []) counts.set(w.version, (counts.get(w.version) ?? 0) + w.count);
    return { services: status.version, workers: [...counts].map(([version, count]) => ({ version, count })) };
  }
}

function withoutId(d: Deployment): Omit<Deployment, 'id'> {
  const { id: _id, ...rest } = d;
  return rest;
}
