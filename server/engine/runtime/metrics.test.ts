import { describe, expect, it } from 'vitest';
import { ClusterState } from '../state/cluster-state';
import { Histogram, metricsOf } from './metrics';

describe('engine metrics recorder', () => {
  it('keeps cumulative histogram buckets, a sum and a count', () => {
    const h = new Histogram([0.1, 1, 10]);
    for (const v of [0.05, 0.1, 0.5, 5, 50]) h.observe(v);
    const s = h.snapshot();
    expect(s.counts).toEqual([2, 3, 4]);
    expect(s.count).toBe(5);
    expect(s.sum).toBeCloseTo(55.65);
  });

  it('is one recorder per state, counting failovers, failbacks and recoveries from its events', () => {
    const b = (id: number) =>
      ({
        id,
        hostname: 'h',
        port: 1,
        weight: 1,
        data_directory: '',
        flag: {},
        application_name: '',
      }) as never;
    const state = new ClusterState('streaming_replication', [b(0), b(1)]);
    const m = metricsOf(state);
    expect(metricsOf(state)).toBe(m);
    expect(metricsOf(new ClusterState('streaming_replication', [b(0)]))).not.toBe(m);
    const ev = { nodeId: 1, summary: '', reason: null } as const;
    state.emit({ ...ev, kind: 'failover_finished', outcome: 'ok' });
    state.emit({ ...ev, kind: 'failback', outcome: 'refused' });
    state.emit({ ...ev, kind: 'failback', outcome: 'ok' });
    state.emit({ ...ev, kind: 'recovery_finished', outcome: 'failed', details: { outcome: 'failed' } });
    m.observeQuery(2); // ms
    m.observeHealthCheck(1, 30, false);
    const s = m.snapshot();
    expect([s.failoversTotal, s.failbacksTotal]).toEqual([1, 1]);
    expect(s.recoveries).toEqual([
      { outcome: 'ok', total: 0 },
      { outcome: 'failed', total: 1 },
      { outcome: 'cancelled', total: 0 },
    ]);
    expect(s.queryDuration.count).toBe(1);
    expect(s.queryDuration.sum).toBeCloseTo(0.002);
    expect(s.healthChecks.map((h) => [h.nodeId, h.outcome, h.duration.count])).toEqual([[1, 'failed', 1]]);
    expect(structuredClone(s)).toEqual(s); // crosses the worker boundary
  });
});
