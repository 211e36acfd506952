import { useEffect, useRef, useState } from 'react';
import { getAppInfo } from '../../../common/api/app.contract.js';
import { useCall } from '../api/hooks.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { PAGE_HEADING_ID, PageHeader } from '../components/PageHeader.js';
import { useToast } from '../components/Toast.js';
import { useActiveProfile } from '../data/use-active-profile.js';
import { usePreferences, useSavePreferences } from '../data/use-preferences.js';
import { useAppliedTheme } from '../theme/theme.js';
import { useThemeChoice } from '../theme/use-theme-choice.js';
import { Header } from './Header.js';
import { currentPath, navigate, useHashPath } from './hash-location.js';
import { DEFAULT_PATH, PAGES, pageFor } from './routes.js';
import { ShortcutHelp } from './ShortcutHelp.js';
import { Sidebar } from './Sidebar.js';
import { useShortcuts } from './use-shortcuts.js';

const MAIN_ID = 'main';

export function AppShell() {
  const toast = useToast();
  const preferences = usePreferences();
  const savePreferences = useSavePreferences((error) => toast.show({ tone: 'danger', message: `Could not save your preferences: ${error.message}` }));
  const info = useCall(getAppInfo, undefined, { staleTime: Infinity });
  const active = useActiveProfile();
  const path = useHashPath();
  const page = pageFor(path);
  const [helpOpen, setHelpOpen] = useState(false);
  const [theme, chooseTheme] = useThemeChoice(preferences.data?.theme ?? 'system', (choice) => savePreferences({ theme: choice }));
  useAppliedTheme(theme);

  // With no page in the address, reopen the page of the last session once preferences are known.
  // The address is read again here: a page chosen between the render and this effect (a link, the
  // address bar, a script) would otherwise be replaced by the last session's.
  const preferencesSettled = preferences.isSuccess || preferences.isError;
  const lastPage = preferences.data?.lastPage;
  useEffect(() => {
    if (path !== '' || currentPath() !== '' || !preferencesSettled) return;
    navigate(lastPage && pageFor(lastPage) ? lastPage : DEFAULT_PATH, { replace: true });
  }, [path, preferencesSettled, lastPage]);

  useEffect(() => {
    if (page && preferences.isSuccess && preferences.data.lastPage !== path) savePreferences({ lastPage: path });
    // Only a change of page is worth saving; the preferences object changes when it is saved.
  }, [path]);

  // The window title names the page, so the task switcher and screen readers tell pages apart.
  useEffect(() => {
    document.title = page ? `${page.label} — Benchtop` : 'Benchtop';
  }, [page]);

  // After a navigation (not the first render) focus the new page's heading, so keyboard and
  // screen-reader users land on it instead of staying in the sidebar.
  const previousPath = useRef<string | null>(null);
  useEffect(() => {
    const previous = previousPath.current;
    previousPath.current = path;
    if (previous === null || previous === '' || previous === path) return;
    document.getElementById(PAGE_HEADING_ID)?.focus();
  }, [path]);

  useShortcuts({ pages: PAGES, onNavigate: (to) => navigate(to), onHelp: () => setHelpOpen(true), enabled: !helpOpen });

  const Page = page?.component;
  return (
    <div className="app">
      <a
        className="skip-link"
        href={`#${MAIN_ID}`}
        onClick={(event) => {
          // The hash holds the route, so the link must not change it; move focus instead.
          event.preventDefault();
          document.getElementById(MAIN_ID)?.focus();
        }}
      >
        Skip to content
      </a>
      <Sidebar currentId={page?.id} />
      <div className="app__column">
        <Header active={active} theme={theme} onThemeChange={chooseTheme} onHelp={() => setHelpOpen(true)} />
        <main id={MAIN_ID} className="main" tabIndex={-1} aria-labelledby={Page ? PAGE_HEADING_ID : undefined}>
          <div className="main__inner">
            {info.isError ? (
              <ErrorBanner
                title={info.error.code === 'unauthorized' ? 'This tab is not signed in to Benchtop' : "Cannot reach Benchtop's main process"}
                error={info.error}
                onRetry={() => void info.refetch()}
                retrying={info.isFetching}
              />
            ) : null}
            {Page ? <Page /> : path === '' ? <Loading label="Opening Benchtop…" /> : <NotFound path={path} />}
          </div>
        </main>
      </div>
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState
        icon="alert"
        title={`There is no page at ${path}`}
        actions={
          <a className="button button--primary button--md" href={`#${DEFAULT_PATH}`}>
            Go to Setup
          </a>
        }
      >
        <p>Choose a page in the sidebar, or press ? for the keyboard shortcuts.</p>
      </EmptyState>
    </>
  );
}
