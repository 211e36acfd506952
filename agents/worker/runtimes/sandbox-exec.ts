import { existsSync } from 'node:fs';
import type { RunMounts } from './runtime.js';

export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

/** macOS's Seatbelt (`sandbox-exec`, deprecated by Apple but shipped and used by browsers' build tools). */
export function probeSandboxExec(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' && existsSync(SANDBOX_EXEC);
}

export interface SeatbeltOptions {
  mounts: RunMounts;
  network: boolean;
  home: string | undefined;
  /** Host folders the run must not read (work folder, tokens, app data). */
  hide: readonly string[];
  /** Host folders the run may read although they lie in a denied one (`--expose`). */
  expose: readonly string[];
}

/** A string literal of the profile language (a Scheme dialect). */
function literal(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A Seatbelt profile. macOS has no mount namespaces, so the run sees host paths (/code in its
 * argv is substituted with the real folder) and the profile decides: everything is allowed as
 * for the user, then reading or writing the home folder and the hidden folders is denied, then
 * the run's own folders are allowed again (the last matching rule wins), writes go only to
 * /results, the scratch folder and /dev, UNIX sockets are refused, and the network too unless
 * the run asked for it.
 */
export function seatbeltProfile(options: SeatbeltOptions): string {
  const { code, data, results, scratch } = options.mounts;
  const hidden = [...(options.home ? [options.home] : []), ...options.hide];
  const lines = ['(version 1)', '(allow default)'];
  if (hidden.length > 0) lines.push(`(deny file-read* file-write* ${hidden.map((p) => `(subpath ${literal(p)})`).join(' ')})`);
  lines.push(
    '(deny file-write* (subpath "/"))',
    `(allow file-read* ${[code, data, ...options.expose].map((p) => `(subpath ${literal(p)})`).join(' ')})`,
    `(allow file-read* file-write* (subpath ${literal(results)}) (subpath ${literal(scratch)}) (subpath "/dev"))`,
    '(deny network-outbound (remote unix-socket))',
  );
  if (!options.network) lines.push('(deny network*)');
  return lines.join('\n');
}

/** argv for sandbox-exec around a command. */
export function sandboxExecArgs(options: SeatbeltOptions, command: readonly string[]): string[] {
  return ['-p', seatbeltProfile(options), ...command];
}
