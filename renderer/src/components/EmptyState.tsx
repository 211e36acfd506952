import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon.js';

export interface EmptyStateProps {
  icon?: IconName;
  title: string;
  /** What will be here once there is something to show. */
  children?: ReactNode;
  /** What the user needs to do or have first, one short line each. */
  needs?: ReactNode[];
  actions?: ReactNode;
}

export function EmptyState({ icon, title, children, needs, actions }: EmptyStateProps) {
  return (
    <section className="empty-state" aria-label={title}>
      {icon ? (
        <div className="empty-state__icon">
          <Icon name={icon} size={28} />
        </div>
      ) : null}
      <h2 className="empty-state__title">{title}</h2>
      {children ? <div className="empty-state__body">{children}</div> : null}
      {needs && needs.length > 0 ? (
        <div className="empty-state__needs">
          <h3>What is needed</h3>
          <ul>
            {needs.map((need, i) => (
              <li key={i}>{need}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {actions ? <div className="empty-state__actions">{actions}</div> : null}
    </section>
  );
}
