import { Icon } from '../components/Icon.js';
import { AlarmBadge } from '../observe/AlarmBadge.js';
import { PAGES, type PageRoute } from './routes.js';

const GROUPS: PageRoute['group'][] = ['Platform', 'Observe', 'Research', 'Tools'];

export function Sidebar({ currentId }: { currentId: string | undefined }) {
  return (
    <aside className="sidebar">
      <div className="sidebar__inner">
        <div className="sidebar__brand">
          <span className="sidebar__logo" aria-hidden="true">
            B
          </span>
          <span className="sidebar__name">Benchtop</span>
        </div>
        <nav aria-label="Pages" className="sidebar__nav">
          {GROUPS.map((group) => (
            <div key={group} className="nav-group">
              <h2 className="nav-group__label" id={`nav-${group.toLowerCase()}`}>
                {group}
              </h2>
              <ul aria-labelledby={`nav-${group.toLowerCase()}`}>
                {PAGES.filter((page) => page.group === group).map((page) => {
                  const position = PAGES.indexOf(page) + 1;
                  const current = page.id === currentId;
                  return (
                    <li key={page.id}>
                      <a
                        href={`#${page.path}`}
                        className={current ? 'nav-link nav-link--current' : 'nav-link'}
                        aria-current={current ? 'page' : undefined}
                        aria-keyshortcuts={`Alt+${position} g ${page.letter}`}
                      >
                        <Icon name={page.icon} />
                        <span className="nav-link__label">{page.label}</span>
                        {page.id === 'alarms' ? <AlarmBadge /> : null}
                        <kbd className="nav-link__key" aria-hidden="true">
                          {position}
                        </kbd>
                      </a>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </nav>
      </div>
    </aside>
  );
}
