import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/** Failures of commands that belong to no form field: shown in one bar at the bottom. */
interface Notices {
  notice: string | undefined;
  report(error: unknown): void;
  dismiss(): void;
}

const NoticeContext = createContext<Notices | undefined>(undefined);

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<string | undefined>();
  const report = useCallback((error: unknown) => {
    setNotice(error instanceof Error ? error.message : String(error));
  }, []);
  const dismiss = useCallback(() => setNotice(undefined), []);
  const value = useMemo(() => ({ notice, report, dismiss }), [notice, report, dismiss]);
  return <NoticeContext.Provider value={value}>{children}</NoticeContext.Provider>;
}

export function useNotices(): Notices {
  const notices = useContext(NoticeContext);
  if (!notices) {
    throw new Error('useNotices() was called outside <NoticeProvider>: wrap the app in one.');
  }
  return notices;
}
