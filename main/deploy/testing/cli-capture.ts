import { vi } from 'vitest';

/** Runs a CLI command in-process, capturing what it prints. */
export async function cli(command: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await command(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** The JSON lines of a `--json` run. */
export const lines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
