import type { ButtonHTMLAttributes } from 'react';

type Variant = 'primary' | 'secondary' | 'danger' | 'dangerOutline';

const VARIANTS: Record<Variant, string> = {
  primary:
    'bg-sky-700 text-white hover:bg-sky-600 focus-visible:outline-sky-700 dark:bg-sky-600 dark:hover:bg-sky-500',
  secondary:
    'bg-white text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:hover:bg-slate-700',
  dangerOutline:
    'bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 dark:bg-slate-900 dark:text-red-300 dark:ring-red-800 dark:hover:bg-red-950',
  danger:
    'bg-red-700 text-white hover:bg-red-600 focus-visible:outline-red-700 dark:bg-red-600 dark:hover:bg-red-500',
};

export function Button({
  variant = 'secondary',
  className = '',
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return (
    <button
      type="button"
      {...props}
      className={`inline-flex items-center justify-center rounded-md px-2.5 py-1.5 text-sm font-medium shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-50 ${VARIANTS[variant]} ${className}`}
    />
  );
}
