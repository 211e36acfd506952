import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BOOT_ENV, makeTempRoot, recordedCalls, tempRootMounts, type StandIn } from '../../../templates/boot/temp-root.js';
import { parseEnvironmentFile, readUnit, type SystemdUnit } from './systemd-unit.js';

// An instance without a machine: its user data run as root in a temporary root (bubblewrap, the
// network namespace of loopback-network.ts), and the units its boot asks systemctl to start run
// the way systemd would run them: ExecStart's argv in WorkingDirectory, as User= (uid/gid from the
// root's /etc/passwd, supplementary groups, NoNewPrivileges), with EnvironmentFile= and
// Environment=, /etc read-only for ProtectSystem=full and a private /tmp for PrivateTmp=. Stop is
// SIGTERM to the main process, then SIGKILL after TimeoutStopSec (KillMode=mixed). Needs root.

/** The PATH systemd gives services, with the stand-ins (the fake docker among them) first. */
const UNIT_PATH = '/fake/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin';

export interface FakeInstanceOptions {
  userData: string;
  standIns: Record<string, StandIn>;
  placed?: Record<string, StandIn>;
  instanceId: string;
  instanceType: string;
  /** The instance's Auto Scaling group (aws autoscaling describe-auto-scaling-instances). */
  group?: string;
  /** nsenter --net=… of the instances' network. */
  namespace: string;
  /** /etc/hosts lines, e.g. "127.0.0.1 services.lab.benchtop.internal". */
  hosts: string[];
  /** Environment the boot and every unit get besides their own: the AWS endpoint and credentials, shorter waits. */
  env: Record<string, string>;
  /** Host folder holding what `npm ci` installs (package-lock.json and node_modules). */
  npmMirror: string;
  /** Called with the root before a unit starts (what the machine would have done meanwhile). */
  beforeStart?: (root: string, unit: SystemdUnit) => void;
  /** Changes a unit's argv before it starts (say why where it is used). */
  adjustArgv?: (unit: string, argv: string[]) => string[];
  setup?: (root: string) => void;
}

export interface UnitProcess {
  unit: SystemdUnit;
  child: ChildProcess;
  /** Everything it printed, stdout and stderr, as the unit's log file gets it. */
  output(): string;
  /** The first stdout line that `matches`, waited for at most `ms`. */
  line(matches: (line: string) => boolean, ms?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface BootResult {
  status: number | null;
  output: string;
}

function passwdEntry(root: string, user: string): { uid: number; gid: number; home: string } {
  const line = readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`User=${user}, but the boot made no such user.`);
  const [, , uid, gid, , home] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), home: home! };
}

export class FakeInstance {
  readonly root: string;
  readonly units = new Map<string, UnitProcess>();
  private readonly poller: NodeJS.Timeout;
  private readonly stopping = new Set<string>();

  constructor(private readonly options: FakeInstanceOptions) {
    this.root = makeTempRoot({
      userData: options.userData,
      standIns: options.standIns,
      ...(options.placed ? { placed: options.placed } : {}),
      setup: (root) => {
        const path = (p: string) => join(root, p);
        writeFileSync(path('fake/state/instance-id'), `${options.instanceId}\n`);
        writeFileSync(path('fake/state/instance-type'), `${options.instanceType}\n`);
        if (options.group) writeFileSync(path('fake/state/group'), `${options.group}\n`);
        writeFileSync(path('etc/hosts'), `127.0.0.1 localhost\n${options.hosts.join('\n')}\n`);
        mkdirSync(path('opt/aws/amazon-cloudwatch-agent/etc'), { recursive: true });
        mkdirSync(path('fake/systemd'), { recursive: true });
        // The fake engine's state: written by whoever calls docker (the worker's user).
        mkdirSync(path('var/lib/fake-docker'), { recursive: true });
        chmodSync(path('var/lib/fake-docker'), 0o777);
        // Copied in, so that the root holds everything its processes see.
        cpSync(options.npmMirror, path('fake/npm-mirror'), { recursive: true });
        options.setup?.(root);
      },
    });
    this.poller = setInterval(() => this.serveSystemctl(), 100);
  }

  path(absolute: string): string {
    return join(this.root, absolute);
  }

  calls(): string[] {
    return recordedCalls(this.root);
  }

  private inNamespace(args: string[]): string[] {
    return ['--net=' + this.options.namespace, '--', 'bwrap', ...args];
  }

