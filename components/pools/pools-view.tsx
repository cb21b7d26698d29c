'use client';
import { useState } from 'react';
import { formatAgo } from '@/lib/format';
import { errorText } from '../errors';
import { useCluster, usePools, useSessions } from '../hooks';
import { useNow } from '../now';
import { Badge, type Tone } from '../ui/badge';
import { Card } from '../ui/card';
import { Notice } from '../ui/notice';

const TH =
  'px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400';
const TD = 'px-3 py-1.5 align-top text-sm';

const SESSION_TONE: Record<string, Tone> = {
  'Wait for connection': 'gray',
  Idle: 'green',
  'Idle in transaction': 'amber',
  'Execute command': 'blue',
};

/** Client sessions (pool_processes) and cached backend connections (SHOW pool_pools). */
export function PoolsView() {
  const cluster = useCluster(true);
  const sessions = useSessions();
  const pools = usePools();
  const now = useNow();
  const [allSlots, setAllSlots] = useState(false);
  const used = (sessions.data ?? []).filter((s) => allSlots || s.status !== 'Wait for connection');
  const connected = (pools.data ?? []).filter((p) => p.connected || p.backendPid > 0);

  return (
    <>
      <Card
        title={
          cluster.data
            ? `Client sessions: ${cluster.data.clientSessions.active} of ${cluster.data.clientSessions.max} in use`
            : 'Client sessions'
        }
        actions={
          <label className="flex items-center gap-1.5 text-xs">
            <input type="checkbox" checked={allSlots} onChange={(e) => setAllSlots(e.target.checked)} />
            show free slots
          </label>
        }
      >
        {sessions.error ? <Notice kind="error">{errorText(sessions.error)}</Notice> : null}
        <div className="overflow-x-auto">
          <table
            className="min-w-full divide-y divide-slate-200 dark:divide-slate-800"
            data-testid="sessions-table"
          >
            <thead>
              <tr>
                <th className={TH}>Slot</th>
                <th className={TH}>Status</th>
                <th className={TH}>User / database</th>
                <th className={TH}>Client</th>
                <th className={TH}>Application</th>
                <th className={`${TH} text-right`}>LB node</th>
                <th className={TH}>Since</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800/70">
              {used.map((s) => (
                <tr key={s.poolPid}>
                  <td className={`${TD} font-mono`}>{s.poolPid}</td>
                  <td className={TD}>
                    <Badge tone={SESSION_TONE[s.status] ?? 'gray'}>{s.status}</Badge>
                  </td>
                  <td className={`${TD} font-mono`}>{s.username ? `${s.username} / ${s.database}` : '—'}</td>
                  <td className={`${TD} font-mono`}>{s.clientAddress || '—'}</td>
                  <td className={TD}>{s.applicationName || '—'}</td>
                  <td className={`${TD} text-right tabular-nums`}>
                    {s.loadBalanceNode >= 0 ? s.loadBalanceNode : '—'}
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>
                    {s.backendConnectionTime ? formatAgo(s.backendConnectionTime, now) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {sessions.data && used.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">No client is connected.</p>
        ) : null}
      </Card>
      <Card title={`Cached backend connections: ${connected.length}`}>
        {pools.error ? <Notice kind="error">{errorText(pools.error)}</Notice> : null}
        <div className="overflow-x-auto">
          <table
            className="min-w-full divide-y divide-slate-200 dark:divide-slate-800"
            data-testid="pools-table"
          >
            <thead>
              <tr>
                <th className={TH}>Slot / pool</th>
                <th className={TH}>Node</th>
                <th className={TH}>User / database</th>
                <th className={`${TH} text-right`}>Backend PID</th>
                <th className={`${TH} text-right`}>Protocol</th>
                <th className={`${TH} text-right`}>Uses</th>
                <th className={TH}>Status</th>
                <th className={TH}>Connected</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800/70">
              {connected.map((p) => (
                <tr key={`${p.poolPid}-${p.poolId}-${p.backendId}`}>
                  <td className={`${TD} font-mono`}>
                    {p.poolPid}/{p.poolId}
                  </td>
                  <td className={`${TD} font-mono`}>{p.backendId}</td>
                  <td className={`${TD} font-mono`}>
                    {p.username} / {p.database}
                  </td>
                  <td className={`${TD} text-right font-mono`}>{p.backendPid}</td>
                  <td className={`${TD} text-right tabular-nums`}>
                    {p.majorVersion}.{p.minorVersion}
                  </td>
                  <td className={`${TD} text-right tabular-nums`}>{p.poolCounter}</td>
                  <td className={TD}>{p.status}</td>
                  <td className={`${TD} whitespace-nowrap`}>
                    {p.backendConnectionTime ? formatAgo(p.backendConnectionTime, now) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {pools.data && connected.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">
            No backend connection is cached.
          </p>
        ) : null}
      </Card>
    </>
  );
}
