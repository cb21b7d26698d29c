'use client';
import { useState } from 'react';
import { formatTime } from '@/lib/format';
import type { EventFilter, EventView } from '../api';
import { errorText } from '../errors';
import { useCluster, useEvents } from '../hooks';
import { useNow } from '../now';
import { Badge, type Tone } from '../ui/badge';
import { Button } from '../ui/button';
import { Card } from '../ui/card';
import { INPUT } from '../ui/confirm-dialog';
import { Notice } from '../ui/notice';
import { DECISION_KINDS, type Kind } from './kinds';

type Iface = NonNullable<EventFilter['interface']>;

const KINDS: Kind[] = [...DECISION_KINDS, 'recovery_output'];
const INTERFACES: Iface[] = ['engine', 'dashboard', 'rest', 'cli', 'pcp', 'sql'];

export const OUTCOME: Record<EventView['outcome'], { tone: Tone; icon: string }> = {
  ok: { tone: 'green', icon: '✓' },
  failed: { tone: 'red', icon: '✕' },
  refused: { tone: 'orange', icon: '⊘' },
  info: { tone: 'gray', icon: 'i' },
};

const PAGE = 100;

/** The audit trail: every status change and admin action from any interface, filterable, newest first. */
export function EventsView() {
  const cluster = useCluster(true);
  const now = useNow();
  const [nodeId, setNodeId] = useState('');
  const [kind, setKind] = useState('');
  const [actor, setActor] = useState('');
  const [iface, setIface] = useState('');
  const [beforeId, setBeforeId] = useState<number | undefined>(undefined);
  const filter: EventFilter = {
    limit: PAGE,
    ...(nodeId !== '' ? { nodeId: Number(nodeId) } : {}),
    kind: kind === '*' ? undefined : kind ? [kind as Kind] : DECISION_KINDS,
    ...(actor.trim() ? { actor: actor.trim() } : {}),
    ...(iface ? { interface: iface as Iface } : {}),
    ...(beforeId ? { beforeId } : {}),
  };
  const events = useEvents(filter);
  const list = events.data ?? [];
  const reset =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      setBeforeId(undefined);
      set(v);
    };

  return (
    <Card title="Events and audit trail">
      <form
        className="grid grid-cols-2 gap-3 border-b border-slate-200 px-4 py-3 text-sm sm:grid-cols-4 dark:border-slate-800"
        onSubmit={(e) => e.preventDefault()}
        aria-label="Filter events"
      >
        <label className="flex flex-col gap-1 font-medium">
          Node
          <select
            aria-label="Node filter"
            className={INPUT}
            value={nodeId}
            onChange={(e) => reset(setNodeId)(e.target.value)}
          >
            <option value="">all nodes</option>
            {(cluster.data?.nodes ?? []).map((n) => (
              <option key={n.id} value={n.id}>
                node {n.id}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 font-medium">
          Kind
          <select
            aria-label="Kind filter"
            className={INPUT}
            value={kind}
            onChange={(e) => reset(setKind)(e.target.value)}
          >
            <option value="">all but recovery output</option>
            <option value="*">all kinds</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 font-medium">
          Actor
          <input
            aria-label="Actor filter"
            className={INPUT}
            value={actor}
            placeholder="user name"
            onChange={(e) => reset(setActor)(e.target.value)}
          />
        </label>
        <label className="flex flex-col gap-1 font-medium">
          Interface
          <select
            aria-label="Interface filter"
            className={INPUT}
            value={iface}
            onChange={(e) => reset(setIface)(e.target.value)}
          >
            <option value="">all interfaces</option>
            {INTERFACES.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
      </form>
      {events.error ? <Notice kind="error">{errorText(events.error)}</Notice> : null}
      {events.data && list.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">No event matches.</p>
      ) : null}
      <ol className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="events-list">
        {list.map((e) => (
          <EventRow key={e.id} e={e} now={now} />
        ))}
      </ol>
      <div className="flex justify-between gap-2 px-4 py-2">
        <Button disabled={!beforeId} onClick={() => setBeforeId(undefined)}>
          Newest
        </Button>
        <Button disabled={list.length < PAGE} onClick={() => setBeforeId(list[list.length - 1]?.id)}>
          Older
        </Button>
      </div>
    </Card>
  );
}

function EventRow({ e, now }: { e: EventView; now: Date }) {
  const o = OUTCOME[e.outcome];
  return (
    <li
      className="grid gap-x-3 gap-y-1 px-4 py-2 text-sm sm:grid-cols-[6rem_14rem_1fr_auto]"
      data-kind={e.kind}
      data-node-id={e.nodeId ?? ''}
      data-actor={e.actor.name}
      data-interface={e.actor.interface}
      data-outcome={e.outcome}
    >
      <time className="font-mono text-xs text-slate-500 dark:text-slate-400" dateTime={e.time.toISOString()}>
        {formatTime(e.time, now)}
      </time>
      <span className="flex flex-wrap items-start gap-1">
        <Badge tone="gray">{e.kind.replaceAll('_', ' ')}</Badge>
        <Badge tone={o.tone} icon={o.icon}>
          {e.outcome}
        </Badge>
      </span>
      <span className="min-w-0 break-words">
        {e.nodeId !== null ? <span className="font-mono font-semibold">node {e.nodeId}: </span> : null}
        {e.summary}
        {e.reason && !e.summary.includes(e.reason.message) ? (
          <span className="block text-slate-600 dark:text-slate-300">reason: {e.reason.message}</span>
        ) : null}
      </span>
      <span className="text-xs text-slate-500 sm:text-right dark:text-slate-400">
        {e.actor.name} <span className="whitespace-nowrap">via {e.actor.interface}</span>
      </span>
    </li>
  );
}