  /** Runs the user data as root, as cloud-init does; resolves when it exits (bounded). */
  async boot(timeoutMs = 60_000): Promise<BootResult> {
    const child = spawn('nsenter', this.inNamespace([...tempRootMounts(this.root), '--die-with-parent', '--chdir', '/', '/usr/bin/bash', '/user-data']), {
      env: { ...BOOT_ENV, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    clearTimeout(timer);
    return { status, output };
  }

  /** Answers the systemctl stand-in's start and stop requests. */
  private serveSystemctl(): void {
    const dir = this.path('/fake/systemd');
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir)) {
      const [name, verb] = [file.slice(0, file.lastIndexOf('.')), file.slice(file.lastIndexOf('.') + 1)];
      if (verb === 'start') {
        rmSync(join(dir, file));
        if (!this.units.has(name)) this.start(name);
      } else if (verb === 'stop' && !this.stopping.has(name)) {
        this.stopping.add(name);
        void this.stop(name).then(() => {
          rmSync(join(dir, file), { force: true });
          writeFileSync(join(dir, `${name}.stopped`), '');
          this.stopping.delete(name);
        });
      }
    }
  }

  /** The unit once its start was asked for (the boot may have just asked), waited for at most `ms`. */
  async started(name: string, ms = 5_000): Promise<UnitProcess> {
    for (let waited = 0; waited <= ms; waited += 100) {
      const running = this.units.get(name);
      if (running) return running;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${name} was not started within ${ms} ms; calls: ${this.calls().join('\n')}`);
  }

  /** Starts a unit as systemd would. */
  start(name: string): UnitProcess {
    const unit = readUnit(this.root, name);
    this.options.beforeStart?.(this.root, unit);
    const env: Record<string, string> = { PATH: UNIT_PATH, ...this.options.env };
    for (const file of unit.environmentFiles) Object.assign(env, parseEnvironmentFile(readFileSync(this.path(file.replace(/^-/, '')), 'utf8')));
    Object.assign(env, unit.environment);
    const argv = this.options.adjustArgv?.(name, unit.execStart) ?? unit.execStart;
    const asUser: string[] = [];
    if (unit.user) {
      const { uid, gid, home } = passwdEntry(this.root, unit.user);
      Object.assign(env, { HOME: home, USER: unit.user, LOGNAME: unit.user, SHELL: '/sbin/nologin' });
      asUser.push('setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', ...(unit.noNewPrivileges ? ['--no-new-privs'] : []), '--');
    }
    const readOnly = unit.protectSystem === 'full' || unit.protectSystem === 'strict' ? ['/etc'] : [];
    const bwrap = [...tempRootMounts(this.root, readOnly), ...(unit.privateTmp ? ['--tmpfs', '/tmp'] : []), '--die-with-parent', '--info-fd', '3', '--chdir', unit.workingDirectory, '--', ...asUser, ...argv];
    const child = spawn('nsenter', this.inNamespace(bwrap), { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const log = this.path(`/var/log/benchtop/${name}.log`);
    mkdirSync(this.path('/var/log/benchtop'), { recursive: true });
    let output = '';
    const record = (d: string) => {
      output += d;
      appendFileSync(log, d);
    };
    child.stdout!.setEncoding('utf8');
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
    // Closed, not only exited: its last lines may still be in the pipe when the exit is reported.
    let closed = false;
    child.once('close', () => (closed = true));
    const line = (matches: (l: string) => boolean, ms = 30_000) =>
      new Promise<string>((resolve, reject) => {
        const started = Date.now();
        const look = () => {
          const found = lines.find(matches);
          if (found !== undefined) return resolve(found);
          if (closed) return reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) without that line: ${output}`));
          if (Date.now() - started > ms) return reject(new Error(`${name} printed no such line within ${ms} ms: ${output}`));
          setTimeout(look, 100);
        };
        look();
      });
    child.stdout!.on('data', record);
    child.stderr!.setEncoding('utf8').on('data', record);
    const mainPid = new Promise<number>((resolve) => {
      let info = '';
      (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: string) => {
        info += d;
        const match = /"child-pid":\s*(\d+)/.exec(info);
        if (match) resolve(Number(match[1]));
      });
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    const started: UnitProcess & { mainPid: Promise<number> } = { unit, child, output: () => output, line, exited, mainPid };
    this.units.set(name, started);
    return started;
  }

  /** systemctl stop: SIGTERM to the main process, SIGKILL after the unit's stop timeout. */
  async stop(name: string, timeoutMs?: number): Promise<void> {
    const running = this.units.get(name) as (UnitProcess & { mainPid: Promise<number> }) | undefined;
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
    try {
      process.kill(await running.mainPid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs ?? running.unit.timeoutStopSec * 1000);
    await running.exited;
    clearTimeout(timer);
  }

  /** Stops every unit still running and the request watcher. */
  async shutdown(): Promise<void> {
    clearInterval(this.poller);
    await Promise.all([...this.units.keys()].map((name) => this.stop(name, 10_000)));
  }
}
