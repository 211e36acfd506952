import { z } from 'zod';
import { readPrivateJson, writePrivateJson } from '../settings/private-json-file.js';

const mutesFile = z.record(z.string(), z.record(z.string(), z.object({ reason: z.string(), at: z.string() })));
type Reasons = Record<string, { reason: string; at: string }>;

/** Whose alarms: the sandbox's, or one stack's, named as deployments are (`<account>/<region>/<stack>`). */
export type MuteSource = { kind: 'local' } | { kind: 'stack'; account: string; region: string; stackName: string };

/** The accounts of the saved deployments with this region and stack name (undefined: saved without one). */
export type AccountsOf = (region: string, stackName: string) => ReadonlyArray<string | undefined>;

const keyOf = (s: MuteSource) => (s.kind === 'local' ? 'local' : `stack:${s.account}/${s.region}/${s.stackName}`);
/** How earlier versions keyed a stack's reasons: without the account, so two accounts' "lab" in one region shared them. */
const legacyKeyOf = (s: Extract<MuteSource, { kind: 'stack' }>) => `stack:${s.region}:${s.stackName}`;

/**
 * Why each alarm was muted, kept by the app (CloudWatch keeps only that its actions are off):
 * `<app-data>/alarm-mutes.json`, by source ("local", "stack:<account>/<region>/<stack>") and alarm name.
 *
 * Reasons stored before the account was part of the key ("stack:<region>:<stack>") are moved to
 * the account's key when the saved deployments of that region and name are all in one account.
 * Otherwise the app cannot tell whose they were: they stay, shown for that region and stack name
 * in any account (as before), until the alarm is muted or unmuted through the app, which replaces
 * the old reason with the new decision.
 */
export class AlarmMutes {
  constructor(
    private readonly file: string,
    private readonly accountsOf: AccountsOf = () => [],
  ) {}

  private read() {
    return readPrivateJson(this.file, mutesFile, {}, { what: 'alarm mute reasons', fix: 'Fix or delete the file; only the reasons are lost.' });
  }

  reasons(source: MuteSource): Map<string, string> {
    let all = this.read();
    if (source.kind === 'stack') all = this.claimLegacy(all, source);
    const own = all[keyOf(source)] ?? {};
    const legacy = source.kind === 'stack' ? (all[legacyKeyOf(source)] ?? {}) : {};
    return new Map(Object.entries({ ...legacy, ...own }).map(([name, m]) => [name, m.reason]));
  }

  set(source: MuteSource, name: string, reason: string | undefined): void {
    const all = this.read();
    const key = keyOf(source);
    const forSource: Reasons = { ...(all[key] ?? {}) };
    if (reason) forSource[name] = { reason, at: new Date().toISOString() };
    else delete forSource[name];
    const next = { ...all, [key]: forSource };
    if (source.kind === 'stack') {
      const legacyKey = legacyKeyOf(source);
      const legacy: Reasons = { ...(next[legacyKey] ?? {}) };
      delete legacy[name];
      if (Object.keys(legacy).length > 0) next[legacyKey] = legacy;
      else delete next[legacyKey];
    }
    writePrivateJson(this.file, next);
  }

  /** Moves the stack's account-less reasons to its account's key when no other account can have made them. */
  private claimLegacy(all: Record<string, Reasons>, source: Extract<MuteSource, { kind: 'stack' }>): Record<string, Reasons> {
    const legacyKey = legacyKeyOf(source);
    const legacy = all[legacyKey];
    if (!legacy) return all;
    const accounts = this.accountsOf(source.region, source.stackName);
    if (accounts.length === 0 || accounts.some((a) => a !== source.account)) return all;
    // A reason given since (under the account's key) is the newer decision.
    const next: Record<string, Reasons> = { ...all, [keyOf(source)]: { ...legacy, ...(all[keyOf(source)] ?? {}) } };
    delete next[legacyKey];
    writePrivateJson(this.file, next);
    return next;
  }
}
