import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTemplate } from '../src/platform.js';

// A second opinion from AWS's own linter (cfn-lint, Python), when the machine has it: it knows
// rules our checks do not (value patterns, intrinsic function shapes, deprecations). W1030 is
// left out: it resolves the empty defaults of the Existing* parameters inside Fn::If branches
// that are never taken with those defaults.

const hasCfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'benchtop-cfn-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasCfnLint)('cfn-lint', () => {
  it('finds nothing wrong in the rendered templates', () => {
    const files = (['bootstrap', 'platform'] as const).map((name) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, renderTemplate(name, 'yaml'));
      return file;
    });
    const result = spawnSync('cfn-lint', ['--ignore-checks', 'W1030', '--', ...files], { encoding: 'utf8', timeout: 110_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);
});
