import { useCallback } from 'react';
import { getAppInfo } from '../../../common/api/app.contract.js';
import { useCall } from '../api/hooks.js';
import { useToast } from '../components/Toast.js';

export interface Notice {
  title: string;
  body: string;
  tone: 'success' | 'danger' | 'info';
}

/**
 * Tells the user something happened while they may be elsewhere: a native notification in the
 * desktop app (the web Notification API, which Electron shows as an OS notification) when it is
 * allowed, and a toast in the window otherwise — always the toast in browser mode.
 */
export function useNotify(): (notice: Notice) => void {
  const toast = useToast();
  const info = useCall(getAppInfo, undefined, { staleTime: Infinity });
  const desktop = info.data?.shell === 'desktop';
  return useCallback(
    (notice: Notice) => {
      if (desktop && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        new Notification(notice.title, { body: notice.body });
        return;
      }
      toast.show({ tone: notice.tone, message: `${notice.title}: ${notice.body}` });
    },
    [desktop, toast],
  );
}
