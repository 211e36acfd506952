import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Icon } from './Icon.js';

export interface ToastMessage {
  tone: 'info' | 'success' | 'danger';
  message: string;
}

interface ToastApi {
  show(toast: ToastMessage): void;
}

const ToastContext = createContext<ToastApi | undefined>(undefined);
const VISIBLE_MS = 6000;
const MAX_VISIBLE = 4;

/** Short notices in a live region; failures stay until dismissed so they cannot be missed. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<(ToastMessage & { id: number })[]>([]);
  const nextId = useRef(0);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const api = useMemo<ToastApi>(
    () => ({
      show: (toast) => {
        nextId.current += 1;
        const id = nextId.current;
        setToasts((all) => [...all, { ...toast, id }].slice(-MAX_VISIBLE));
      },
    }),
    [],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
        {toasts.map((toast) => (
          <ToastItem key={toast.id} toast={toast} onDismiss={() => dismiss(toast.id)} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: ToastMessage; onDismiss: () => void }) {
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  useEffect(() => {
    if (toast.tone === 'danger') return undefined;
    const timer = setTimeout(() => dismiss.current(), VISIBLE_MS);
    return () => clearTimeout(timer);
  }, [toast.tone]);
  return (
    <div className={`toast toast--${toast.tone}`}>
      <Icon name={toast.tone === 'danger' ? 'alert' : 'check'} size={16} />
      <span className="toast__message">{toast.message}</span>
      <button type="button" className="toast__close" onClick={onDismiss} aria-label="Dismiss notification">
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}

export function useToast(): ToastApi {
  const toast = useContext(ToastContext);
  if (!toast) throw new Error('useToast must be used inside <ToastProvider>');
  return toast;
}
