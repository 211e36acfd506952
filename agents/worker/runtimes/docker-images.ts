import type { EnvironmentSpec } from '../../../common/protocol/capsules.js';
import { canonicalEnvironment, environmentHash, renderDockerfile } from '../environment-hash.js';
import { runCommand } from './run-command.js';
import type { PreparedEnvironment, PrepareOptions } from './runtime.js';
import type { ResolvedEnvironment } from '../../../common/protocol/runs.js';

export interface ImageBuilderOptions {
  docker: string;
  /** ECR repository URI (e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/benchtop-envs); absent off AWS. */
  registry?: string;
}

export const LOCAL_IMAGE = 'benchtop-env';

/** ECR's answer to a push of a tag that exists in an IMMUTABLE repository: "tag invalid: The image tag '…' already exists … immutable." */
function isImmutableTagTaken(stderr: string): boolean {
  return /tag invalid/i.test(stderr) && /already exists/i.test(stderr) && /immutable/i.test(stderr);
}

/**
 * Builds each environment once per content hash and reuses it. With a registry, an image another
 * worker already pushed is pulled instead of rebuilt, and the run is pinned to the pushed digest
 * so a re-run gets the identical bytes even if the tag were ever overwritten.
 * Docker must be able to authenticate to the registry: on a worker the boot installs the ECR
 * credential helper and names it in the benchtop user's ~/.docker/config.json (`credHelpers`
 * for the registry host, templates/boot/lib/registry-login.sh), so each pull and push gets a
 * token for the instance role and there is no `docker login` to expire.
 */
export function createImageBuilder(options: ImageBuilderOptions) {
  const pending = new Map<string, Promise<PreparedEnvironment>>();
  const docker = (args: string[], log?: (line: string) => void, input?: string) => runCommand(options.docker, args, { onLine: log, input });

  async function digestOf(reference: string, repository: string): Promise<string> {
    const inspect = await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', reference]);
    if (inspect.code !== 0) throw new Error(`docker image inspect ${reference} failed: ${inspect.stderr.trim()}`);
    const digests = JSON.parse(inspect.stdout) as string[];
    const pinned = digests.find((d) => d.startsWith(`${repository}@sha256:`));
    if (!pinned) throw new Error(`image ${reference} has no digest in ${repository} after push`);
    return pinned.slice(repository.length + 1);
  }

  async function build(spec: EnvironmentSpec, hash: string, tags: string[], log: (line: string) => void): Promise<void> {
    log(`building environment ${hash} from ${spec.baseImage}`);
    const args = ['build', '--pull', ...tags.flatMap((t) => ['-t', t]), '-'];
    const built = await docker(args, log, renderDockerfile(spec));
    if (built.code !== 0) throw new Error(`building the environment image failed (docker build exited ${built.code}); see the log above`);
  }

  async function imageId(reference: string): Promise<string | null> {
    const inspect = await docker(['image', 'inspect', '--format', '{{.Id}}', reference]);
    return inspect.code === 0 ? inspect.stdout.trim() : null;
  }

  const resolved = (hash: string, image: string): ResolvedEnvironment => ({
    fidelity: 'container',
    image,
    packages: [],
    skipped: [],
    summary: `container: image ${image}, built from the capsule's environment ${hash.slice(0, 12)} (base image, apt, conda and pip packages)`,
  });

  /** A rerun on this machine: the original's image when it is still here, else the spec built again (said in the log). */
  async function original(spec: EnvironmentSpec, hash: string, prep: PrepareOptions, log: (line: string) => void): Promise<PreparedEnvironment | null> {
    const canonical = canonicalEnvironment(spec);
    if (options.registry && prep.imageDigest) {
      const pinned = `${options.registry}@${prep.imageDigest}`;
      if ((await imageId(pinned)) === null) {
        const pulled = await docker(['pull', '--quiet', pinned]);
        if (pulled.code !== 0) throw new Error(`pulling the original run's image ${pinned} failed: ${pulled.stderr.trim()}`);
      }
      log(`running the original run's image ${pinned}`);
      return { spec: canonical, hash, image: pinned, digest: prep.imageDigest, resolved: resolved(hash, pinned) };
    }
    const id = prep.lock?.fidelity === 'container' ? prep.lock.image : undefined;
    if (!options.registry && id?.startsWith('sha256:')) {
      // The environment's tag still names that image, or the engine still has it by its id.
      const local = `${LOCAL_IMAGE}:${hash}`;
      const reference = (await imageId(local)) === id ? local : (await imageId(id)) !== null ? id : null;
      if (reference) {
        log(`running the original run's image ${id}`);
        return { spec: canonical, hash, image: reference, resolved: resolved(hash, id) };
      }
      log(`the original run's image ${id} is no longer on this machine; building the environment again from its spec`);
    }
    return null;
  }

  async function prepare(spec: EnvironmentSpec, log: (line: string) => void, prep: PrepareOptions): Promise<PreparedEnvironment> {
    const hash = environmentHash(spec);
    const again = await original(spec, hash, prep, log);
    if (again) return again;
    const local = `${LOCAL_IMAGE}:${hash}`;
    const canonical = canonicalEnvironment(spec);
    if (!options.registry) {
      if ((await imageId(local)) === null) await build(spec, hash, [local], log);
      else log(`reusing environment image ${local}`);
      const id = await imageId(local);
      if (id === null) throw new Error(`the environment image ${local} is missing right after it was built`);
      return { spec: canonical, hash, image: local, resolved: resolved(hash, id) };
    }
    const remote = `${options.registry}:${hash}`;
    const pulled = await docker(['pull', '--quiet', remote]);
    if (pulled.code === 0) {
      log(`reusing environment image ${remote}`);
    } else {
      await build(spec, hash, [local, remote], log);
      const pushed = await docker(['push', remote], log);
      if (pushed.code !== 0 && isImmutableTagTaken(pushed.stderr)) {
        // Another worker built the same environment and pushed first. The tag is the content hash,
        // so its image is equivalent: run with exactly the bytes every other run of it gets.
        log(`another worker pushed ${remote} first (the tag is immutable); running with its image`);
        const winner = await docker(['pull', '--quiet', remote]);
        if (winner.code !== 0) throw new Error(`pulling ${remote} after losing the race to push it failed: ${winner.stderr.trim()}`);
      } else if (pushed.code !== 0) {
        throw new Error(`pushing ${remote} failed: ${pushed.stderr.trim()}`);
      }
    }
    const digest = await digestOf(remote, options.registry);
    const image = `${options.registry}@${digest}`;
    return { spec: canonical, hash, image, digest, resolved: resolved(hash, image) };
  }

  return {
    prepare(spec: EnvironmentSpec, log: (line: string) => void, prep: PrepareOptions = {}): Promise<PreparedEnvironment> {
      if (prep.imageDigest || prep.lock?.fidelity === 'container') return prepare(spec, log, prep);
      const hash = environmentHash(spec);
      let entry = pending.get(hash);
      if (!entry) {
        entry = prepare(spec, log, prep);
        pending.set(hash, entry);
        // A failed build is retried by the next run rather than remembered.
        entry.catch(() => pending.delete(hash));
      }
      return entry;
    },
  };
}
