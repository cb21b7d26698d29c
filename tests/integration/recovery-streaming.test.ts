/**
 * Online recovery in streaming replication mode, the user's flow, on a real 2-node cluster, once per
 * recovery_script_runner: the primary is killed, failover_command promotes the standby, then the old primary is
 * recovered through pgwarden (EngineApi.startRecovery: recovery_1st_stage = pg_basebackup, pgpool_remote_start,
 * wait, failback) and comes back as a standby of the new primary with the data written after the failover.
 * With the extension runner also: the progress stream, a failing 1st stage (reported, node stays down, sessions
 * still accepted) and a second run after fixing the script.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryRun } from '../../server/engine/api';
import type { PgwardenConfig } from '../../server/engine/config/types';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { waitForRecoveryRun } from '../../server/engine/pcp/commands/recovery-node';
import type { EngineEvent } from '../../server/engine/state/types';
import { createCluster, freePort, releasePort, type PgCluster, type PgNode } from '../helpers/pg-cluster';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'scripts/examples');
const FIXTURES = path.join(ROOT, 'tests/fixtures/scripts');
const ACTOR = { name: 'test', interface: 'cli' } as const;

async function installScripts(dataDir: string): Promise<void> {
  for (const f of await readdir(EXAMPLES)) await copyFile(path.join(EXAMPLES, f), path.join(dataDir, f));
  await copyFile(path.join(FIXTURES, 'recovery-fail.sh'), path.join(dataDir, 'recovery-fail.sh'));
  for (const f of [...(await readdir(EXAMPLES)), 'recovery-fail.sh'])
    await chmod(path.join(dataDir, f), 0o755);
}

async function viaProxy<T extends pg.QueryResultRow>(port: number, sql: string): Promise<T[]> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe.each(['extension', 'direct'] as const)('online recovery, streaming, runner %s', (runner) => {
  let cluster: PgCluster;
  let dir: string;
  let config: PgwardenConfig;
  let engine: Engine;
  let n0: PgNode;
  let n1: PgNode;
  let pcpPort = 0;

  const recover = async (nodeId: number): Promise<{ run: RecoveryRun; events: EngineEvent[] }> => {
    const events: EngineEvent[] = [];
    const unsubscribe = engine.subscribe((e) => {
      if (e.kind.startsWith('recovery_')) events.push(e);
    });
    try {
      const id = await engine.startRecovery(nodeId, { actor: ACTOR, reason: 'test' });
      const run = await waitForRecoveryRun(engine, id, 500);
      return { run, events: events.filter((e) => e.details?.runId === id) };
    } finally {
      unsubscribe();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-recovery-'));
    pcpPort = await freePort();
    await writeFile(path.join(dir, 'pcppass'), `127.0.0.1:*:pgwarden:pcp-secret\n`);
    await chmod(path.join(dir, 'pcppass'), 0o600);
    cluster = await createCluster({ mode: 'streaming', nodes: 2, pgpoolRecovery: true });
    [n0, n1] = cluster.nodes as [PgNode, PgNode];
    for (const n of cluster.nodes) await installScripts(n.dataDir);
    config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      {
        logdir: dir,
        healthCheck: { period: 1, timeout: 2, max_retries: 0, retry_delay: 1, connect_timeout: 1000 },
        failover_command: `${FIXTURES}/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S ${path.join(dir, 'failover.log')}`,
        recovery_user: 'postgres',
        recovery_1st_stage_command: 'recovery_1st_stage',
        recovery_timeout: 30,
        recovery_script_runner: runner,
        search_primary_node_timeout: 30,
        sr_check_period: 0,
        pcp_listen_addresses: 'localhost',
        pcp_port: pcpPort,
        pcp_socket_dir: dir,
      },
    );
    const { logger } = recordingLogger();
    const pcpUsers = [{ user: 'pgwarden', md5: createHash('md5').update('pcp-secret').digest('hex') }];
    engine = await startEngine({ config, logger, pcpUsers });
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await cluster?.destroy();
    releasePort(pcpPort);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('recovers the killed old primary as a standby of the new primary, stage by stage', async () => {
    await viaProxy(engine.proxyPort, 'CREATE TABLE rec (v int)');
    await viaProxy(engine.proxyPort, 'INSERT INTO rec VALUES (1)');
    await n0.kill9();
    await waitFor('node 0 down', () => engine.state.node(0)?.status === 'down', 30_000);
    await waitFor('node 1 primary', () => engine.state.primaryNodeId === 1, 60_000);
    await waitFor(
      'a write through the proxy after failover',
      () => viaProxy(engine.proxyPort, 'INSERT INTO rec VALUES (2)').then(() => true),
      30_000,
      200,
    );
    // Refused: the primary cannot be recovered.
    await expect(engine.startRecovery(1, { actor: ACTOR })).rejects.toMatchObject({
      code: 'node_is_primary',
    });

    const t0 = Date.now();
    const { run, events } = await recover(0);
    console.log(
      `[recovery ${runner}] ${Date.now() - t0} ms: ` +
        run.stages
          .map((s) => `${s.name} ${s.outcome} ${+(s.endedAt ?? 0) - +(s.startedAt ?? 0)} ms`)
          .join(', '),
    );
    expect(run.error).toBeNull();
    expect(run.outcome).toBe('ok');
    expect(run.stages.map((s) => [s.name, s.outcome])).toEqual([
      ['first_stage', 'ok'],
      ['remote_start', 'ok'],
      ['wait_postmaster', 'ok'],
      ['attach', 'ok'],
    ]);
    const first = run.stages[0]!;
    expect(first.exitCode).toBe(0);
    expect(first.command).toContain('recovery_1st_stage');
    expect(first.output).toContain('recovery_1st_stage: args:');
    expect(first.output).toContain('exit status 0');

    // The progress stream: started, each stage's start then end in order, output lines, finished last.
    const kinds = events.map((e) => e.kind);
    expect(kinds[0]).toBe('recovery_started');
    expect(kinds[kinds.length - 1]).toBe('recovery_finished');
    const stageEvents = events
      .filter((e) => e.kind === 'recovery_stage')
      .map((e) => `${String(e.details?.stage)}:${String(e.details?.phase)}`);
    expect(stageEvents).toEqual(
      ['first_stage', 'remote_start', 'wait_postmaster', 'attach'].flatMap((s) => [`${s}:start`, `${s}:end`]),
    );
    expect(
      events.some(
        (e) => e.kind === 'recovery_output' && String(e.details?.line).includes('recovery_1st_stage'),
      ),
    ).toBe(true);

    // State: node 0 valid as a standby; streaming from the new primary with the post-failover write.
    const node0 = engine.state.node(0)!;
    expect(['waiting', 'up']).toContain(node0.status);
    expect(node0.role).toBe('standby');
    expect(node0.reason?.code).toBe('online_recovery');
    await waitFor(
      'node0 in pg_stat_replication of node 1',
      async () =>
        (
          await n1.query<{ state: string }>(
            "SELECT state FROM pg_stat_replication WHERE application_name = 'node0'",
          )
        )[0]?.state === 'streaming',
      30_000,
      200,
    );
    await waitFor(
      'post-failover row on node 0',
      async () => (await n0.query<{ n: string }>('SELECT count(*) AS n FROM rec'))[0]?.n === '2',
      30_000,
      200,
    );
    expect((await n0.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r).toBe(true);
    expect((await engine.snapshot()).recoveryInProgress).toBe(false);
  });

  // Once per suite, not per runner: registered only for one of them (so nothing shows as skipped).
  if (runner === 'extension')
    it('a failing 1st stage is reported with its exit code and output; the node stays down; a fixed run succeeds', async () => {
      await n0.stop('immediate');
      await waitFor('node 0 down', () => engine.state.node(0)?.status === 'down', 30_000);
      await engine.failover.idle();
      config.recovery_1st_stage_command = 'recovery-fail.sh';
      const { run } = await recover(0);
      expect(run.outcome).toBe('failed');
      const failed = run.stages[0]!;
      expect(failed).toMatchObject({ name: 'first_stage', outcome: 'failed', exitCode: 1 });
      expect(failed.output).toContain('could not connect to server (simulated)');
      expect(run.stages.slice(1).map((s) => s.outcome)).toEqual(['skipped', 'skipped', 'skipped']);
      expect(run.error).toContain('failed at stage first_stage');
      expect(run.error).toContain('recovery-fail.sh');
      expect(run.error).toContain('exit code: 1');
      expect(run.error).toContain('could not connect to server (simulated)');
      expect(engine.state.node(0)?.status).toBe('down');
      // New sessions are still accepted.
      expect(await viaProxy(engine.proxyPort, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

      config.recovery_1st_stage_command = 'recovery_1st_stage';
      const again = await recover(0);
      expect(again.run.outcome).toBe('ok');
      expect(['waiting', 'up']).toContain(engine.state.node(0)?.status);
      expect((await engine.recoveryRuns()).map((r) => r.outcome)).toEqual(['ok', 'failed', 'ok']);
    });

  if (runner === 'direct')
    it('the real pcp_recovery_node -w recovers a stopped standby and answers when done', async () => {
      await n0.stop('immediate');
      await waitFor('node 0 down', () => engine.state.node(0)?.status === 'down', 30_000);
      await engine.failover.idle();
      const t0 = Date.now();
      const r = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) =>
        execFile(
          '/usr/sbin/pcp_recovery_node',
          ['-h', '127.0.0.1', '-p', String(pcpPort), '-U', 'pgwarden', '-w', '-n', '0'],
          { env: { ...process.env, PCPPASSFILE: path.join(dir, 'pcppass') }, timeout: 90_000 },
          (err, stdout, stderr) =>
            resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : -1) : 0 }),
        ),
      );
      console.log(`[recovery ${runner}] pcp_recovery_node: ${Date.now() - t0} ms`);
      // The stage NOTICEs pgwarden sends meanwhile are shown by libpcp only with -d: nothing on stderr.
      expect(r).toMatchObject({ stdout: 'pcp_recovery_node -- Command Successful\n', stderr: '', code: 0 });
      expect(['waiting', 'up']).toContain(engine.state.node(0)?.status);
      const runs = await engine.recoveryRuns();
      expect(runs.at(-1)?.actor).toEqual({ name: 'pgwarden', interface: 'pcp' });
      // Refused while the node is alive: pgpool's message.
      const again = await new Promise<string>((resolve) =>
        execFile(
          '/usr/sbin/pcp_recovery_node',
          ['-h', '127.0.0.1', '-p', String(pcpPort), '-U', 'pgwarden', '-w', '-n', '0'],
          { env: { ...process.env, PCPPASSFILE: path.join(dir, 'pcppass') }, timeout: 30_000 },
          (_err, _stdout, stderr) => resolve(stderr),
        ),
      );
      expect(again).toMatch(/ERROR: .*alive/);
    });
});
