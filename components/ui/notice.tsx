import type { ReactNode } from 'react';

/** An inline message with a role, so assistive technology announces errors. */
export function Notice({ kind, children }: { kind: 'error' | 'info'; children: ReactNode }) {
  const cls =
    kind === 'error'
      ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200'
      : 'border-slate-300 bg-slate-50 text-slate-800 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200';
  return (
    <div
      role={kind === 'error' ? 'alert' : 'status'}
      className={`rounded-md border px-3 py-2 text-sm ${cls}`}
    >
      {kind === 'error' ? <strong className="mr-1">Error:</strong> : null}
      {children}
    </div>
  );
}
