import { PlatformError } from '../../../lib/protocol/client.js';
import { ApiError } from '../../../common/api/errors.js';

/**
 * Turns a platform client failure into a sentence naming the platform, with what to do. The
 * platform's own message is kept: it names the field or the state that was wrong.
 */
export function mapPlatformError(error: unknown, platform: { name: string; url: string; kind: 'local' | 'remote' }): unknown {
  if (!(error instanceof PlatformError)) return error;
  const where = `${platform.name} (${platform.url})`;
  switch (error.status) {
    case 0:
      return new ApiError(
        'unavailable',
        `Cannot reach the platform ${where}.`,
        platform.kind === 'local'
          ? 'The local sandbox is not answering; restart Benchtop to start it again.'
          : 'Check the URL and your network (VPN), or that the stack is running (Deployment page).',
      );
    case 401:
      return new ApiError('unauthorized', `The platform ${where} refused the token: ${error.message}.`, 'Ask your admin for a new token and add the platform again.');
    case 403:
      return new ApiError('forbidden', `The platform ${where} does not allow this with your token: ${error.message}.`);
    case 404:
      return new ApiError('not-found', `Not found on ${platform.name}: ${error.message}.`, 'It may have been removed; refresh the list.');
    case 409:
      return new ApiError('conflict', `Conflict on ${platform.name}: ${error.message}.`, 'Someone changed it meanwhile; reload and try again.');
    default:
      if (error.status >= 400 && error.status < 500) return new ApiError('bad-input', `The platform ${platform.name} refused the request: ${error.message}.`);
      if (error.code === 'bad-response') return new ApiError('internal', `The platform ${platform.name} answered in an unexpected shape: ${error.message}`, 'Benchtop and the platform may be different versions; upgrade the stack.');
      return new ApiError('unavailable', `The platform ${platform.name} failed (${error.status}): ${error.message}.`, 'Try again in a moment.');
  }
}
