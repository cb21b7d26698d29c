'use client';
import { formatAgo, formatBytes, formatCount, formatSeconds, formatTime, hostPort } from '@/lib/format';
import type { NodeView } from '../api';
import { NodeActions } from './node-actions';
import { NodeReason } from './node-reason';
import { NodeRoleBadge, NodeStatusBadge, PgRoleText } from './node-status';
import { WeightEditor } from './weight-editor';

interface Props {
  nodes: NodeView[];
  canOperate: boolean;
  onAction: () => void;
  now: Date;
}

const TH =
  'px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400';
const TD = 'px-3 py-2 align-top text-sm';
/** A bar at the start of the primary's row, in addition to its "★ primary" badge. */
const PRIMARY_MARK = 'shadow-[inset_4px_0_0_0_var(--color-sky-600)]';

const isStandby = (n: NodeView) => n.role === 'standby' || n.role === 'replica';

/** Replication delay in bytes and seconds, with the WAL sender's state (pg_stat_replication). */
function Delay({ n }: { n: NodeView }) {
  if (!isStandby(n)) return <span className="text-slate-400 dark:text-slate-500">—</span>;
  return (
    <span className="tabular-nums">
      {formatBytes(n.replicationDelayBytes)}
      <span className="text-slate-500 dark:text-slate-400">
        {' '}
        · {formatSeconds(n.replicationDelaySeconds)}
      </span>
      {n.replicationState || n.replicationSyncState ? (
        <span className="block text-xs text-slate-500 dark:text-slate-400">
          {[n.replicationState, n.replicationSyncState].filter(Boolean).join(' / ')}
        </span>
      ) : null}
    </span>
  );
}

/** The nodes as SHOW pool_nodes shows them: a table from tablet width up, one card per node on a phone. */
export function NodeTable({ nodes, canOperate, onAction, now }: Props) {
  return (
    <>
      <div className="hidden overflow-x-auto md:block">
        <table
          className="min-w-full divide-y divide-slate-200 dark:divide-slate-800"
          data-testid="node-table"
        >
          <thead>
            <tr>
              <th className={TH}>Node</th>
              <th className={TH}>Address</th>
              <th className={TH}>Status</th>
              <th className={TH}>Role</th>
              <th className={TH}>PG role</th>
              <th className={`${TH} text-right`}>Weight</th>
              <th className={`${TH} text-right`}>Selects</th>
              <th className={`${TH} text-right`}>Delay</th>
              <th className={TH}>Reason</th>
              <th className={TH}>Actions</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800/70">
            {nodes.map((n) => (
              <tr
                key={n.id}
                data-node-id={n.id}
                data-status={n.status}
                data-role={n.role}
                data-weight={n.weight}
                className={rowTint(n)}
              >
                <td
                  className={`${TD} font-mono font-semibold ${n.role === 'primary' || n.role === 'main' ? PRIMARY_MARK : ''}`}
                >
                  {n.id}
                </td>
                <td className={`${TD} font-mono`}>{hostPort(n.hostname, n.port)}</td>
                <td className={TD}>
                  <NodeStatusBadge node={n} />
                  <time
                    className="mt-0.5 block text-xs whitespace-nowrap text-slate-500 dark:text-slate-400"
                    dateTime={n.lastStatusChange.toISOString()}
                    title={`last status change ${formatTime(n.lastStatusChange, now)}`}
                  >
                    {formatAgo(n.lastStatusChange, now)}
                  </time>
                </td>
                <td className={TD}>
                  <NodeRoleBadge node={n} />
                </td>
                <td className={TD}>
                  <PgRoleText node={n} />
                </td>
                <td className={`${TD} text-right`}>
                  <WeightEditor node={n} canOperate={canOperate} onDone={onAction} />
                </td>
                <td className={`${TD} text-right tabular-nums`}>{formatCount(n.counters.select)}</td>
                <td className={`${TD} text-right`}>
                  <Delay n={n} />
                </td>
                <td className={TD}>
                  <NodeReason node={n} />
                </td>
                <td className={TD}>
                  <NodeActions node={n} canOperate={canOperate} onDone={onAction} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="divide-y divide-slate-200 md:hidden dark:divide-slate-800" data-testid="node-cards">
        {nodes.map((n) => (
          <li
            key={n.id}
            className={`px-4 py-3 ${rowTint(n)}`}
            data-node-id={n.id}
            data-status={n.status}
            data-role={n.role}
          >
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-mono font-semibold">node {n.id}</span>
              <NodeRoleBadge node={n} />
              <NodeStatusBadge node={n} />
              <span className="text-xs text-slate-500 dark:text-slate-400">
                {formatAgo(n.lastStatusChange, now)}
              </span>
            </div>
            <div className="mt-1 font-mono text-sm">{hostPort(n.hostname, n.port)}</div>
            <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5 text-sm">
              <dt className="text-slate-500 dark:text-slate-400">PG role</dt>
              <dd>
                <PgRoleText node={n} />
              </dd>
              <dt className="text-slate-500 dark:text-slate-400">Weight</dt>
              <dd>
                <WeightEditor node={n} canOperate={canOperate} onDone={onAction} />
              </dd>
              <dt className="text-slate-500 dark:text-slate-400">Selects</dt>
              <dd className="tabular-nums">{formatCount(n.counters.select)}</dd>
              {isStandby(n) ? (
                <>
                  <dt className="text-slate-500 dark:text-slate-400">Delay</dt>
                  <dd>
                    <Delay n={n} />
                  </dd>
                </>
              ) : null}
            </dl>
            {n.reason || n.notLoadBalancedReason ? (
              <div className="mt-1">
                <NodeReason node={n} />
              </div>
            ) : null}
            <div className="mt-2">
              <NodeActions node={n} canOperate={canOperate} onDone={onAction} />
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A faint background for nodes that need attention; the status badge carries the words. */
function rowTint(n: NodeView): string {
  if (n.status === 'down') return 'bg-red-50/60 dark:bg-red-950/30';
  if (n.quarantined) return 'bg-amber-50/60 dark:bg-amber-950/20';
  return '';
}
