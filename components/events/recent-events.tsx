import { formatTime } from '@/lib/format';
import type { EventView } from '../api';
import { Badge, type Tone } from '../ui/badge';

const OUTCOME: Record<EventView['outcome'], Tone> = {
  ok: 'green',
  failed: 'red',
  refused: 'orange',
  info: 'gray',
};

/** The audit trail's latest entries: what happened, to which node, who did it, and why. */
export function RecentEvents({ events, now }: { events: EventView[]; now: Date }) {
  if (events.length === 0)
    return <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">No events yet.</p>;
  return (
    <ol className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="recent-events">
      {events.map((e) => (
        <li
          key={e.id}
          className="flex flex-col gap-1 px-4 py-2 text-sm sm:flex-row sm:items-baseline sm:gap-3"
        >
          <time
            className="shrink-0 font-mono text-xs text-slate-500 dark:text-slate-400"
            dateTime={e.time.toISOString()}
          >
            {formatTime(e.time, now)}
          </time>
          <span className="shrink-0">
            <Badge tone={OUTCOME[e.outcome]}>{e.kind.replaceAll('_', ' ')}</Badge>
          </span>
          <span className="min-w-0 break-words">
            {e.summary}
            {e.reason && !e.summary.includes(e.reason.message) ? (
              <span className="text-slate-500 dark:text-slate-400"> — {e.reason.message}</span>
            ) : null}
          </span>
          <span className="shrink-0 text-xs text-slate-500 sm:ml-auto dark:text-slate-400">
            by {e.actor.name} ({e.actor.interface})
          </span>
        </li>
      ))}
    </ol>
  );
}
