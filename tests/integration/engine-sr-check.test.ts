/**
 * sr_check on a real 3-node streaming cluster: replication_state/sync_state from pg_stat_replication matched on
 * backend_application_nameN, pg_role, delay in pgpool's LSN bytes and replay seconds while a standby's replay is
 * paused (and 0 again once it catches up), the log line per log_standby_delay, and load-balance eligibility from
 * delay_threshold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { createCluster, type PgCluster } from '../helpers/pg-cluster';

describe('sr_check', () => {
  let cluster: PgCluster;
  let engine: Engine;
  let lines: string[];

  beforeAll(async () => {
    cluster = await createCluster({ mode: 'streaming', nodes: 3 });
    const config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      { sr_check_period: 1, delay_threshold: 1024, log_standby_delay: 'if_over_threshold' },
    );
    const rec = recordingLogger();
    lines = rec.lines;
    engine = await startEngine({ config, logger: rec.logger, discardStatus: true, proxy: false, pcp: false });
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await cluster?.destroy();
  }, 60_000);

  it('reports replication state, roles and zero delay on an idle cluster', async () => {
    const s = engine.state;
    await waitFor(
      'standbys streaming',
      () => s.node(1)?.replicationState === 'streaming' && s.node(2)?.replicationState === 'streaming',
      15_000,
    );
    expect(s.nodes.map((n) => n.pgRole)).toEqual(['primary', 'standby', 'standby']);
    expect(s.nodes.map((n) => n.replicationSyncState)).toEqual(['', 'async', 'async']);
    expect(s.nodes.map((n) => n.replicationDelayBytes)).toEqual([0, 0, 0]);
    // An idle primary: the replay timestamp ages, but a standby that replayed everything is 0 s behind.
    await new Promise((r) => setTimeout(r, 2500));
    expect(s.node(1)?.replicationDelaySeconds).toBe(0);
  });

  it('a paused standby lags in bytes and seconds, is not load balanced, and catches up', async () => {
    const s = engine.state;
    const standby = cluster.nodes[2]!;
    // A replayed commit gives the standby a pg_last_xact_replay_timestamp() (NULL before: seconds unknown).
    await cluster.nodes[0]!.query('CREATE TABLE lag_seed (x int)');
    await waitFor(
      'seed replayed',
      async () => (await standby.query("SELECT to_regclass('lag_seed') AS t"))[0]?.t,
      10_000,
    );
    await standby.pauseReplay();
    try {
      await cluster.nodes[0]!.query('CREATE TABLE lag_probe AS SELECT g FROM generate_series(1, 20000) g');
      await waitFor('node 2 lagging', () => (s.node(2)?.replicationDelayBytes ?? 0) > 1024, 15_000);
      await waitFor('delay seconds', () => (s.node(2)?.replicationDelaySeconds ?? 0) > 0, 15_000);
      expect(s.node(1)?.replicationDelayBytes).toBe(0);
      expect(
        lines.some((l) =>
          /Replication of node:2 is behind \d+ bytes from the primary server \(node:0\)/.test(l),
        ),
      ).toBe(true);
      expect(s.node(2)?.loadBalanceEligible).toBe(false);
      expect(s.node(2)?.notLoadBalancedReason).toBeTruthy();
    } finally {
      await standby.resumeReplay();
    }
    await waitFor('node 2 caught up', () => s.node(2)?.replicationDelayBytes === 0, 15_000);
    expect(s.node(2)?.replicationDelaySeconds).toBe(0);
    await waitFor('node 2 load balanced again', () => s.node(2)?.loadBalanceEligible === true, 15_000);
  }, 60_000);
});
