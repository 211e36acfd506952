import { getIdentity, listProfiles, type AwsProfile } from '../../../common/api/aws.contract.js';
import { useCall } from '../api/hooks.js';
import { usePreferences, useSavePreferences } from './use-preferences.js';
import { useToast } from '../components/Toast.js';

/** STS is global, but the SDK still needs a region to sign for; this one is always enabled. */
export const FALLBACK_REGION = 'us-east-1';

export interface ActiveProfile {
  profiles: ReturnType<typeof useProfiles>;
  /** The chosen profile when it still exists in the config file. */
  profile: AwsProfile | undefined;
  /** The chosen name even if the config file no longer lists it. */
  chosenName: string | undefined;
  region: string;
  identity: ReturnType<typeof useIdentity>;
  choose(name: string | null): void;
}

export function useProfiles() {
  return useCall(listProfiles, undefined);
}

export function useIdentity(profile: string | undefined, region: string) {
  return useCall(getIdentity, { profile, region }, { enabled: profile !== undefined, staleTime: 5 * 60_000 });
}

/** The AWS profile the admin works with, kept in the preferences so it survives a restart. */
export function useActiveProfile(): ActiveProfile {
  const toast = useToast();
  const preferences = usePreferences();
  const profiles = useProfiles();
  const save = useSavePreferences((error) => toast.show({ tone: 'danger', message: `Could not save the profile choice: ${error.message}` }));
  const chosenName = preferences.data?.defaultProfile;
  const profile = profiles.data?.profiles.find((p) => p.name === chosenName);
  const region = profile?.region ?? preferences.data?.defaultRegion ?? FALLBACK_REGION;
  const identity = useIdentity(profile?.name, region);
  return {
    profiles,
    profile,
    chosenName,
    region,
    identity,
    choose: (name) => save({ defaultProfile: name }),
  };
}
