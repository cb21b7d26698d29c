'use client';
import { useCluster } from '../hooks';
import { errorText } from '../errors';
import { useNow } from '../now';
import { useSession } from '../shell/session';
import { Card } from '../ui/card';
import { Notice } from '../ui/notice';
import { ClusterSummary } from './cluster-summary';
import { NodeTable } from './node-table';

/** The nodes view: every column of SHOW pool_nodes that matters, with the per-node operations. */
export function NodesView() {
  const { canOperate } = useSession();
  const cluster = useCluster(true);
  const now = useNow();
  return (
    <>
      {cluster.error ? <Notice kind="error">cannot reach pgwarden: {errorText(cluster.error)}</Notice> : null}
      {cluster.data ? <ClusterSummary cluster={cluster.data} /> : null}
      <Card title="Nodes">
        {cluster.data ? (
          <NodeTable
            nodes={cluster.data.nodes}
            canOperate={canOperate}
            now={now}
            onAction={() => void cluster.mutate()}
          />
        ) : (
          <p className="px-4 py-3 text-sm text-slate-500">Loading the cluster…</p>
        )}
      </Card>
      {!canOperate ? (
        <Notice kind="info">You are signed in as a viewer: node operations need an operator.</Notice>
      ) : null}
    </>
  );
}
