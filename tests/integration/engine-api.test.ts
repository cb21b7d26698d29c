/**
 * EngineApi through a real engine (proxy + PCP wired) on a 2-node streaming cluster: snapshot, masked config, admin
 * actions and their refusals recorded as events, sessions closed with a reason when their node is detached, graceful
 * detach waiting for sessions, reload, and pgpool's FATAL when every node is down.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import type { PgwardenConfig } from '../../server/engine/config/types';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { createCluster, type PgCluster } from '../helpers/pg-cluster';

const actor = { name: 'alice', interface: 'dashboard' as const };

describe('EngineApi on a real engine', () => {
  let cluster: PgCluster;
  let dir: string;
  let config: PgwardenConfig;
  let engine: Engine;
  let reloaded: PgwardenConfig | null = null;

  const client = async () => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port: engine.proxyPort,
      user: 'postgres',
      database: 'postgres',
    });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    return { c, errors };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-api-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 2 });
    // All reads on node 1 so every session uses it.
    config = testConfig(
      cluster.nodes.map((n, i) => ({
        port: n.port,
        dataDir: n.dataDir,
        applicationName: n.name,
        weight: i === 0 ? 0 : 1,
      })),
      { logdir: dir, sr_check_password: 'sr-secret', recovery_password: 'rec-secret', recovery_timeout: 3 },
    );
    const { logger } = recordingLogger();
    engine = await startEngine({
      config,
      logger,
      reloadConfig: async () => ({ config: reloaded ?? config }),
    });
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('immediate');
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('snapshot, masked configuration, recovery of a live node refused', async () => {
    const snap = await engine.snapshot();
    expect(snap).toMatchObject({
      mode: 'streaming_replication',
      primaryNodeId: 0,
      mainNodeId: 0,
      failoverInProgress: false,
    });
    expect(snap.nodes.map((n) => n.role)).toEqual(['primary', 'standby']);
    const cfg = await engine.effectiveConfig();
    expect(cfg.sr_check_password).toBe('*****');
    expect(cfg.recovery_password).toBe('*****');
    expect(cfg.sr_check_user).toBe('postgres');
    // Node 1 is alive: refused (or not implemented while online recovery is not wired), always an EngineError.
    await expect(engine.startRecovery(1, { actor })).rejects.toMatchObject({ name: 'EngineError' });
    structuredClone(snap); // crosses the worker boundary
  });

  it('SHOW pool_nodes through the proxy shows the engine state', async () => {
    const { c } = await client();
    try {
      const r = await c.query<{ node_id: string; role: string; pg_role: string }>('SHOW pool_nodes');
      expect(r.rows.map((x) => [x.node_id, x.role])).toEqual([
        ['0', 'primary'],
        ['1', 'standby'],
      ]);
    } finally {
      await c.end();
    }
  });

  it('setWeight and refusals are recorded as admin_action events with the actor', async () => {
    await engine.setWeight(1, 3, { actor, reason: 'more reads' });
    expect(engine.state.node(1)?.weight).toBe(3);
    await expect(engine.promoteNode(0, { actor })).rejects.toMatchObject({ code: 'node_is_primary' });
    await expect(engine.detachNode(7, { actor })).rejects.toMatchObject({ code: 'node_not_found' });
    const events = (await engine.events()).filter((e) => e.kind === 'admin_action');
    expect(events.map((e) => [e.outcome, e.actor.name])).toEqual([
      ['ok', 'alice'],
      ['refused', 'alice'],
      ['refused', 'alice'],
    ]);
    expect(events[1]?.reason?.message).toBe(
      "specified node is already primary node, can't promote node id 0",
    );
    await engine.setWeight(1, 1, { actor });
  });

  it('detach: a session idle on the node goes on with the primary; one running a query there gets an error saying why', async () => {
    const idle = await client();
    await idle.c.query('SELECT 1');
    const busy = await client();
    await busy.c.query('SELECT 1');
    const sessions = await engine.sessions();
    expect(sessions.map((s) => s.loadBalanceNode)).toEqual([1, 1]);
    // The busy session's statement is in flight on node 1 when the node is detached.
    // A long read that may be load balanced (generate_series is immutable; pg_sleep is volatile and goes to the primary).
    const SLOW = 'SELECT count(*) FROM generate_series(1, 60000000)';
    const sleeping = busy.c.query(SLOW).then(
      () => null,
      (e: Error) => e,
    );
    await waitFor(
      'the slow read running on node 1',
      async () => {
        const rows = await cluster.nodes[1]!.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = '${SLOW}'`,
        );
        return rows[0]?.n === 1;
      },
      5000,
    );
    await engine.detachNode(1, { actor, reason: 'kernel upgrade' });
    const err = await sleeping;
    expect(err?.message).toMatch(/node 1 is down/);
    expect(err?.message).toMatch(/kernel upgrade/);
    // The idle session saw no reply from node 1 in flight: it was not failed (failover #8), its reads now go to the primary.
    const port = await idle.c.query<{ port: string }>("SELECT current_setting('port') AS port");
    expect(port.rows[0]?.port).toBe(String(cluster.nodes[0]!.port));
    expect(idle.errors).toEqual([]);
    await expect(engine.detachNode(1, { actor })).rejects.toMatchObject({ code: 'node_already_down' });
    await idle.c.end().catch(() => undefined);
    await busy.c.end().catch(() => undefined);
    await engine.attachNode(1, { actor });
    expect(engine.state.node(1)?.status).toBe('waiting');
    // pgpool's CON_CONNECT_WAIT -> CON_UP: the first session that connects to the node marks it up, with a reason.
    const again = await client();
    await again.c.query('SELECT 1');
    expect(engine.state.node(1)?.status).toBe('up');
    expect(engine.state.node(1)?.reason?.code).toBe('backend_connected');
    await again.c.end();
  });

  it('graceful detach waits for the sessions using the node to end', async () => {
    const { c } = await client();
    await c.query('SELECT 1');
    let done = false;
    const p = engine.detachNode(1, { actor, graceful: true }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 1200));
    expect(done).toBe(false);
    expect(engine.state.node(1)?.status).not.toBe('down');
    await c.end();
    await p;
    expect(engine.state.node(1)?.status).toBe('down');
    await engine.attachNode(1, { actor });
  });

  it('reload adopts reloadable parameters and keeps start-up-only ones with a warning', async () => {
    reloaded = {
      ...config,
      port: 1,
      delay_threshold: 1000,
      backends: config.backends.map((b) => ({ ...b, health_check: { ...b.health_check, max_retries: 2 } })),
    };
    const r = await engine.reload({ actor });
    expect(r.warnings.some((w) => w.startsWith('port cannot be changed by reload'))).toBe(true);
    const cfg = await engine.effectiveConfig();
    expect(cfg.delay_threshold).toBe(1000);
    expect(cfg.port).toBe(config.port);
    expect((await engine.events()).at(-1)?.kind).toBe('config_reloaded');
  });

  it('every node down: the proxy refuses with pgpool FATAL', async () => {
    await engine.detachNode(1, { actor });
    await cluster.nodes[0]!.stop('immediate');
    await waitFor('node 0 down', () => engine.state.node(0)?.status === 'down', 20_000);
    expect(engine.state.mainNodeId).toBe(-1);
    const c = new pg.Client({
      host: '127.0.0.1',
      port: engine.proxyPort,
      user: 'postgres',
      database: 'postgres',
    });
    c.on('error', () => undefined);
    await expect(c.connect()).rejects.toThrow('pgpool is not accepting any new connections');
    await c.end().catch(() => undefined);
  }, 60_000);
});
