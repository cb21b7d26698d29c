/**
 * Prometheus `/metrics` in the text exposition format 0.0.4, from one engine snapshot plus the engine's recorders
 * (EngineApi.metrics): per-node status and role, statement and error counters, replication delay, health-check
 * durations and query latency as histograms, client sessions and cached backend connections, failovers and
 * recoveries. Names follow the Prometheus conventions (base units, `_total` counters, `_seconds`, `_bytes`).
 */
import type { EngineApi } from '../../engine/api';
import type { HistogramSnapshot } from '../../engine/runtime/metrics';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const STATUSES = ['up', 'waiting', 'down', 'unused'] as const;
const ROLES = ['primary', 'standby', 'main', 'replica'] as const;
const STATEMENTS = ['select', 'insert', 'update', 'delete', 'ddl', 'other'] as const;
const SEVERITIES = ['error', 'fatal', 'panic'] as const;

class Writer {
  private readonly lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): void {
    this.lines.push(
      `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      `# TYPE ${name} ${type}`,
    );
  }

  sample(name: string, labels: Record<string, string | number>, value: number): void {
    const l = Object.entries(labels)
      .map(
        ([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
      )
      .join(',');
    this.lines.push(`${name}${l ? `{${l}}` : ''} ${formatValue(value)}`);
  }

  histogram(name: string, labels: Record<string, string | number>, h: HistogramSnapshot): void {
    h.bounds.forEach((b, i) =>
      this.sample(`${name}_bucket`, { ...labels, le: formatValue(b) }, h.counts[i]!),
    );
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, h.count);
    this.sample(`${name}_sum`, labels, h.sum);
    this.sample(`${name}_count`, labels, h.count);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export async function renderMetrics(engine: EngineApi): Promise<string> {
  const [snap, m, pools] = await Promise.all([engine.snapshot(), engine.metrics(), engine.pools()]);
  const w = new Writer();
  const node = (id: number, hostname: string, port: number) => ({ node: id, host: `${hostname}:${port}` });

  w.family('pgwarden_up', 'gauge', '1 while the pgwarden engine answers.');
  w.sample('pgwarden_up', {}, 1);
  w.family('pgwarden_info', 'gauge', 'pgwarden version and clustering mode.');
  w.sample('pgwarden_info', { version: snap.version, mode: snap.mode }, 1);
  w.family('pgwarden_start_time_seconds', 'gauge', 'When the engine started, as a Unix time.');
  w.sample('pgwarden_start_time_seconds', {}, snap.startedAt.getTime() / 1000);
  w.family('pgwarden_primary_node', 'gauge', 'Id of the primary (main) node, -1 when none is known.');
  w.sample(
    'pgwarden_primary_node',
    {},
    snap.mode === 'streaming_replication' ? snap.primaryNodeId : snap.mainNodeId,
  );
  w.family('pgwarden_failover_in_progress', 'gauge', '1 while a failover or failback runs.');
  w.sample('pgwarden_failover_in_progress', {}, snap.failoverInProgress ? 1 : 0);
  w.family('pgwarden_recovery_in_progress', 'gauge', '1 while an online recovery runs.');
  w.sample('pgwarden_recovery_in_progress', {}, snap.recoveryInProgress ? 1 : 0);

  w.family(
    'pgwarden_node_status',
    'gauge',
    'Backend node status: 1 for the current status, 0 for the others.',
  );
  for (const n of snap.nodes)
    for (const s of STATUSES)
      w.sample(
        'pgwarden_node_status',
        { ...node(n.id, n.hostname, n.port), status: s },
        n.status === s ? 1 : 0,
      );
  w.family(
    'pgwarden_node_up',
    'gauge',
    '1 when the node is up (or waiting for its first connection), else 0.',
  );
  for (const n of snap.nodes)
    w.sample(
      'pgwarden_node_up',
      node(n.id, n.hostname, n.port),
      n.status === 'up' || n.status === 'waiting' ? 1 : 0,
    );
  w.family('pgwarden_node_role', 'gauge', "Backend node role as pgwarden sees it: 1 for the node's role.");
  for (const n of snap.nodes)
    for (const r of ROLES)
      w.sample('pgwarden_node_role', { ...node(n.id, n.hostname, n.port), role: r }, n.role === r ? 1 : 0);
  w.family('pgwarden_node_weight', 'gauge', 'Configured load-balancing weight (backend_weight).');
  for (const n of snap.nodes) w.sample('pgwarden_node_weight', node(n.id, n.hostname, n.port), n.weight);
  w.family(
    'pgwarden_node_statements_total',
    'counter',
    'Statements sent to the node, by class (select_cnt etc.).',
  );
  for (const n of snap.nodes)
    for (const k of STATEMENTS)
      w.sample(
        'pgwarden_node_statements_total',
        { ...node(n.id, n.hostname, n.port), type: k },
        n.counters[k],
      );
  w.family('pgwarden_node_errors_total', 'counter', 'Error responses from the node, by severity.');
  for (const n of snap.nodes)
    for (const k of SEVERITIES)
      w.sample(
        'pgwarden_node_errors_total',
        { ...node(n.id, n.hostname, n.port), severity: k },
        n.counters[k],
      );
  w.family(
    'pgwarden_node_replication_delay_bytes',
    'gauge',
    'Replication delay of a standby in bytes (0 for the primary).',
  );
  for (const n of snap.nodes)
    w.sample(
      'pgwarden_node_replication_delay_bytes',
      node(n.id, n.hostname, n.port),
      n.replicationDelayBytes,
    );
  w.family(
    'pgwarden_node_replication_delay_seconds',
    'gauge',
    'Replay delay of a standby in seconds (NaN when unknown).',
  );
  for (const n of snap.nodes)
    w.sample(
      'pgwarden_node_replication_delay_seconds',
      node(n.id, n.hostname, n.port),
      n.replicationDelaySeconds ?? NaN,
    );

  w.family(
    'pgwarden_health_check_duration_seconds',
    'histogram',
    'Health-check round durations (with retries), by node and outcome.',
  );
  for (const h of m.healthChecks) {
    const n = snap.nodes.find((x) => x.id === h.nodeId);
    w.histogram(
      'pgwarden_health_check_duration_seconds',
      { ...(n ? node(n.id, n.hostname, n.port) : { node: h.nodeId, host: '' }), outcome: h.outcome },
      h.duration,
    );
  }
  w.family(
    'pgwarden_query_duration_seconds',
    'histogram',
    "Through the proxy: from a client's request to its ReadyForQuery.",
  );
  w.histogram('pgwarden_query_duration_seconds', {}, m.queryDuration);

  w.family('pgwarden_client_sessions', 'gauge', 'Client sessions in use.');
  w.sample('pgwarden_client_sessions', {}, snap.clientSessions.active);
  w.family('pgwarden_client_sessions_max', 'gauge', 'Client sessions allowed (num_init_children).');
  w.sample('pgwarden_client_sessions_max', {}, snap.clientSessions.max);
  const perNode = new Map<number, number>();
  for (const p of pools) if (p.connected) perNode.set(p.backendId, (perNode.get(p.backendId) ?? 0) + 1);
  w.family('pgwarden_pool_backend_connections', 'gauge', 'Backend connections held in the pools, by node.');
  for (const n of snap.nodes)
    w.sample('pgwarden_pool_backend_connections', node(n.id, n.hostname, n.port), perNode.get(n.id) ?? 0);

  w.family(
    'pgwarden_failovers_total',
    'counter',
    'Failovers (degenerations and promotions) finished since start.',
  );
  w.sample('pgwarden_failovers_total', {}, m.failoversTotal);
  w.family('pgwarden_failbacks_total', 'counter', 'Nodes attached back (failback) since start.');
  w.sample('pgwarden_failbacks_total', {}, m.failbacksTotal);
  w.family('pgwarden_recoveries_total', 'counter', 'Online recoveries finished since start, by outcome.');
  for (const r of m.recoveries) w.sample('pgwarden_recoveries_total', { outcome: r.outcome }, r.total);
  return w.text();
}
