import type { ComponentType } from 'react';
import type { IconName } from '../components/Icon.js';
import { AlarmsPage } from '../pages/AlarmsPage.js';
import { BackupsPage } from '../pages/BackupsPage.js';
import { CapsulesPage } from '../pages/CapsulesPage.js';
import { CostPage } from '../pages/CostPage.js';
import { DeploymentPage } from '../pages/DeploymentPage.js';
import { MonitoringPage } from '../pages/MonitoringPage.js';
import { RunsPage } from '../pages/RunsPage.js';
import { SetupPage } from '../pages/SetupPage.js';
import { TerminalPage } from '../pages/TerminalPage.js';
import { UsersPage } from '../people/UsersPage.js';
import { DatasetsPage } from '../datasets/DatasetsPage.js';

export interface PageRoute {
  id: string;
  path: `/${string}`;
  label: string;
  /** The letter after `g` that opens the page; Alt+<position> opens it too. */
  letter: string;
  group: 'Platform' | 'Observe' | 'Research' | 'Tools';
  icon: IconName;
  component: ComponentType;
}

export const PAGES: readonly PageRoute[] = [
  { id: 'setup', path: '/setup', label: 'Setup', letter: 's', group: 'Platform', icon: 'setup', component: SetupPage },
  { id: 'deployment', path: '/deployment', label: 'Deployment', letter: 'd', group: 'Platform', icon: 'deployment', component: DeploymentPage },
  { id: 'users', path: '/users', label: 'Users', letter: 'u', group: 'Platform', icon: 'user', component: UsersPage },
  { id: 'monitoring', path: '/monitoring', label: 'Monitoring', letter: 'm', group: 'Observe', icon: 'monitoring', component: MonitoringPage },
  { id: 'alarms', path: '/alarms', label: 'Alarms', letter: 'a', group: 'Observe', icon: 'alarms', component: AlarmsPage },
  { id: 'cost', path: '/cost', label: 'Cost', letter: 'o', group: 'Observe', icon: 'cost', component: CostPage },
  { id: 'backups', path: '/backups', label: 'Backups', letter: 'b', group: 'Observe', icon: 'backups', component: BackupsPage },
  { id: 'capsules', path: '/capsules', label: 'Capsules', letter: 'c', group: 'Research', icon: 'capsules', component: CapsulesPage },
  { id: 'runs', path: '/runs', label: 'Runs', letter: 'r', group: 'Research', icon: 'runs', component: RunsPage },
  { id: 'datasets', path: '/datasets', label: 'Datasets', letter: 'f', group: 'Research', icon: 'datasets', component: DatasetsPage },
  { id: 'terminal', path: '/terminal', label: 'Terminal', letter: 't', group: 'Tools', icon: 'terminal', component: TerminalPage },
];

export const DEFAULT_PATH = '/setup';

/** A page owns its path and everything below it (`/runs/42` is the Runs page), so pages can add detail views. */
export function pageFor(path: string): PageRoute | undefined {
  return PAGES.find((page) => path === page.path || path.startsWith(`${page.path}/`));
}
