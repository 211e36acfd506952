import { z } from 'zod';

export const apiErrorCode = z.enum([
  'bad-input',
  'not-found',
  'unauthorized',
  'forbidden',
  'conflict',
  'unavailable',
  'aws',
  'internal',
]);
export type ApiErrorCode = z.infer<typeof apiErrorCode>;

export const apiIssue = z.object({ path: z.string(), message: z.string() });

/** What a failed call answers, on every transport. */
export const apiError = z.object({
  code: apiErrorCode,
  message: z.string(),
  issues: z.array(apiIssue).optional(),
  /** A sentence on what to do about it, when we know one. */
  fix: z.string().optional(),
});
export type ApiErrorShape = z.infer<typeof apiError>;

export const callResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiError }),
]);
export type CallResult = z.infer<typeof callResult>;

/** Thrown by handlers for failures the user should read as they are. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function issuesOf(error: z.ZodError): z.infer<typeof apiIssue>[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message }));
}

/** "endpoint: Invalid input; region: Required" — names the fields so the message alone is useful. */
export function describeIssues(issues: z.infer<typeof apiIssue>[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

export function httpStatusOf(code: ApiErrorCode): number {
  switch (code) {
    case 'bad-input':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'unavailable':
      return 503;
    case 'aws':
      return 502;
    case 'internal':
      return 500;
  }
}
