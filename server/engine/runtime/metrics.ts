/**
 * Cheap engine-side recorders for what the Prometheus endpoint (server/api/http/metrics.ts) exports and the state
 * does not already hold: query latency through the proxy and health-check durations as fixed-bucket histograms,
 * and failover / recovery totals counted from the event stream. One recorder per ClusterState (a WeakMap, so call
 * sites need nothing but the state they already have); recording is a few array increments, no allocation.
 */
import type { ClusterState } from '../state/cluster-state';
import type { EngineEvent } from '../state/types';

/** Upper bounds in seconds (the +Inf bucket is implicit). */
export const QUERY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
export const HEALTH_CHECK_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;

/** Plain data (crosses the worker boundary): `counts[i]` is the number of observations <= bounds[i] (cumulative). */
export interface HistogramSnapshot {
  bounds: number[];
  counts: number[];
  count: number;
  sum: number;
}

export interface EngineMetricsSnapshot {
  /** From a client's request (first bytes) to the ReadyForQuery that answers it. */
  queryDuration: HistogramSnapshot;
  healthChecks: { nodeId: number; outcome: 'ok' | 'failed'; duration: HistogramSnapshot }[];
  failoversTotal: number;
  failbacksTotal: number;
  recoveries: { outcome: 'ok' | 'failed' | 'cancelled'; total: number }[];
}

export class Histogram {
  private readonly buckets: Float64Array;
  private n = 0;
  private total = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.buckets = new Float64Array(bounds.length);
  }

  observe(seconds: number): void {
    this.n++;
    this.total += seconds;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (seconds <= b[i]!) {
        this.buckets[i]!++;
        return;
      }
    }
  }

  snapshot(): HistogramSnapshot {
    const counts: number[] = [];
    let acc = 0;
    for (const c of this.buckets) counts.push((acc += c));
    return { bounds: [...this.bounds], counts, count: this.n, sum: this.total };
  }
}

export class EngineMetrics {
  readonly query = new Histogram(QUERY_BUCKETS);
  private readonly health = new Map<string, Histogram>();
  private failovers = 0;
  private failbacks = 0;
  private readonly recoveries = { ok: 0, failed: 0, cancelled: 0 };

  observeQuery(ms: number): void {
    this.query.observe(ms / 1000);
  }

  observeHealthCheck(nodeId: number, ms: number, ok: boolean): void {
    const key = `${nodeId}:${ok ? 'ok' : 'failed'}`;
    let h = this.health.get(key);
    if (!h) this.health.set(key, (h = new Histogram(HEALTH_CHECK_BUCKETS)));
    h.observe(ms / 1000);
  }

  /** Counts failovers, failbacks (not the refused ones) and finished recoveries from the engine's events. */
  onEvent(e: EngineEvent): void {
    if (e.outcome === 'refused') return;
    if (e.kind === 'failover_finished') this.failovers++;
    else if (e.kind === 'failback') this.failbacks++;
    else if (e.kind === 'recovery_finished') {
      const o = e.details?.outcome;
      if (o === 'ok' || o === 'failed' || o === 'cancelled') this.recoveries[o]++;
    }
  }

  snapshot(): EngineMetricsSnapshot {
    return {
      queryDuration: this.query.snapshot(),
      healthChecks: [...this.health.entries()]
        .map(([key, h]) => {
          const [id, outcome] = key.split(':');
          return { nodeId: Number(id), outcome: outcome as 'ok' | 'failed', duration: h.snapshot() };
        })
        .sort((a, b) => a.nodeId - b.nodeId || a.outcome.localeCompare(b.outcome)),
      failoversTotal: this.failovers,
      failbacksTotal: this.failbacks,
      recoveries: (['ok', 'failed', 'cancelled'] as const).map((outcome) => ({
        outcome,
        total: this.recoveries[outcome],
      })),
    };
  }
}

const recorders = new WeakMap<ClusterState, EngineMetrics>();

/** The recorder of this engine (created on first use). */
export function metricsOf(state: ClusterState): EngineMetrics {
  let m = recorders.get(state);
  if (!m) {
    m = new EngineMetrics();
    recorders.set(state, m);
    state.subscribe((e) => m!.onEvent(e));
  }
  return m;
}
