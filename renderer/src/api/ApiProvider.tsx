import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { ApiCallError, type ApiClient } from './client.js';

const ApiContext = createContext<ApiClient | undefined>(undefined);

/** Only a lost host is worth retrying by itself; a bad input or a denied call will fail the same way again. */
function shouldRetry(failures: number, error: unknown): boolean {
  return error instanceof ApiCallError && error.code === 'unavailable' && failures < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: false, staleTime: 30_000 },
      mutations: { retry: false },
    },
  });
}

export function ApiProvider({ client, queryClient, children }: { client: ApiClient; queryClient?: QueryClient; children: ReactNode }) {
  const [queries] = useState(() => queryClient ?? createQueryClient());
  return (
    <ApiContext.Provider value={client}>
      <QueryClientProvider client={queries}>{children}</QueryClientProvider>
    </ApiContext.Provider>
  );
}

export function useApiClient(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApiClient must be used inside <ApiProvider>');
  return client;
}
