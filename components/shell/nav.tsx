'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

export const VIEWS = [
  { href: '/', label: 'Overview' },
  { href: '/nodes', label: 'Nodes' },
  { href: '/recovery', label: 'Recovery' },
  { href: '/events', label: 'Events' },
  { href: '/pools', label: 'Sessions & pools' },
  { href: '/config', label: 'Configuration' },
] as const;

/** Client-side navigation between the views (next/link: no full page reloads, the SWR cache survives). */
export function Nav() {
  const path = usePathname();
  return (
    <nav aria-label="Views" className="-mx-3 overflow-x-auto px-3 sm:mx-0 sm:px-0">
      <ul className="flex gap-1 border-b border-slate-200 text-sm dark:border-slate-800">
        {VIEWS.map((v) => {
          const active = v.href === '/' ? path === '/' : path.startsWith(v.href);
          return (
            <li key={v.href}>
              <Link
                href={v.href}
                aria-current={active ? 'page' : undefined}
                className={`-mb-px block whitespace-nowrap border-b-2 px-3 py-2 font-medium ${
                  active
                    ? 'border-sky-600 text-sky-800 dark:border-sky-400 dark:text-sky-300'
                    : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'
                }`}
              >
                {v.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
