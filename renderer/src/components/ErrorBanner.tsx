import type { ApiErrorShape } from '../../../common/api/errors.js';
import { ApiCallError } from '../api/client.js';
import { Button } from './Button.js';
import { Icon } from './Icon.js';

export interface ErrorBannerProps {
  /** What was being attempted, e.g. "Could not read your AWS profiles". */
  title: string;
  error: ApiCallError | ApiErrorShape | Error;
  onRetry?: () => void;
  retrying?: boolean;
}

/** Shows an error as the router phrased it: what went wrong, which fields, and the fix when known. */
export function ErrorBanner({ title, error, onRetry, retrying = false }: ErrorBannerProps) {
  const shape = toShape(error);
  return (
    <div className="error-banner" role="alert">
      <Icon name="alert" className="error-banner__icon" size={20} />
      <div className="error-banner__content">
        <p className="error-banner__title">{title}</p>
        <p className="error-banner__message">{shape.message}</p>
        {shape.issues && shape.issues.length > 0 ? (
          <ul className="error-banner__issues">
            {shape.issues.map((issue, index) => (
              <li key={`${index}:${issue.path}`}>
                <code>{issue.path}</code> {issue.message}
              </li>
            ))}
          </ul>
        ) : null}
        {shape.fix ? (
          <p className="error-banner__fix">
            <strong>What to do:</strong> {shape.fix}
          </p>
        ) : null}
      </div>
      {onRetry ? (
        <Button size="sm" icon="refresh" onClick={onRetry} busy={retrying}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

function toShape(error: ErrorBannerProps['error']): ApiErrorShape {
  if (error instanceof ApiCallError) return error.shape;
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return error;
}
