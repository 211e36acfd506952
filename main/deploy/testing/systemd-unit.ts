import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// What a generated unit (templates/boot/lib/agent.sh write_unit) tells systemd about how to start
// its process, read from the file the boot wrote: the directives the fake instance honours.
// https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html

export interface SystemdUnit {
  name: string;
  type: string;
  /** ExecStart split into argv (the generated units never quote). */
  execStart: string[];
  user?: string;
  workingDirectory: string;
  environmentFiles: string[];
  environment: Record<string, string>;
  timeoutStopSec: number;
  noNewPrivileges: boolean;
  /** ProtectSystem=full makes /usr, /boot and /etc read-only. */
  protectSystem: string;
  privateTmp: boolean;
  requires: string[];
}

function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    out.set(match[1]!, [...(out.get(match[1]!) ?? []), match[2]!]);
  }
  return out;
}

/** Reads /etc/systemd/system/NAME.service and its drop-ins under `root`. */
export function readUnit(root: string, name: string): SystemdUnit {
  const dir = join(root, 'etc/systemd/system');
  const dropIns = existsSync(join(dir, `${name}.service.d`)) ? readdirSync(join(dir, `${name}.service.d`)).sort().map((f) => join(dir, `${name}.service.d`, f)) : [];
  const d = directives([join(dir, `${name}.service`), ...dropIns].map((f) => readFileSync(f, 'utf8')).join('\n'));
  const last = (key: string) => d.get(key)?.at(-1);
  const exec = last('ExecStart');
  if (!exec) throw new Error(`${name}.service has no ExecStart.`);
  if (/["'\\]/.test(exec)) throw new Error(`${name}.service quotes its ExecStart; this reader splits on spaces only.`);
  const environment: Record<string, string> = {};
  for (const entry of (d.get('Environment') ?? []).flatMap((e) => e.split(/\s+/))) {
    const cut = entry.indexOf('=');
    if (cut > 0) environment[entry.slice(0, cut)] = entry.slice(cut + 1);
  }
  return {
    name,
    type: last('Type') ?? 'simple',
    execStart: exec.split(/\s+/).filter(Boolean),
    ...(last('User') ? { user: last('User') } : {}),
    workingDirectory: last('WorkingDirectory') ?? '/',
    environmentFiles: d.get('EnvironmentFile') ?? [],
    environment,
    timeoutStopSec: Number(last('TimeoutStopSec') ?? 90),
    noNewPrivileges: last('NoNewPrivileges') === 'true',
    protectSystem: last('ProtectSystem') ?? 'no',
    privateTmp: last('PrivateTmp') === 'true',
    requires: (d.get('Requires') ?? []).flatMap((r) => r.split(/\s+/)).filter(Boolean),
  };
}

/** KEY=VALUE lines of an EnvironmentFile (comments and blank lines skipped). */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) out[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}
