/**
 * The version of the CloudFormation stack and of the agent bundle it installs. They move together:
 * an upgrade is the new app's templates plus the bundle of the same version
 * (DESIGN.md, "Deploy engine").
 */
export const STACK_VERSION = '0.1.0';
export const AGENT_BUNDLE_VERSION = STACK_VERSION;

/**
 * Where the bundle lives in the artifacts bucket, named by its content (hex sha256): one bundle
 * for every CPU, since only better-sqlite3 is native and the instance builds that itself. The boot
 * stubs (templates/boot/lib/bundle.sh, install_agent_bundle) build the same key from AgentBundleVersion and AgentBundleSha256.
 */
export function agentBundleKey(version: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`an agent bundle key needs a hex sha256, not "${sha256}"`);
  return `agents/${version}/benchtop-agent-${sha256}.tar.gz`;
}
