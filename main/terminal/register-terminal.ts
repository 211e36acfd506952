import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ApiError } from '../../common/api/errors.js';
import type { Router } from '../../common/api/router.js';
import type { Deployment } from '../../common/api/settings.contract.js';
import { closeTerminal, listInstances, listSessions, openTerminal, terminalCapabilities, type TerminalTarget } from '../../common/api/terminal.contract.js';
import { type AwsTarget, createAwsClient } from '../../lib/aws/client-factory.js';
import type { PlatformRegistry } from '../platform/connection/platform-registry.js';
import { defaultSandboxDir } from '../platform/sandbox-data-dir.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { listStackInstances } from './instance-picker.js';
import { defaultShell, ptyBackend } from './local-pty.js';
import { findLocalRun, hasProcessTable, noProcessTable } from './local-run-shell.js';
import { dockerExecCommand } from './run-terminal-target.js';
import { interactiveCommand, ssmBackend } from './ssm/ssm-terminal.js';
import type { BackendFactory } from './terminal-backend.js';
import type { TerminalHub } from './terminal-hub.js';

export interface TerminalDeps {
  readonly settings: SettingsStore;
  readonly env: NodeJS.ProcessEnv;
  /** Present when this app runs the local sandbox: then a shell on its host may be opened. */
  readonly localPlatform?: unknown;
  readonly terminals: TerminalHub;
  /** Where this machine lists its processes (Linux's /proc); tests point it at a missing folder, as on macOS or Windows. */
  readonly processTable?: string;
}

export interface TerminalClients {
  ssm(target: AwsTarget): SSMClient;
  autoScaling(target: AwsTarget): AutoScalingClient;
  ec2(target: AwsTarget): EC2Client;
}

const AWS_CLIENTS: TerminalClients = {
  ssm: (t) => createAwsClient(SSMClient, t),
  autoScaling: (t) => createAwsClient(AutoScalingClient, t),
  ec2: (t) => createAwsClient(EC2Client, t),
};

function awsTarget(d: Deployment): AwsTarget {
  return { region: d.region, ...(d.profile ? { profile: d.profile } : {}) };
}

function deploymentOf(settings: SettingsStore, id: string): Deployment {
  const found = settings.getDeployment(id);
  if (!found) throw new ApiError('not-found', `There is no deployment ${id} in this app.`, 'Pick one from the list, or add it on the Deployment page.');
  return found;
}

function sameUrl(a: string | undefined, b: string): boolean {
  return a !== undefined && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** The terminal calls; the byte streams go through the hub, attached by the shell's transport. */
export function registerTerminal(router: Router, deps: TerminalDeps, platforms: PlatformRegistry, clients: TerminalClients = AWS_CLIENTS): void {
  const hub = deps.terminals;

  const localShell = (): BackendFactory => {
    const sandboxDir = defaultSandboxDir(deps.env);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(deps.env)) if (v !== undefined) env[k] = v;
    return ptyBackend({ file: defaultShell(deps.env), args: [], cwd: existsSync(sandboxDir) ? sandboxDir : homedir(), env: { ...env, TERM: 'xterm-256color' } });
  };

  const runTerminal = (runId: string) =>
    platforms.withActive(async (client, platform) => {
      const target = await client.openRunTerminal(runId);
      if (platform.kind === 'local') {
        if (target.runtime === 'docker') {
          // Its process is the container's, under the engine the sandbox found (Docker or Podman's socket), not one to join here.
          throw new ApiError(
            'unavailable',
            `Run ${runId} runs in a container of the local sandbox's container engine: Benchtop opens terminals into local runs of the process runtime only.`,
            `Open a shell in it yourself: docker exec -it "$(docker ps -q --filter name=^${target.containerNamePrefix})" sh`,
          );
        }
        const proc = deps.processTable ?? '/proc';
        if (!hasProcessTable(proc)) {
          const { message, fix } = noProcessTable(runId, target.workerId, defaultSandboxDir(deps.env));
          throw new ApiError('unavailable', message, fix);
        }
        const found = findLocalRun(runId, { proc });
        if (!found) {
          throw new ApiError('unavailable', `Run ${runId} is running on ${target.workerId}, but its process is not on this machine.`, 'Wait a moment (the worker may still be starting it) and try again.');
        }
        return { title: `run ${runId}`, note: found.note, factory: ptyBackend(found.spec) };
      }
      if (target.runtime !== 'docker') {
        throw new ApiError('unavailable', `Run ${runId} runs as a process on ${target.workerId}, not in a container: Benchtop opens terminals only into container runs on AWS.`);
      }
      // The deployment the app connected this platform from, else one whose platform URL it is.
      const deployment =
        (platform.deploymentId ? deps.settings.getDeployment(platform.deploymentId) : undefined) ?? deps.settings.listDeployments().find((d) => sameUrl(d.platformUrl, platform.url));
      if (!deployment) {
        throw new ApiError('unavailable', `No deployment in this app serves the platform ${platform.url}, so there is no AWS profile to reach the worker with.`, 'Add the deployment on the Deployment page (an admin opens run terminals through SSM).');
      }
      return {
        title: `run ${runId}`,
        note: `docker exec into the run's container on worker ${target.workerId}, through SSM (AWS-StartInteractiveCommand).`,
        factory: ssmBackend({ ssm: clients.ssm(awsTarget(deployment)), instanceId: target.workerId, document: interactiveCommand(dockerExecCommand(target)) }),
      };
    });

  const resolve = async (target: TerminalTarget): Promise<{ title: string; note: string; factory: BackendFactory }> => {
    switch (target.kind) {
      case 'instance': {
        const deployment = deploymentOf(deps.settings, target.deploymentId);
        return {
          title: `${target.instanceId} (${deployment.name})`,
          note: `SSM Session Manager shell on ${target.instanceId}, as the profile ${deployment.profile ?? '(default)'}.`,
          factory: ssmBackend({ ssm: clients.ssm(awsTarget(deployment)), instanceId: target.instanceId }),
        };
      }
      case 'run':
        return runTerminal(target.runId);
      case 'local':
        if (!deps.localPlatform) throw new ApiError('unavailable', 'This app runs no local sandbox, so there is no sandbox host to open a shell on.', 'Start Benchtop without BENCHTOP_SANDBOX=off.');
        return { title: 'sandbox host', note: `A shell on this machine (the sandbox host), as you, with ${defaultShell(deps.env)}.`, factory: localShell() };
    }
  };

  router
    .handle(listInstances, async ({ deploymentId }) => {
      const deployment = deploymentOf(deps.settings, deploymentId);
      const target = awsTarget(deployment);
      return { instances: await listStackInstances({ autoScaling: clients.autoScaling(target), ec2: clients.ec2(target), ssm: clients.ssm(target) }, deployment.name) };
    })
    .handle(openTerminal, async ({ target, size }) => {
      const { title, note, factory } = await resolve(target);
      return hub.open({ title, target, note }, size, factory);
    })
    .handle(listSessions, () => ({ sessions: hub.list() }))
    .handle(closeTerminal, ({ id }) => ({ closed: hub.close(id) }))
    .handle(terminalCapabilities, () => ({
      local: deps.localPlatform
        ? { available: true, shell: defaultShell(deps.env), reason: null }
        : { available: false, shell: null, reason: 'This app runs no local sandbox (BENCHTOP_SANDBOX=off, or the desktop app without one).' },
    }));
}
