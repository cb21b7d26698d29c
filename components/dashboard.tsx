'use client';
import { TRPCClientError } from '@trpc/client';
import { useEffect, useState } from 'react';
import { trpc } from './api';
import { LoginForm } from './auth/login-form';
import { RecentEvents } from './events/recent-events';
import { useCluster, useMe, useRecentEvents } from './hooks';
import { ClusterSummary } from './nodes/cluster-summary';
import { NodeTable } from './nodes/node-table';
import { Button } from './ui/button';
import { Card } from './ui/card';
import { Notice } from './ui/notice';

/** The one screen: which node is primary, which are down and why, and what is being done about it. */
export function Dashboard() {
  const me = useMe();
  const signedIn = !!me.data;
  const cluster = useCluster(signedIn);
  const events = useRecentEvents(signedIn);
  const [actionError, setActionError] = useState<string | null>(null);
  const now = useNow();

  // Live: any engine event refreshes the views at once (the 1 s polling is the fallback).
  useEffect(() => {
    if (!signedIn) return;
    const sub = trpc.events.onEvent.subscribe(undefined, {
      onData: () => {
        void cluster.mutate();
        void events.mutate();
      },
    });
    return () => sub.unsubscribe();
  }, [signedIn]); // SWR's mutate functions are stable: depending on them would resubscribe for nothing.

  // A session that expired while the page was open: ask who we are again, which shows the sign-in form.
  const unauthorized = isUnauthorized(cluster.error);
  useEffect(() => {
    if (unauthorized) void me.mutate();
  }, [unauthorized]);

  if (me.isLoading) return <Shell />;
  if (!signedIn) return <LoginForm onSignedIn={() => void me.mutate()} />;

  return (
    <Shell
      user={me.data}
      onSignOut={() => void trpc.auth.logout.mutate().then(() => me.mutate(null, { revalidate: true }))}
    >
      {cluster.error && !unauthorized ? (
        <Notice kind="error">cannot reach pgwarden: {messageOf(cluster.error)}</Notice>
      ) : null}
      {actionError ? <Notice kind="error">{actionError}</Notice> : null}
      {cluster.data ? (
        <>
          <ClusterSummary cluster={cluster.data} />
          <Card title="Nodes">
            <NodeTable
              nodes={cluster.data.nodes}
              canOperate={me.data?.role === 'operator'}
              now={now}
              onAction={(err) => {
                setActionError(err);
                void cluster.mutate();
              }}
            />
          </Card>
        </>
      ) : !cluster.error ? (
        <p className="text-sm text-slate-500">Loading the cluster…</p>
      ) : null}
      <Card title="Recent events">
        <RecentEvents events={events.data ?? []} now={now} />
      </Card>
    </Shell>
  );
}

function Shell({
  user,
  onSignOut,
  children,
}: {
  user?: { name: string; role: string } | null;
  onSignOut?: () => void;
  children?: React.ReactNode;
}) {
  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-4 px-3 py-4 sm:px-6">
      <header className="flex items-center justify-between gap-2">
        <h1 className="text-xl font-bold tracking-tight">pgwarden</h1>
        {user ? (
          <div className="flex items-center gap-2 text-sm">
            <span>
              {user.name} <span className="text-slate-500 dark:text-slate-400">({user.role})</span>
            </span>
            <Button onClick={onSignOut}>Sign out</Button>
          </div>
        ) : null}
      </header>
      {children}
    </div>
  );
}

/** A clock for "5 s ago" labels, ticking with the 1 s refresh. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function isUnauthorized(err: unknown): boolean {
  return (
    err instanceof TRPCClientError && (err.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED'
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
