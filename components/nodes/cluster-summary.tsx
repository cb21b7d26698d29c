import type { ClusterView } from '../api';
import { Badge } from '../ui/badge';

const MODE: Record<ClusterView['mode'], string> = {
  streaming_replication: 'streaming replication',
  native_replication: 'native replication',
  logical_replication: 'logical replication',
  slony: 'Slony',
  raw: 'raw',
  snapshot_isolation: 'snapshot isolation',
};

/** One line that answers "which node is primary, how many are down, is something happening". */
export function ClusterSummary({ cluster }: { cluster: ClusterView }) {
  const down = cluster.nodes.filter((n) => n.status === 'down').length;
  const inService = cluster.nodes.filter((n) => n.status === 'up' || n.status === 'waiting').length;
  const primary = cluster.nodes.find((n) => n.id === cluster.primaryNodeId);
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm" data-testid="cluster-summary">
      <span>
        <span className="text-slate-500 dark:text-slate-400">Mode </span>
        {MODE[cluster.mode]}
      </span>
      <span>
        <span className="text-slate-500 dark:text-slate-400">Primary </span>
        {primary ? (
          <strong>
            node {primary.id} ({primary.hostname}:{primary.port})
          </strong>
        ) : (
          <Badge tone="red" icon="✕">
            none
          </Badge>
        )}
      </span>
      <span>
        <span className="text-slate-500 dark:text-slate-400">Nodes </span>
        {inService} of {cluster.nodes.length} in service
        {down > 0 ? (
          <>
            {' '}
            <Badge tone="red" icon="✕">
              {down} down
            </Badge>
          </>
        ) : null}
      </span>
      <span>
        <span className="text-slate-500 dark:text-slate-400">Client sessions </span>
        {cluster.clientSessions.active} / {cluster.clientSessions.max}
      </span>
      {cluster.failoverInProgress ? (
        <Badge tone="amber" icon="⟳">
          failover in progress
        </Badge>
      ) : null}
      {cluster.recoveryInProgress ? (
        <Badge tone="amber" icon="⟳">
          online recovery in progress
        </Badge>
      ) : null}
    </div>
  );
}
