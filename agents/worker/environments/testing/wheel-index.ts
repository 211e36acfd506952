import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';

// Writes a pure-Python wheel by hand (zipfile, no setuptools, no network): a package whose module
// says which version it is, so a run can prove which one it imported.
const WHEEL_SCRIPT = `
import base64, hashlib, sys, zipfile
name, version, out = sys.argv[1], sys.argv[2], sys.argv[3]
module = name.replace('-', '_')
dist = f"{module}-{version}.dist-info"
files = {
    f"{module}/__init__.py": f'VERSION = "{version}"\\n',
    f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
    f"{dist}/WHEEL": "Wheel-Version: 1.0\\nGenerator: benchtop-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
record = "".join(f"{path},{digest(text.encode())},{len(text.encode())}\\n" for path, text in files.items()) + f"{dist}/RECORD,,\\n"
path = f"{out}/{module}-{version}-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as wheel:
    for name_, text in files.items():
        wheel.writestr(name_, text)
    wheel.writestr(f"{dist}/RECORD", record)
print(path)
`;

/** Builds `<folder>/<module>-<version>-py3-none-any.whl` for `name` at `version`; answers its path. */
export function buildWheel(folder: string, name: string, version: string): string {
  return execFileSync('python3', ['-c', WHEEL_SCRIPT, name, version, folder], { encoding: 'utf8' }).trim();
}

export interface WheelIndex {
  /** The PEP 503 simple index, e.g. http://127.0.0.1:PORT/simple/ */
  url: string;
  /** Offers one more wheel from now on (as a new release would). */
  offer(wheel: string): void;
  close(): Promise<void>;
}

const normalized = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

/** A package index on 127.0.0.1 serving the wheels offered, as pip reads one (PEP 503 pages, then the files). */
export async function startWheelIndex(wheels: readonly string[] = []): Promise<WheelIndex> {
  const offered = new Map<string, string>(wheels.map((w) => [basename(w), w]));
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const project = /^\/simple\/([^/]+)\/?$/.exec(path);
    if (project) {
      const links = [...offered.keys()].filter((file) => normalized(file.split('-')[0]!) === normalized(project[1]!));
      if (links.length === 0) return void response.writeHead(404).end('not found');
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><body>${links.map((f) => `<a href="/files/${f}">${f}</a>`).join('\n')}</body></html>`);
      return;
    }
    const file = /^\/files\/([^/]+)$/.exec(path);
    const wheel = file ? offered.get(file[1]!) : undefined;
    if (!wheel) return void response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(wheel));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    offer: (wheel) => void offered.set(basename(wheel), wheel),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Whether this machine's python3 can make virtual environments with pip in them: venv, and a pip of its own or ensurepip. */
export function canMakeVenvs(): boolean {
  try {
    execFileSync('python3', ['-c', 'import venv, importlib.util as u; assert u.find_spec("pip") or u.find_spec("ensurepip")'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}
