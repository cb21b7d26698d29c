'use client';
import { useEffect, useState } from 'react';
import { THEME_KEY } from './theme';

export type Theme = 'system' | 'light' | 'dark';

const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<Theme, string> = { system: '◐ system', light: '☀ light', dark: '☾ dark' };

/** Cycles the colour scheme: the system's, light, dark. The choice is kept in this browser. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const t = document.documentElement.dataset.theme;
    if (t === 'light' || t === 'dark') setTheme(t);
  }, []);
  const choose = (t: Theme) => {
    setTheme(t);
    if (t === 'system') {
      delete document.documentElement.dataset.theme;
      localStorage.removeItem(THEME_KEY);
    } else {
      document.documentElement.dataset.theme = t;
      localStorage.setItem(THEME_KEY, t);
    }
  };
  return (
    <button
      type="button"
      onClick={() => choose(NEXT[theme])}
      aria-label={`Colour scheme: ${theme}. Switch to ${NEXT[theme]}`}
      title="Colour scheme"
      className="rounded-md px-2 py-1.5 text-xs font-medium text-slate-600 ring-1 ring-slate-300 ring-inset hover:bg-slate-50 dark:text-slate-300 dark:ring-slate-600 dark:hover:bg-slate-800"
    >
      {LABEL[theme]}
    </button>
  );
}
