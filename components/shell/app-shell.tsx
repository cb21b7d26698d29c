'use client';
import { useEffect, type ReactNode } from 'react';
import { useSWRConfig } from 'swr';
import { trpc } from '../api';
import { LoginForm } from '../auth/login-form';
import { isUnauthorized } from '../errors';
import { useCluster, useMe } from '../hooks';
import { Button } from '../ui/button';
import { Nav } from './nav';
import { SessionProvider } from './session';
import { ThemeToggle } from './theme-toggle';

/** SWR keys that an engine event may change (auth.me is not one of them). */
const LIVE_KEYS = ['cluster.', 'events.', 'recovery.', 'pools.', 'watchdog.', 'config.'];

function isLiveKey(key: unknown): boolean {
  const name: unknown = Array.isArray(key) ? (key as unknown[])[0] : key;
  return typeof name === 'string' && LIVE_KEYS.some((p) => name.startsWith(p));
}

/**
 * Every view's frame: sign-in gate, header, navigation, and one live event subscription (SSE) that revalidates the
 * views' data at once when the engine reports anything (the SWR refresh intervals are the fallback).
 */
export function AppShell({ children }: { children: ReactNode }) {
  const me = useMe();
  const signedIn = !!me.data;
  const { mutate } = useSWRConfig();
  const cluster = useCluster(signedIn);

  useEffect(() => {
    if (!signedIn) return;
    // Coalesce bursts (a failover emits several events at once) into one revalidation per 250 ms. Output lines
    // of a recovery are left to the recovery view's own subscription.
    let timer: ReturnType<typeof setTimeout> | null = null;
    const sub = trpc.events.onEvent.subscribe(undefined, {
      onData: (e) => {
        if (e.data.kind === 'recovery_output' || timer) return;
        timer = setTimeout(() => {
          timer = null;
          void mutate(isLiveKey);
        }, 250);
      },
    });
    return () => {
      sub.unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [signedIn, mutate]);

  // A session that expired while the page was open: ask who we are again, which shows the sign-in form.
  const unauthorized = isUnauthorized(cluster.error);
  useEffect(() => {
    if (unauthorized) void me.mutate();
  }, [unauthorized]); // me.mutate is stable

  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-4 px-3 py-4 sm:px-6">
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-bold tracking-tight">pgwarden</h1>
        <div className="flex items-center gap-2 text-sm">
          <ThemeToggle />
          {me.data ? (
            <>
              <span data-testid="signed-in-as">
                {me.data.name} <span className="text-slate-500 dark:text-slate-400">({me.data.role})</span>
              </span>
              <Button
                onClick={() =>
                  void trpc.auth.logout.mutate().then(() => me.mutate(null, { revalidate: true }))
                }
              >
                Sign out
              </Button>
            </>
          ) : null}
        </div>
      </header>
      {me.isLoading ? null : me.data ? (
        <SessionProvider value={me.data}>
          <Nav />
          <main className="flex flex-col gap-4">{children}</main>
        </SessionProvider>
      ) : (
        <LoginForm onSignedIn={() => void me.mutate()} />
      )}
    </div>
  );
}
