import { describe, expect, it } from 'vitest';
import { testConfig } from '../failover/testing/test-config';
import { ClusterState } from './cluster-state';
import { applyReload, maskConfig } from './effective-config';

const base = () =>
  testConfig([{ port: 5000 }, { port: 5001 }], {
    sr_check_password: 'sr',
    recovery_password: '',
    healthCheck: { password: 'hc' },
  });

describe('effective configuration', () => {
  it('masks every non-empty password, nested ones included', () => {
    const m = maskConfig(base());
    expect(m.sr_check_password).toBe('*****');
    expect(m.recovery_password).toBe('');
    const backends = m.backends as { health_check: { password: string; user: string } }[];
    expect(backends[0]?.health_check).toMatchObject({ password: '*****', user: 'postgres' });
  });

  it('reload adopts reloadable parameters, keeps start-up ones, applies weights and flags', async () => {
    const cur = base();
    const state = new ClusterState('streaming_replication', cur.backends);
    const next = {
      ...cur,
      port: 9999,
      delay_threshold: 10,
      backends: cur.backends.map((b, i) =>
        i === 1 ? { ...b, weight: 3, flag: { allowToFailover: false, alwaysPrimary: false }, port: 6000 } : b,
      ),
    };
    const r = await applyReload(cur, async () => next, state);
    expect(r.config.port).toBe(cur.port);
    expect(r.config.delay_threshold).toBe(10);
    expect(r.config.backends[1]?.port).toBe(5001);
    expect(r.warnings).toEqual([
      `port cannot be changed by reload (restart required): keeping ${cur.port}`,
      'backend 1 address/data directory cannot change by reload (restart required)',
    ]);
    expect(state.node(1)?.weight).toBe(3);
    expect(state.node(1)?.flags.allowToFailover).toBe(false);
    expect(r.changed).toEqual(['delay_threshold', 'backend_weight1']);
  });

  it('a different number of backends needs a restart', async () => {
    const cur = base();
    const state = new ClusterState('streaming_replication', cur.backends);
    const r = await applyReload(
      cur,
      async () => ({ config: { ...cur, backends: cur.backends.slice(0, 1) } }),
      state,
    );
    expect(r.config.backends).toHaveLength(2);
    expect(r.warnings[0]).toMatch(/number of backends/);
  });
});
