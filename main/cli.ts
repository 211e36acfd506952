import { readFileSync } from 'node:fs';

// Each command lives next to the modules it drives and is loaded only when asked for, so
// `benchtop --help` stays instant and one command's dependencies never slow another.
export interface CliCommand {
  run(argv: string[]): Promise<number>;
}

type Loader = () => Promise<CliCommand>;

const commands: Record<string, { summary: string; load: Loader }> = {
  start: { summary: 'open Benchtop in the browser (loopback host + local sandbox)', load: () => import('./host/start-command.js') },
  sandbox: { summary: 'run the platform on this machine: services agent + workers', load: () => import('./platform/sandbox-command.js') },
  preflight: { summary: 'check an AWS account and parameters before installing', load: () => import('./deploy/cli/preflight-command.js') },
  plan: { summary: 'show what an install or upgrade would change', load: () => import('./deploy/cli/plan-command.js') },
  deploy: { summary: 'install or upgrade the stack', load: () => import('./deploy/cli/deploy-command.js') },
  status: { summary: "show a stack's status and version", load: () => import('./deploy/cli/status-command.js') },
  events: { summary: "show a stack's events", load: () => import('./deploy/cli/events-command.js') },
  outputs: { summary: "show a stack's outputs", load: () => import('./deploy/cli/outputs-command.js') },
  delete: { summary: 'remove the stack (keeps data unless told otherwise)', load: () => import('./deploy/cli/delete-command.js') },
  agents: { summary: 'build the agent bundle instances install (agents bundle --out FILE)', load: () => import('./deploy/cli/agents-command.js') },
  template: { summary: 'render the platform template with parameters checked', load: () => import('../templates/cli/template-command.js') },
  cost: { summary: 'monthly cost of the stack, idle and per worker-hour', load: () => import('../templates/cli/cost-command.js') },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `benchtop ${version()} — your lab's research cloud, from the desktop`,
    '',
    'usage: benchtop <command> [options]     (benchtop <command> --help for its options)',
    '',
    'commands:',
    ...lines,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`benchtop: unknown command "${name}". Run "benchtop --help" for the list.\n`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}
