import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { role as roleSchema } from '../../common/protocol/common.js';
import { openDatabase, WriteQueue } from './db.js';
import { ensureRoleToken, tokenFile } from './token-files.js';
import { UsersStore } from './users-store.js';

// `benchtop-services`: what an admin runs on the services host itself (over SSM Session Manager on
// AWS, or in a terminal for the sandbox) when the API is not at hand: set up a data folder, add
// users, make tokens. It writes the same database the agent serves; SQLite's WAL lets both run.

const HELP = `benchtop-services — manage the platform database on this host

usage:
  benchtop-services init --data DIR
      create the database and the admin, worker and researcher tokens (files DIR/<role>.token, mode 0600)
  benchtop-services user add --data DIR --name NAME --role admin|researcher|worker [--token] [--json]
      add a user; with --token also print a new token for them (shown once)
  benchtop-services user list --data DIR [--json]
  benchtop-services token create --data DIR --user ID_OR_NAME [--label TEXT] [--json]
      print a new token for a user (shown once; only its sha256 is stored)

Revoke tokens through the API (DELETE /api/v1/tokens/:id) so the running agent forgets them at once.
`;

function fail(message: string): number {
  process.stderr.write(`benchtop-services: ${message}\n`);
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        user: { type: 'string' },
        label: { type: 'string' },
        token: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  const command = positionals.join(' ');
  if (values.help || !command) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (!['init', 'user add', 'user list', 'token create'].includes(command)) return fail(`unknown command "${command}"\n\n${HELP}`);
  if (!values.data) return fail('--data DIR is required (the services agent\'s data folder)');
  const dataDir = resolve(values.data);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(join(dataDir, 'benchtop.sqlite'));
  const users = new UsersStore(db);
  const print = (human: string, json: unknown) => process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
  try {
    if (command === 'init') {
      const writes = new WriteQueue(db);
      for (const r of ['admin', 'worker', 'researcher'] as const) await ensureRoleToken(dataDir, r, users, writes);
      const files = Object.fromEntries((['admin', 'worker', 'researcher'] as const).map((r) => [r, tokenFile(dataDir, r)]));
      print(`initialised ${dataDir}\n${Object.entries(files).map(([r, f]) => `  ${r} token: ${f}`).join('\n')}`, { dataDir, tokenFiles: files });
      return 0;
    }
    if (command === 'user list') {
      const all = users.listUsers(500, 0).items;
      print(all.map((u) => `${u.id}  ${u.role.padEnd(10)}  ${u.name}`).join('\n'), all);
      return 0;
    }
    if (command === 'user add') {
      if (!values.name?.trim()) return fail('--name is required');
      const role = roleSchema.safeParse(values.role);
      if (!role.success) return fail(`--role must be admin, researcher or worker, not "${values.role ?? ''}"`);
      const { user, token } = db.transaction(() => {
        const u = users.createUser(values.name!.trim(), role.data);
        return { user: u, token: values.token ? users.createToken(u.id, values.label ?? '') : undefined };
      })();
      print(token ? `${user.id}\t${user.role}\t${user.name}\ntoken (shown once): ${token.token}` : `${user.id}\t${user.role}\t${user.name}`, { user, ...(token ? { token } : {}) });
      return 0;
    }
    const key = values.user?.trim();
    if (!key) return fail('--user ID_OR_NAME is required');
    const user = users.getUser(key) ?? users.findUserByName(key);
    if (!user) return fail(`no user "${key}"; list them with "benchtop-services user list --data ${values.data}"`);
    const token = users.createToken(user.id, values.label ?? '');
    print(token.token, token);
    return 0;
  } finally {
    db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
