import { describe, expect, it } from 'vitest';
import { testConfig } from '../failover/testing/test-config';
import { ClusterState } from './cluster-state';
import { applyReload, maskConfig } from './effective-config';
import { LiveConfig } from './live-config';

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

  it('INIT parameters of the registry are start-only; pool_hba and pool_passwd pass through', async () => {
    const cur = base();
    const state = new ClusterState('streaming_replication', cur.backends);
    const hba = [
      { type: 'host', database: ['all'], user: ['app'], address: '127.0.0.1/32', method: 'reject' },
    ];
    const poolPasswd = new Map([['app', { kind: 'plain' as const, password: 'x' }]]);
    const r = await applyReload(
      cur,
      async () => ({
        config: {
          ...cur,
          load_balance_mode: !cur.load_balance_mode,
          settings: { ...cur.settings, load_balance_mode: !cur.load_balance_mode, client_idle_limit: 5 },
          connection_life_time: 77,
          client_idle_limit: 5,
        },
        hba: hba as never,
        poolPasswd: poolPasswd as never,
      }),
      state,
    );
    expect(r.config.load_balance_mode).toBe(cur.load_balance_mode);
    expect(r.config.connection_life_time).toBe(cur.connection_life_time);
    expect(r.config.client_idle_limit).toBe(5);
    expect(r.config.settings.load_balance_mode).toBe(cur.settings.load_balance_mode);
    expect(r.changed).toEqual(['client_idle_limit']);
    expect(r.warnings.map((w) => w.split(' ')[0]).sort()).toEqual([
      'connection_life_time',
      'load_balance_mode',
    ]);
    expect(r.hba).toBe(hba);
    expect(r.poolPasswd).toBe(poolPasswd);
  });

  it('LiveConfig: set() runs every listener in order, collects failures, returns after async ones', async () => {
    const a = base();
    const b = { ...a, client_idle_limit: 9 };
    const live = new LiveConfig({ config: a, hba: [], poolPasswd: undefined });
    const seen: string[] = [];
    live.onChange(async (next, prev) => {
      await new Promise((r) => setTimeout(r, 10));
      seen.push(`1:${prev.config.client_idle_limit}->${next.config.client_idle_limit}`);
    });
    const off = live.onChange(() => {
      throw new Error('router failed');
    });
    expect(await live.set({ config: b, hba: [], poolPasswd: undefined })).toEqual(['router failed']);
    expect(seen).toEqual([`1:${a.client_idle_limit}->9`]);
    expect(live.current()).toBe(b);
    off();
    expect(await live.set({ config: a, hba: [], poolPasswd: undefined })).toEqual([]);
  });
});
