import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GitStream } from './git.js';

/** The first chunk `stream` yields, or null when it ends without one. */
function firstChunk(stream: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const settle = (fn: () => void) => {
      stream.off('readable', onReadable).off('end', onEnd).off('error', onError);
      fn();
    };
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (chunk !== null) settle(() => resolve(chunk));
    };
    const onEnd = () => settle(() => resolve(null));
    const onError = (error: Error) => settle(() => reject(error));
    stream.on('readable', onReadable).on('end', onEnd).on('error', onError);
  });
}

/**
 * Turns a git stream into a response body. It waits for git's first bytes, so a git that fails
 * before writing anything (an archive of a path git refuses) rejects here with its GitError while
 * the route can still answer a clean error. After that the body ends only when git exited 0: a
 * failure mid-stream errors the body, which cuts the response off instead of ending it as if
 * complete. When the body is destroyed (the client hung up) git is killed, not left blocked on a
 * full pipe. `onFailure` hears anything that went wrong after the first bytes.
 */
export async function gitDownload(git: GitStream, onFailure: (error: Error) => void): Promise<Readable> {
  let first: Buffer | null;
  try {
    first = await firstChunk(git.stdout);
  } catch (error) {
    git.kill();
    throw error;
  }
  if (first === null) {
    await git.done;
    return new PassThrough().end();
  }
  const head = first;
  const body = new PassThrough();
  pipeline(
    git.stdout,
    async function* (rest: AsyncIterable<Buffer>) {
      yield head;
      yield* rest;
      await git.done;
    },
    body,
  ).catch((error: Error) => {
    git.kill();
    onFailure(error);
  });
  return body;
}
