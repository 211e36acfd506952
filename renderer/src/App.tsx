import type { QueryClient } from '@tanstack/react-query';
import type { ApiClient } from './api/client.js';
import { ApiProvider } from './api/ApiProvider.js';
import { ToastProvider } from './components/Toast.js';
import { AppShell } from './shell/AppShell.js';

export function App({ client, queryClient }: { client: ApiClient; queryClient?: QueryClient }) {
  return (
    <ApiProvider client={client} {...(queryClient ? { queryClient } : {})}>
      <ToastProvider>
        <AppShell />
      </ToastProvider>
    </ApiProvider>
  );
}
