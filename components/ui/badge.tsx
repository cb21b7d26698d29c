import type { ReactNode } from 'react';

export type Tone = 'green' | 'amber' | 'red' | 'gray' | 'blue' | 'orange';

const TONES: Record<Tone, string> = {
  green:
    'bg-emerald-50 text-emerald-800 ring-emerald-600/30 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/30',
  amber:
    'bg-amber-50 text-amber-800 ring-amber-600/30 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-400/30',
  red: 'bg-red-50 text-red-800 ring-red-600/30 dark:bg-red-500/10 dark:text-red-300 dark:ring-red-400/30',
  gray: 'bg-slate-50 text-slate-700 ring-slate-500/30 dark:bg-slate-500/10 dark:text-slate-300 dark:ring-slate-400/30',
  blue: 'bg-sky-50 text-sky-800 ring-sky-600/30 dark:bg-sky-500/10 dark:text-sky-300 dark:ring-sky-400/30',
  orange:
    'bg-orange-50 text-orange-800 ring-orange-600/30 dark:bg-orange-500/10 dark:text-orange-300 dark:ring-orange-400/30',
};

/** A label with a tone. The text always says the state: colour is a second cue, never the only one. */
export function Badge({
  tone,
  icon,
  children,
  title,
}: {
  tone: Tone;
  icon?: string;
  children: ReactNode;
  title?: string;
}) {
  return (
    <span
      title={title}
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}
    >
      {icon ? <span aria-hidden="true">{icon}</span> : null}
      {children}
    </span>
  );
}
