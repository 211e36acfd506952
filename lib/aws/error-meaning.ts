// Recognising what an AWS (or emulator) error means, so callers branch on meaning, not on text.
// The one home of AWS error shapes; map-aws-error.ts turns the same errors into sentences.

/** The fields the AWS SDK v3, its credential providers and Node's network errors put on an error. */
export interface AwsLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  hostname?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: { throttling?: boolean };
}

export function asAws(error: unknown): AwsLikeError {
  return typeof error === 'object' && error !== null ? (error as AwsLikeError) : { message: String(error) };
}

export function errorText(error: unknown): string {
  const e = asAws(error);
  return e.message || e.name || String(error);
}

export function errorName(error: unknown): string {
  const e = asAws(error);
  return e.name ?? e.Code ?? '';
}

const UNANSWERABLE_NAMES = new Set([
  'NotImplemented',
  'NotImplementedException',
  'NotImplementedError',
  'UnknownOperationException',
  'InvalidAction',
  'UnsupportedOperation',
  'UnsupportedOperationException',
  'UnrecognizedClientException',
]);

/**
 * A call the endpoint cannot answer: a local emulator without that API, or a service the endpoint
 * does not speak. Preflight turns these into warnings rather than blocking the install.
 */
export function isUnanswerable(error: unknown): boolean {
  const e = asAws(error);
  if (UNANSWERABLE_NAMES.has(errorName(error))) return true;
  if (e.$metadata?.httpStatusCode === 501) return true;
  return /not (yet )?implemented|not supported|unknown operation|no such api/i.test(e.message ?? '');
}

/** Missing, expired or unusable credentials: nothing else will work until the admin signs in. */
export function isCredentialsError(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === 'CredentialsProviderError' ||
    name === 'ExpiredToken' ||
    name === 'ExpiredTokenException' ||
    name === 'InvalidClientTokenId' ||
    name === 'SignatureDoesNotMatch' ||
    /could not load credentials|token .*expired|sso session/i.test(errorText(error))
  );
}

/** DescribeStacks of a stack that does not exist answers a ValidationError with this text. */
export function isStackMissing(error: unknown): boolean {
  return /does not exist/i.test(errorText(error)) && /stack/i.test(errorText(error));
}

/**
 * "No changes" comes in two forms: AWS makes a FAILED change set whose reason says it "didn't
 * contain changes"; some emulators refuse CreateChangeSet with "No updates are to be performed."
 */
export function meansNoChanges(text: string | undefined): boolean {
  return /didn't contain changes|did not contain changes|no updates are to be performed/i.test(text ?? '');
}
