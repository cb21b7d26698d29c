/** Human output of the runbook subcommands: aligned tables, times in local `%F %T` as pgpool prints them. */
import { formatTimestamp } from '../../engine/pcp/codec';
import type { NodeInfoRecord } from '../../engine/pcp/records';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function nodeStatusName(n: NodeInfoRecord): string {
  return n.status === 'down' && n.quarantined ? 'quarantine' : n.status;
}

export function nodesTable(nodes: NodeInfoRecord[]): string {
  return table(
    [
      'node',
      'host',
      'port',
      'status',
      'pg_status',
      'weight',
      'role',
      'pg_role',
      'delay',
      'replication',
      'sync',
      'last change',
    ],
    nodes.map((n) => [
      String(n.nodeId),
      n.hostname,
      String(n.port),
      nodeStatusName(n),
      n.pgStatus,
      n.weight.toFixed(6),
      n.role,
      n.pgRole,
      String(n.replicationDelay),
      n.replicationState || '-',
      n.replicationSyncState || '-',
      formatTimestamp(n.lastStatusChange),
    ]),
  );
}

/** JSON form of a node record: status code included so scripts can compare with pcp_node_info. */
export function nodeJson(n: NodeInfoRecord): Record<string, unknown> {
  return {
    ...n,
    statusName: nodeStatusName(n),
    lastStatusChange: n.lastStatusChange.toISOString(),
  };
}
