'use client';
import Link from 'next/link';
import { Fragment } from 'react';
import { hostPort } from '@/lib/format';
import type { NodeView } from '../api';
import { errorText } from '../errors';
import { DECISION_KINDS } from '../events/kinds';
import { RecentEvents } from '../events/recent-events';
import { useCluster, useRecentEvents, useWatchdog } from '../hooks';
import { ClusterSummary } from '../nodes/cluster-summary';
import { healthOf, type Health } from '../nodes/health';
import { NodeRoleBadge } from '../nodes/node-status';
import { useNow } from '../now';
import { Badge, type Tone } from '../ui/badge';
import { Card } from '../ui/card';
import { Notice } from '../ui/notice';

const HEALTH: Record<Health, { tone: Tone; icon: string }> = {
  up: { tone: 'green', icon: '●' },
  waiting: { tone: 'gray', icon: '◐' },
  lagging: { tone: 'amber', icon: '◔' },
  down: { tone: 'red', icon: '✕' },
  unused: { tone: 'gray', icon: '○' },
};

const LINK = 'text-sm font-medium text-sky-700 hover:underline dark:text-sky-300';

/** The screen a DBA reads in seconds: the primary, each node's health and why, sessions, watchdog, last events. */
export function Overview() {
  const cluster = useCluster(true);
  const events = useRecentEvents(true, DECISION_KINDS, 8);
  const watchdog = useWatchdog();
  const now = useNow();
  const nodes = cluster.data?.nodes ?? [];
  const counts = countHealth(nodes);

  return (
    <>
      {cluster.error ? <Notice kind="error">cannot reach pgwarden: {errorText(cluster.error)}</Notice> : null}
      {cluster.data ? <ClusterSummary cluster={cluster.data} /> : null}
      {cluster.data?.recoveryInProgress ? (
        <Notice kind="info">
          An online recovery is running.{' '}
          <Link href="/recovery" className={LINK}>
            Follow it live
          </Link>
        </Notice>
      ) : null}
      <Card
        title={`Nodes: ${counts}`}
        actions={
          <Link href="/nodes" className={LINK}>
            All columns and actions →
          </Link>
        }
      >
        <ul
          className="grid gap-px bg-slate-200 sm:grid-cols-2 lg:grid-cols-3 dark:bg-slate-800"
          data-testid="overview-nodes"
        >
          {nodes.map((n) => {
            const { health, why } = healthOf(n);
            const h = HEALTH[health];
            return (
              <li
                key={n.id}
                data-node-id={n.id}
                data-health={health}
                className="flex flex-col gap-1 bg-white px-4 py-3 dark:bg-slate-900"
              >
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-mono font-semibold">node {n.id}</span>
                  <NodeRoleBadge node={n} />
                  <Badge tone={h.tone} icon={h.icon}>
                    {health}
                  </Badge>
                </div>
                <span className="font-mono text-sm text-slate-600 dark:text-slate-300">
                  {hostPort(n.hostname, n.port)}
                </span>
                <span className="text-sm break-words">
                  {why ?? <span className="text-slate-400 dark:text-slate-500">no issue recorded</span>}
                </span>
              </li>
            );
          })}
        </ul>
      </Card>
      <div className="grid gap-4 lg:grid-cols-[1fr_2fr]">
        <Card title="Watchdog">
          <div className="px-4 py-3 text-sm" data-testid="watchdog">
            {watchdog.error ? (
              <span className="text-red-700 dark:text-red-300">{errorText(watchdog.error)}</span>
            ) : !watchdog.data ? (
              <span className="text-slate-500">Loading…</span>
            ) : watchdog.data.enabled ? (
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                <dt className="text-slate-500 dark:text-slate-400">Leader</dt>
                <dd>{watchdog.data.leader ?? 'none'}</dd>
                <dt className="text-slate-500 dark:text-slate-400">Quorum</dt>
                <dd>
                  {watchdog.data.quorum === null ? (
                    'unknown'
                  ) : watchdog.data.quorum ? (
                    <Badge tone="green" icon="●">
                      quorum held
                    </Badge>
                  ) : (
                    <Badge tone="red" icon="✕">
                      no quorum
                    </Badge>
                  )}
                </dd>
                <dt className="text-slate-500 dark:text-slate-400">Virtual IP</dt>
                <dd className="font-mono">{watchdog.data.virtualIp ?? 'none'}</dd>
                {watchdog.data.nodes.map((w) => (
                  <Fragment key={w.name}>
                    <dt className="font-mono">{w.name}</dt>
                    <dd>
                      {w.state} (priority {w.priority})
                    </dd>
                  </Fragment>
                ))}
              </dl>
            ) : (
              <>
                <Badge tone="gray" icon="○">
                  watchdog off
                </Badge>
                <p className="mt-2 text-slate-600 dark:text-slate-300">{watchdog.data.reason}</p>
              </>
            )}
          </div>
        </Card>
        <Card
          title="Last events"
          actions={
            <Link href="/events" className={LINK}>
              Audit trail →
            </Link>
          }
        >
          <RecentEvents events={events.data ?? []} now={now} />
        </Card>
      </div>
    </>
  );
}

function countHealth(nodes: NodeView[]): string {
  const c = new Map<Health, number>();
  for (const n of nodes) {
    const h = healthOf(n).health;
    c.set(h, (c.get(h) ?? 0) + 1);
  }
  const parts = (['up', 'waiting', 'lagging', 'down', 'unused'] as const)
    .filter((h) => c.get(h))
    .map((h) => `${c.get(h)} ${h}`);
  return parts.join(', ') || 'none';
}
