/**
 * Online recovery in native replication mode on 2 real independent servers (reference §6.2): the two-stage
 * sequence with the example scripts (base backup + archive replay), and what clients see: an open session keeps
 * working during the 1st stage, new sessions are held in the proxy's queue from block_clients on, wait_clients waits
 * for the open session to end, and the held client gets in once the node is attached (unblock).
 */
import { chmod, copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { waitForRecoveryRun } from '../../server/engine/pcp/commands/recovery-node';
import type { PgwardenConfig } from '../../server/engine/config/types';
import type { EngineEvent } from '../../server/engine/state/types';
import { createCluster, type PgCluster, type PgNode } from '../helpers/pg-cluster';

const EXAMPLES = path.resolve(__dirname, '../../scripts/examples');
const ACTOR = { name: 'test', interface: 'cli' } as const;

function client(port: number): pg.Client {
  const c = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 60_000,
  });
  c.on('error', () => undefined);
  return c;
}

describe('online recovery, native replication: block new sessions, wait for clients, two stages', () => {
  let cluster: PgCluster;
  let dir: string;
  let engine: Engine;
  let n1: PgNode;
  let config: PgwardenConfig;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-recovery-native-'));
    cluster = await createCluster({ mode: 'independent', nodes: 2, pgpoolRecovery: true });
    n1 = cluster.nodes[1]!;
    const main = cluster.nodes[0]!;
    for (const f of await readdir(EXAMPLES)) {
      await copyFile(path.join(EXAMPLES, f), path.join(main.dataDir, f));
      await chmod(path.join(main.dataDir, f), 0o755);
    }
    config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      {
        backend_clustering_mode: 'native_replication',
        logdir: dir,
        healthCheck: { period: 1, timeout: 2, max_retries: 0, retry_delay: 1, connect_timeout: 1000 },
        recovery_user: 'postgres',
        recovery_1st_stage_command: 'recovery_1st_stage.sh',
        recovery_2nd_stage_command: 'recovery_2nd_stage.sh',
        recovery_timeout: 30,
        recovery_script_runner: 'extension',
      },
    );
    engine = await startEngine({ config, logger: recordingLogger().logger, pcp: false });
    for (const n of cluster.nodes) await n.query('CREATE TABLE nat (v int)');
    await n1.stop('immediate');
    await waitFor('node 1 down', () => engine.state.node(1)?.status === 'down', 30_000);
    await engine.failover.idle();
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('holds new sessions until the node is attached; the open session is waited for', async () => {
    const open = client(engine.proxyPort);
    await open.connect();
    await open.query('INSERT INTO nat VALUES (1)');

    const events: EngineEvent[] = [];
    const unsubscribe = engine.subscribe((e) => events.push(e));
    const stageRunning = (name: string) =>
      events.some(
        (e) => e.kind === 'recovery_stage' && e.details?.stage === name && e.details.phase === 'start',
      );
    const id = await engine.startRecovery(1, { actor: ACTOR });
    await waitFor('wait_clients running', () => stageRunning('wait_clients'), 60_000, 50);

    // The open session still works (pgpool only stops accept()); a new client is held in the queue.
    await open.query('INSERT INTO nat VALUES (2)');
    const held = client(engine.proxyPort);
    let heldAt = 0;
    const heldConnect = held.connect().then(() => (heldAt = Date.now()));
    await new Promise((r) => setTimeout(r, 1500));
    expect(heldAt).toBe(0);
    expect((await engine.recoveryRun(id))?.stages.find((s) => s.name === 'wait_clients')?.outcome).toBe(
      'running',
    );

    // The last client leaves: the 2nd stage runs, the node is started and attached, then the held client gets in.
    const leftAt = Date.now();
    await open.end();
    const run = await waitForRecoveryRun(engine, id, 500);
    unsubscribe();
    await heldConnect;
    console.log(
      `[recovery native] client left -> held client in: ${heldAt - leftAt} ms; ` +
        run.stages.map((s) => `${s.name} ${+(s.endedAt ?? 0) - +(s.startedAt ?? 0)} ms`).join(', '),
    );
    expect(run.error).toBeNull();
    expect(run.stages.map((s) => [s.name, s.outcome])).toEqual([
      ['checkpoint', 'ok'],
      ['first_stage', 'ok'],
      ['block_clients', 'ok'],
      ['wait_clients', 'ok'],
      ['checkpoint', 'ok'],
      ['second_stage', 'ok'],
      ['remote_start', 'ok'],
      ['wait_postmaster', 'ok'],
      ['attach', 'ok'],
      ['unblock', 'ok'],
    ]);
    const unblock = run.stages.at(-1)!;
    expect(heldAt).toBeGreaterThanOrEqual(+unblock.startedAt!);
    expect(['waiting', 'up']).toContain(engine.state.node(1)?.status);
    // Both rows, the one written while wait_clients ran included, reached the recovered node via the archive.
    // wait_postmaster waited until the node left archive recovery: it is read-write when attached.
    expect((await n1.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r).toBe(false);
    expect((await n1.query<{ n: string }>('SELECT count(*) AS n FROM nat'))[0]?.n).toBe('2');
    expect((await held.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await held.end();
  });

  it('wait_clients timing out fails the run, lifts the block (held client gets in) and leaves the node down', async () => {
    await n1.stop('immediate');
    await waitFor('node 1 down', () => engine.state.node(1)?.status === 'down', 30_000);
    await engine.failover.idle();
    const open = client(engine.proxyPort);
    await open.connect();
    config.recovery_timeout = 2;
    try {
      const id = await engine.startRecovery(1, { actor: ACTOR });
      await waitFor(
        'wait_clients running',
        async () =>
          (await engine.recoveryRun(id))?.stages.find((s) => s.name === 'wait_clients')?.outcome ===
          'running',
        60_000,
        50,
      );
      const held = client(engine.proxyPort);
      const heldConnect = held.connect();
      const run = await waitForRecoveryRun(engine, id, 500);
      await heldConnect; // the block is lifted on failure
      expect(run.outcome).toBe('failed');
      expect(run.stages.find((s) => s.name === 'wait_clients')?.outcome).toBe('failed');
      expect(run.error).toMatch(/failed at stage wait_clients: .*1 client session\(s\) still open/);
      expect(run.stages.at(-1)).toMatchObject({ name: 'unblock', outcome: 'skipped' });
      expect(engine.state.node(1)?.status).toBe('down');
      expect((await held.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await held.end();
    } finally {
      config.recovery_timeout = 30;
      await open.end();
    }
  });

  it('client_idle_limit_in_recovery = -1 closes the idle session at wait_clients; the recovery completes', async () => {
    await n1.stop('immediate');
    await waitFor('node 1 down', () => engine.state.node(1)?.status === 'down', 30_000);
    await engine.failover.idle();
    const idle = client(engine.proxyPort);
    await idle.connect();
    config.client_idle_limit_in_recovery = -1;
    try {
      const id = await engine.startRecovery(1, { actor: ACTOR });
      const run = await waitForRecoveryRun(engine, id, 500);
      expect(run.error).toBeNull();
      const wait = run.stages.find((s) => s.name === 'wait_clients')!;
      expect(wait.output).toContain('closed 1 idle session(s) (client_idle_limit_in_recovery)');
      await expect(idle.query('SELECT 1')).rejects.toThrow();
      expect(['waiting', 'up']).toContain(engine.state.node(1)?.status);
    } finally {
      config.client_idle_limit_in_recovery = 0;
      await idle.end().catch(() => undefined);
    }
  });
});
