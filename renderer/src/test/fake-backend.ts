import { getAppInfo, type AppInfo } from '../../../common/api/app.contract.js';
import { getIdentity, listProfiles, type AwsIdentity, type AwsProfile } from '../../../common/api/aws.contract.js';
import { ApiError } from '../../../common/api/errors.js';
import { Router } from '../../../common/api/router.js';
import { getPreferences, setPreferences, type Preferences } from '../../../common/api/settings.contract.js';
import { createClient, type ApiClient } from '../api/client.js';
import type { Transport } from '../api/transport.js';
import { listObserveSources } from '../../../common/api/observe.contract.js';

/**
 * The main process as component tests see it: the real Router with handlers registered against
 * the real contract definitions, behind a transport. Inputs and answers are parsed exactly as in
 * the app, so a handler here cannot drift from the contract without the compiler or the router
 * saying so.
 */
export interface FakeBackend {
  router: Router;
  transport: Transport;
  client: ApiClient;
  /** Every call the renderer made, in order. */
  calls: { name: string; input: unknown }[];
  preferences: Preferences;
}

export function createFakeBackend(register: (router: Router, backend: FakeBackend) => void = () => undefined): FakeBackend {
  const router = new Router();
  const calls: FakeBackend['calls'] = [];
  const transport: Transport = {
    kind: 'test',
    call: async (name, input) => {
      calls.push({ name, input });
      return router.invoke(name, input, { transport: 'test' });
    },
    subscribe: (name, input, onMessage, onError) => {
      const subscription = router.subscribe(name, input, onMessage, onError);
      if (subscription.ok) return subscription.unsubscribe;
      queueMicrotask(() => onError(subscription.error));
      return () => undefined;
    },
  };
  const backend: FakeBackend = { router, transport, client: createClient(transport), calls, preferences: { theme: 'system' } };
  register(router, backend);
  return backend;
}

export const APP_INFO: AppInfo = { name: 'Benchtop', version: '0.1.0', shell: 'browser', platform: 'linux' };

export const PROFILES: AwsProfile[] = [
  { name: 'lab-admin', region: 'eu-west-1', kind: 'sso' },
  { name: 'expired', kind: 'static' },
];

export const IDENTITY: AwsIdentity = { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice', userId: 'AROAEXAMPLE:alice' };

export interface StandardOptions {
  appInfo?: AppInfo | ApiError;
  profiles?: AwsProfile[] | ApiError;
  preferences?: Preferences;
  /** Makes saving preferences fail with this error. */
  saveError?: ApiError;
  /** Holds back the answer to a save (already applied) for this long, as a slow disk or busy host would. */
  saveAnswerDelayMs?: (patch: Record<string, unknown>) => number;
}

/** A backend with every call the shell uses: app info, profiles, identity ("expired" fails as an expired session would), preferences. */
export function createStandardBackend(options: StandardOptions = {}): FakeBackend {
  return createFakeBackend((router, backend) => {
    if (options.preferences) backend.preferences = { ...options.preferences };
    router.handle(getAppInfo, () => answer(options.appInfo ?? APP_INFO));
    router.handle(listProfiles, () => ({ profiles: answer(options.profiles ?? PROFILES), configFile: '/home/alice/.aws/config' }));
    router.handle(getIdentity, ({ profile }) => {
      if (profile === 'lab-admin') return IDENTITY;
      throw new ApiError('aws', `The credentials of profile "${profile}" were refused: the security token is invalid or expired.`, `Renew them (aws configure --profile ${profile}), then check again.`);
    });
    // The sidebar's alarm badge asks which sources to watch; none here (no sandbox, no deployment).
    router.handle(listObserveSources, () => ({ sources: [] }));
    router.handle(getPreferences, () => backend.preferences);
    router.handle(setPreferences, async (patch) => {
      if (options.saveError) throw options.saveError;
      const next: Record<string, unknown> = { ...backend.preferences };
      for (const [field, value] of Object.entries(patch)) {
        if (value === null) delete next[field];
        else if (value !== undefined) next[field] = value;
      }
      backend.preferences = next as Preferences;
      const answer = backend.preferences;
      const delay = options.saveAnswerDelayMs?.(patch) ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return answer;
    });
  });
}

function answer<T>(value: T | ApiError): T {
  if (value instanceof ApiError) throw value;
  return value;
}
