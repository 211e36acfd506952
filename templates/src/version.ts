/**
 * The version of the CloudFormation stack and of the agent bundle it installs. They move together:
 * an upgrade is the new app's templates plus the bundle of the same version
 * (DESIGN.md, "Deploy engine").
 */
export const STACK_VERSION = '0.1.0';
export const AGENT_BUNDLE_VERSION = STACK_VERSION;

/** Where the bundle lives in the artifacts bucket; the boot scripts build the same key. */
export function agentBundleKey(version: string, arch: 'x86_64' | 'aarch64'): string {
  return `agents/${version}/benchtop-agent-linux-${arch}.tar.gz`;
}
