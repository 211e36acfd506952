import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOOT_DIR, BUNDLED_BOOT_SCRIPTS, bootScriptSource, bundledBootScript, expandBootScript, USER_DATA_LIMIT_BYTES } from './boot-scripts.js';
import type { CfnObject, CfnValue } from './cfn-yaml.js';
import { walk } from '../../common/templates/intrinsics.js';
import { loadTemplate } from './load-template.js';

function userDataOf(template: CfnObject): Array<{ path: string; script: string; variables: string[] }> {
  const found: Array<{ path: string; script: string; variables: string[] }> = [];
  walk(template, 'Template', (value: CfnValue, path: string) => {
    if (!path.endsWith('.UserData')) return;
    const sub = ((value as CfnObject)['Fn::Base64'] as CfnObject)['Fn::Sub'] as [string, CfnObject];
    found.push({ path, script: sub[0], variables: Object.keys(sub[1]) });
  });
  return found;
}

/** What Fn::Sub makes of a script with every value `length` bytes long. */
function substituted(script: string, length: number): string {
  return script.replace(/\$\{[A-Za-z0-9_:.]+\}/g, 'v'.repeat(length)).replaceAll('${!', '${');
}

/** The files whose variables each user data gets: a stub hands them to the bundle's boot script. */
const FILES: Record<string, string[]> = {
  NatInstance: ['nat.sh'],
  ServicesLaunchTemplate: ['services-stub.sh', 'services.sh'],
  CpuWorkerLaunchTemplate: ['worker-stub.sh', 'worker.sh'],
  GpuWorkerLaunchTemplate: ['worker-stub.sh', 'worker.sh'],
};

describe('boot scripts embedded as user data', () => {
  const userData = userDataOf(loadTemplate('platform'));
  const byResource = userData.map((u) => [u.path.split('.')[2]!, u] as const);

  it('embeds the services, CPU worker, GPU worker and NAT scripts', () => {
    expect(userData.map((u) => u.path.split('.')[2])).toEqual(['NatInstance', 'ServicesLaunchTemplate', 'CpuWorkerLaunchTemplate', 'GpuWorkerLaunchTemplate']);
  });

  // Every value 256 bytes long is more than any name, id or URL the stack substitutes (a stack
  // name is at most 128). The boot scripts proper are in the agent bundle, with no limit.
  it.each(byResource)('%s leaves more than 6 KB of the 16 KB user data limit free, every value at 256 bytes', (_id, u) => {
    expect(Buffer.byteLength(substituted(u.script, 256))).toBeLessThan(USER_DATA_LIMIT_BYTES - 6 * 1024);
  });

  it.each(byResource)('%s is given every variable its scripts require, and no other', (id, u) => {
    const sources = FILES[id]!.map((f) => readFileSync(join(BOOT_DIR, f), 'utf8')).join('\n');
    const required = new Set([...sources.matchAll(/"\$\{([A-Z][A-Z0-9_]*):\?\}"/g)].map((m) => m[1]!));
    const optional = [...sources.matchAll(/^([A-Z][A-Z0-9_]*)=\$\{\1:-\}$/gm)].map((m) => m[1]!);
    expect(u.variables.filter((v) => !optional.includes(v)).sort()).toEqual([...required].sort());
  });

  it.each(byResource.filter(([, u]) => u.script.includes('bundled_boot_script ')))('%s runs a boot script the agent bundle carries', (id, u) => {
    const runs = [...u.script.matchAll(/\$\(bundled_boot_script ([a-z.-]+)\)$/gm)].map((m) => m[1]);
    expect(runs).toEqual([FILES[id]![1]]);
    expect(BUNDLED_BOOT_SCRIPTS).toContain(runs[0]);
  });

  it.each(['CpuWorkerGroup', 'GpuWorkerGroup'])('%s: the worker boot is given the drain hook\'s own timeout', (groupId) => {
    const resources = loadTemplate('platform').Resources as Record<string, CfnObject>;
    const group = resources[groupId]!.Properties as CfnObject;
    const spec = ((group.MixedInstancesPolicy as CfnObject).LaunchTemplate as CfnObject).LaunchTemplateSpecification as CfnObject;
    const launchTemplateId = (spec.LaunchTemplateId as CfnObject).Ref as string;
    const sub = ((((resources[launchTemplateId]!.Properties as CfnObject).LaunchTemplateData as CfnObject).UserData as CfnObject)['Fn::Base64'] as CfnObject)['Fn::Sub'] as [string, CfnObject];
    const hook = (group.LifecycleHookSpecificationList as CfnObject[]).find((h) => h.LifecycleHookName === sub[1].LIFECYCLE_HOOK);
    expect(hook?.LifecycleTransition).toBe('autoscaling:EC2_INSTANCE_TERMINATING');
    expect(String(sub[1].DRAIN_HOOK_SECONDS)).toBe(String(hook?.HeartbeatTimeout));
  });

  it('drops comment lines, but not heredoc bodies or shellcheck directives', () => {
    const text = bootScriptSource('worker.sh', []);
    expect(text).not.toMatch(/^\s*# (?!shellcheck)/m);
    expect(text).toContain('After=docker.service\n\n[Service]');
    expect(text).toContain('{"logs":{"logs_collected":');
    expect(text).toMatch(/^UNIT$/m);
  });

  it('puts the stack values first and leaves bash expansions to bash', () => {
    const text = bootScriptSource('nat.sh', ['VPC_CIDR']);
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['#!/bin/bash', "export VPC_CIDR='${VPC_CIDR}'"]);
    expect(text).toContain(': "${!VPC_CIDR:?}"');
    expect(text.slice(text.indexOf('\n', 20))).not.toMatch(/\$\{(?!!)/);
  });

  it('inlines the library files in place of their source lines', () => {
    const text = bootScriptSource('worker.sh', []);
    expect(text).toContain('install_agent_bundle() {');
    expect(text).not.toContain('source "$(dirname');
    expect(text).not.toContain('shellcheck source-path');
  });

  it('carries the boot scripts into the bundle with their libraries inlined, their comments and bash expansions as written', () => {
    const text = bundledBootScript('worker.sh');
    expect(text.startsWith('#!/bin/bash\n')).toBe(true);
    expect(text).toContain('install_agent_dependencies() {');
    expect(text).not.toContain('source "$(dirname');
    expect(text).toContain('# The worker shares the machine among runs');
    expect(text).toContain(': "${STACK_NAME:?}"');
    expect(text).not.toContain('${!');
  });

  it('refuses variable names that are not UPPER_SNAKE_CASE', () => {
    expect(() => bootScriptSource('nat.sh', ['vpcCidr'])).toThrow('UPPER_SNAKE_CASE; fix: vpcCidr');
  });

  it('explains the shape !BootScript needs', () => {
    expect(() => expandBootScript('nat.sh')).toThrow('!BootScript takes a mapping with File');
  });
});
