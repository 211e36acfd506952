import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ApiError } from '../../common/api/errors.js';
import { type Deployment, deploymentId } from '../../common/api/settings.contract.js';
import type { AwsTarget } from '../../lib/aws/client-factory.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { DeployClients } from './deploy-clients.js';

/** A deploy call's target as the renderer sends it: the account it expects, when it knows one. */
export type DeployTarget = AwsTarget & { accountId?: string | undefined };

/** The stack a call is about: its account (when STS answered), region and name. */
export interface StackRef {
  accountId?: string;
  region: string;
  name: string;
  profile?: string;
}

export const refId = (ref: StackRef): string => deploymentId(ref);

/**
 * Which account the profile signs in to (GetCallerIdentity), remembered per profile and region for
 * the app's life: status is read often and the answer does not change under a running app.
 */
export class AccountResolver {
  private readonly known = new Map<string, Promise<string | undefined>>();

  async resolve(c: DeployClients, target: DeployTarget, stackName: string): Promise<StackRef> {
    const k = `${target.profile ?? ''}/${target.region}`;
    let account = this.known.get(k);
    if (!account) {
      account = c.sts.send(new GetCallerIdentityCommand({})).then((out) => out?.Account);
      this.known.set(k, account);
      // A failure (no credentials yet) is not remembered: the next call asks again.
      account.catch(() => this.known.delete(k));
    }
    const accountId = await account;
    if (target.accountId && accountId && target.accountId !== accountId) {
      throw new ApiError(
        'conflict',
        `The profile ${target.profile ?? '(default credentials)'} signs in to account ${accountId}, but ${stackName} was installed in account ${target.accountId}.`,
        `Sign in to account ${target.accountId} with that profile (or pick the deployment's own profile), then try again.`,
      );
    }
    return { name: stackName, region: target.region, ...(accountId ? { accountId } : {}), ...(target.profile ? { profile: target.profile } : {}) };
  }
}

/**
 * The saved deployments as the deploy engine keeps them up to date: saved before an apply starts
 * (so an interrupted install is found again), its status noted as it is seen, removed once the
 * stack is gone. Without a settings store (CLI, tests) these do nothing.
 */
export class DeploymentRecords {
  constructor(private readonly settings: SettingsStore | undefined) {}

  find(ref: StackRef): Deployment | undefined {
    return this.settings?.findDeployment(ref);
  }

  /** Before ExecuteChangeSet: what the Deployment page follows after the app is closed and opened again. */
  beforeApply(ref: StackRef, status: string): Deployment | undefined {
    return this.settings?.saveDeployment({ name: ref.name, region: ref.region, ...(ref.profile ? { profile: ref.profile } : {}), ...(ref.accountId ? { accountId: ref.accountId } : {}), lastKnownStatus: status });
  }

  /** Notes the status and, for an entry saved before accounts were known, its account. */
  seen(ref: StackRef, status: string): Deployment | undefined {
    const saved = this.find(ref);
    if (!saved || (saved.lastKnownStatus === status && (saved.accountId || !ref.accountId))) return saved;
    return this.settings?.saveDeployment({ name: saved.name, region: saved.region, ...(ref.accountId ? { accountId: ref.accountId } : {}), lastKnownStatus: status });
  }

  /** The stack no longer exists: the entry goes. Answers the removed entry. */
  gone(ref: StackRef): Deployment | undefined {
    const saved = this.find(ref);
    if (saved) this.settings?.removeDeployment(saved.id);
    return saved;
  }
}
