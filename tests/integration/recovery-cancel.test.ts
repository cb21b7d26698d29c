/**
 * Cancelling an online recovery while a stage's script runs (EngineApi.cancelRecovery), once per
 * recovery_script_runner, in native replication mode on 2 real independent servers so that new sessions are held
 * (block_clients) while the slow 2nd stage script runs. The cancel interrupts the script (direct: its process group;
 * extension: the processes under the backend running pgpool_recovery(), then pg_cancel_backend), records the run and
 * the stage as 'cancelled' with the output so far, leaves the node down and lets the held client in. A run started
 * afterwards with a working script recovers the node.
 */
import { chmod, copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgwardenConfig } from '../../server/engine/config/types';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { waitForRecoveryRun } from '../../server/engine/pcp/commands/recovery-node';
import { createCluster, type PgCluster, type PgNode } from '../helpers/pg-cluster';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'scripts/examples');
const FIXTURES = path.join(ROOT, 'tests/fixtures/scripts');
const ACTOR = { name: 'test', interface: 'cli' } as const;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}

describe.each(['extension', 'direct'] as const)('cancelling a recovery, runner %s', (runner) => {
  let cluster: PgCluster;
  let dir: string;
  let engine: Engine;
  let main: PgNode;
  let config: PgwardenConfig;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-recovery-cancel-'));
    cluster = await createCluster({ mode: 'independent', nodes: 2, pgpoolRecovery: true });
    main = cluster.nodes[0]!;
    const files = [
      ...(await readdir(EXAMPLES)).map((f) => path.join(EXAMPLES, f)),
      path.join(FIXTURES, 'recovery-slow.sh'),
      path.join(FIXTURES, 'recovery-ok.sh'),
    ];
    for (const f of files) {
      await copyFile(f, path.join(main.dataDir, path.basename(f)));
      await chmod(path.join(main.dataDir, path.basename(f)), 0o755);
    }
    config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      {
        backend_clustering_mode: 'native_replication',
        logdir: dir,
        healthCheck: { period: 1, timeout: 2, max_retries: 0, retry_delay: 1, connect_timeout: 1000 },
        recovery_user: 'postgres',
        recovery_1st_stage_command: 'recovery-ok.sh',
        recovery_2nd_stage_command: 'recovery-slow.sh',
        recovery_timeout: 30,
        recovery_script_runner: runner,
      },
    );
    engine = await startEngine({ config, logger: recordingLogger().logger, pcp: false });
    await cluster.nodes[1]!.stop('immediate');
    await waitFor('node 1 down', () => engine.state.node(1)?.status === 'down', 30_000);
    await engine.failover.idle();
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('interrupts the running 2nd stage script, records cancelled with its output, node down, clients in; a later run succeeds', async () => {
    const pidsFile = path.join(main.dataDir, 'recovery-slow.pids');
    await rm(pidsFile, { force: true });
    const id = await engine.startRecovery(1, { actor: ACTOR, reason: 'cancel test' });
    await waitFor('slow script running', () => exists(pidsFile).then((e) => e || null), 60_000);
    const [scriptPid, sleepPid] = (await readFile(pidsFile, 'utf8')).trim().split(' ').map(Number) as [
      number,
      number,
    ];
    expect(alive(scriptPid) && alive(sleepPid)).toBe(true);
    const during = await engine.recoveryRun(id);
    expect(during?.stages.find((s) => s.name === 'second_stage')?.outcome).toBe('running');

    // New sessions are held from block_clients on.
    const held = new pg.Client({
      host: '127.0.0.1',
      port: engine.proxyPort,
      user: 'postgres',
      database: 'postgres',
      connectionTimeoutMillis: 60_000,
    });
    held.on('error', () => undefined);
    let connected = false;
    const connecting = held.connect().then(() => (connected = true));
    await new Promise((r) => setTimeout(r, 1000));
    expect(connected).toBe(false);

    const t0 = Date.now();
    await engine.cancelRecovery(id, { actor: ACTOR, reason: 'taking too long' });
    const cancelMs = Date.now() - t0;
    console.log(`[recovery-cancel ${runner}] cancelRecovery returned after ${cancelMs} ms`);
    // The script would sleep 300 s: only an interrupted script lets the cancel return this soon.
    expect(cancelMs).toBeLessThan(60_000);

    const run = (await engine.recoveryRun(id))!;
    expect(run.outcome).toBe('cancelled');
    const stage = run.stages.find((s) => s.name === 'second_stage')!;
    expect(stage.outcome).toBe('cancelled');
    expect(stage.command).toContain('recovery-slow.sh');
    expect(stage.output).toContain('recovery-slow.sh: started for node 1');
    expect(stage.output).toContain('pgwarden: cancel:');
    expect(run.stages.slice(run.stages.indexOf(stage) + 1).map((s) => s.outcome)).toEqual(
      run.stages.slice(run.stages.indexOf(stage) + 1).map(() => 'cancelled'),
    );
    expect(run.error).toContain('cancelled by test during stage second_stage');
    expect(run.error).toContain('recovery-slow.sh: started for node 1');
    expect(run.error).toContain('the node stays down');

    // The script and what it started are gone; it never reached its end.
    await waitFor('script processes gone', () => (!alive(scriptPid) && !alive(sleepPid)) || null, 10_000);
    expect(await exists(path.join(main.dataDir, 'recovery-slow.done'))).toBe(false);

    // Node down, no recovery in progress, the block lifted: the held client gets in.
    expect(engine.state.node(1)?.status).toBe('down');
    expect((await engine.snapshot()).recoveryInProgress).toBe(false);
    await connecting;
    expect((await held.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await held.end();

    // A run after the cancel, with a 2nd stage that works, recovers the node.
    config.recovery_2nd_stage_command = 'recovery-ok.sh';
    const again = await waitForRecoveryRun(
      engine,
      await engine.startRecovery(1, { actor: ACTOR, reason: 'after cancel' }),
      500,
    );
    expect(again.error).toBeNull();
    expect(again.outcome).toBe('ok');
    expect(['waiting', 'up']).toContain(engine.state.node(1)?.status);
    expect((await engine.recoveryRuns()).map((r) => r.outcome)).toEqual(['cancelled', 'ok']);
  }, 150_000);
});
