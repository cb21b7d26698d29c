/**
 * How fast and how safely a lost backend is noticed (real 2-node streaming cluster, health_check_period 10 s so the
 * health check cannot be what detects anything here):
 * - pg_terminate_backend() on pgwarden's pooled and in-use backend connections: the probe finds the postmaster
 *   alive, no failover;
 * - the primary killed with `pg_ctl stop -m immediate` while no client is connected: the idle pooled connection's
 *   close triggers a probe, the node is detached within a second (reason backend_error, not health_check_failed)
 *   and the promoted standby takes writes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { failoverTimeline, formatTimeline } from '../../server/engine/failover/testing/timeline';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { createCluster, type PgCluster, type PgNode } from '../helpers/pg-cluster';

const EXAMPLES = path.resolve(__dirname, '../../scripts/examples');

async function withClient<T>(port: number, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe('lost backend connections (2 nodes)', () => {
  let cluster: PgCluster;
  let dir: string;
  let engine: Engine;
  let lines: string[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-failover-detect-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 2 });
    await cluster.primary.query('CREATE TABLE detect_probe (t timestamptz)');
    const config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      {
        logdir: dir,
        healthCheck: { period: 10, timeout: 2, max_retries: 0, connect_timeout: 1000 },
        failover_command: `FAILOVER_LOG=${dir}/failover.log ${EXAMPLES}/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S`,
      },
    );
    const rec = recordingLogger();
    lines = rec.lines;
    engine = await startEngine({ config, logger: rec.logger });
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('pg_terminate_backend on pooled and in-use connections never fails over', async () => {
    const e = engine;
    const p0 = cluster.nodes[0] as PgNode;
    // One session that leaves its connections in the pool, one that stays connected.
    await withClient(e.proxyPort, (c) => c.query('INSERT INTO detect_probe VALUES (now())'));
    const held = new pg.Client({
      host: '127.0.0.1',
      port: e.proxyPort,
      user: 'postgres',
      database: 'postgres',
    });
    held.on('error', () => undefined);
    await held.connect();
    await held.query('SELECT 1');
    const killed = await p0.query<{ n: number }>(
      "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
    );
    expect(killed[0]?.n).toBeGreaterThanOrEqual(2);
    await waitFor(
      'the probe after the lost connections',
      () => lines.some((l) => /lost but the node answers: no failover/.test(l)),
      5000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(e.state.node(0)?.status).not.toBe('down');
    expect(e.state.primaryNodeId).toBe(0);
    expect(e.state.events().some((ev) => ev.kind === 'failover_started')).toBe(false);
    await held.end().catch(() => undefined);
    // And writes go on.
    await withClient(e.proxyPort, (c) => c.query('INSERT INTO detect_probe VALUES (now())'));
  }, 30_000);

  it('the primary killed with no client connected is detected through the idle pooled connection', async () => {
    const e = engine;
    const [n0, n1] = cluster.nodes as [PgNode, PgNode];
    await withClient(e.proxyPort, (c) => c.query('INSERT INTO detect_probe VALUES (now())'));
    const tKill = Date.now();
    await n0.stop('immediate');
    const tStopped = Date.now();
    await waitFor('node 0 down', () => e.state.node(0)?.status === 'down', 8000, 10);
    const tDown = Date.now();
    // A client retrying every 50 ms from the detach on: held until node 1 is writable, then connected to it.
    let tStart = 0;
    let tReady = 0;
    let tWrite = 0;
    const failures: string[] = [];
    const writing = waitFor(
      'a write through pgwarden',
      async () => {
        const c = new pg.Client({
          host: '127.0.0.1',
          port: e.proxyPort,
          user: 'postgres',
          database: 'postgres',
        });
        c.on('error', () => undefined);
        const start = Date.now();
        try {
          await c.connect();
          const ready = Date.now();
          await c.query('INSERT INTO detect_probe VALUES (now())');
          [tStart, tReady, tWrite] = [start, ready, Date.now()];
          return true;
        } catch (err) {
          failures.push(`+${start - tKill}..+${Date.now() - tKill}: ${(err as Error).message}`);
          return false;
        } finally {
          await c.end().catch(() => undefined);
        }
      },
      20_000,
      50,
    );
    await waitFor('node 1 primary', () => e.state.primaryNodeId === 1, 20_000, 10);
    const tPrimary = Date.now();
    await writing;
    console.log(
      `[failover-detect] no traffic: kill -> node 0 down ${tDown - tKill} ms, -> node 1 primary ${tPrimary - tKill} ms, ` +
        `-> write ${tWrite - tKill} ms (health_check_period 10 s)`,
    );
    const scriptLog = await readFile(path.join(dir, 'failover.log'), 'utf8');
    console.log(
      `[failover-detect] breakdown (ms after the kill): ${formatTimeline(
        failoverTimeline({
          t0: tKill,
          nodeId: 0,
          events: e.state.events(),
          scriptLog,
          logLines: lines,
          marks: {
            'pg_ctl stop returned': tStopped,
            'client: connect start': tStart,
            'client: ready': tReady,
            'client: INSERT done': tWrite,
          },
        }),
      )}${failures.length ? `; failed attempts: ${failures.join('; ')}` : ''}`,
    );
    expect(e.state.node(0)?.reason?.code).toBe('backend_error');
    expect(e.state.node(0)?.reason?.message).toMatch(/idle pooled connection closed/);
    // Well below the 10 s health check period (generous: the machine is shared).
    expect(tDown - tKill).toBeLessThan(5000);
    expect(scriptLog).toContain('promoted node 1');
    expect((await n1.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r).toBe(false);
  }, 60_000);
});
