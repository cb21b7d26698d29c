'use client';
import { formatAgo, formatBytes, formatCount, formatShare, hostPort } from '@/lib/format';
import type { NodeView } from '../api';
import { NodeActions } from './node-actions';
import { NodeReason } from './node-reason';
import { NodeRoleBadge, NodeStatusBadge, PgRoleText } from './node-status';

interface Props {
  nodes: NodeView[];
  canOperate: boolean;
  onAction: (error: string | null) => void;
  now: Date;
}

const TH =
  'px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400';
const TD = 'px-3 py-2 align-top text-sm';
/** A bar at the start of the primary's row, in addition to its "★ primary" badge. */
const PRIMARY_MARK = 'shadow-[inset_4px_0_0_0_var(--color-sky-600)]';

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
              {canOperate ? <th className={TH}>Actions</th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800/70">
            {nodes.map((n) => (
              <tr
                key={n.id}
                data-node-id={n.id}
                data-status={n.status}
                data-role={n.role}
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
                  <span className="mt-0.5 block text-xs text-slate-500 dark:text-slate-400">
                    {formatAgo(n.lastStatusChange, now)}
                  </span>
                </td>
                <td className={TD}>
                  <NodeRoleBadge node={n} />
                </td>
                <td className={TD}>
                  <PgRoleText node={n} />
                </td>
                <td className={`${TD} text-right tabular-nums`}>
                  {n.weight}{' '}
                  <span className="text-slate-500 dark:text-slate-400">
                    ({formatShare(n.normalizedWeight)})
                  </span>
                </td>
                <td className={`${TD} text-right tabular-nums`}>{formatCount(n.counters.select)}</td>
                <td className={`${TD} text-right tabular-nums`}>
                  {n.role === 'standby' ? formatBytes(n.replicationDelayBytes) : '—'}
                </td>
                <td className={TD}>
                  <NodeReason node={n} />
                </td>
                {canOperate ? (
                  <td className={TD}>
                    <NodeActions node={n} onDone={onAction} />
                  </td>
                ) : null}
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
            </div>
            <div className="mt-1 font-mono text-sm">{hostPort(n.hostname, n.port)}</div>
            <dl className="mt-1 grid grid-cols-2 gap-x-4 text-sm">
              <dt className="text-slate-500 dark:text-slate-400">PG role</dt>
              <dd>
                <PgRoleText node={n} />
              </dd>
              <dt className="text-slate-500 dark:text-slate-400">Weight</dt>
              <dd className="tabular-nums">
                {n.weight} ({formatShare(n.normalizedWeight)})
              </dd>
              <dt className="text-slate-500 dark:text-slate-400">Selects</dt>
              <dd className="tabular-nums">{formatCount(n.counters.select)}</dd>
            </dl>
            {n.reason || n.notLoadBalancedReason ? (
              <div className="mt-1">
                <NodeReason node={n} />
              </div>
            ) : null}
            {canOperate ? (
              <div className="mt-2">
                <NodeActions node={n} onDone={onAction} />
              </div>
            ) : null}
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
