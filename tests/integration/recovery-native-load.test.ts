/**
 * Online recovery in native replication mode under load (issue #4 must-show, reference §6.2) on 3 independent
 * nodes: node 2 is stopped and detached, a TPC-B pgbench runs through pgwarden, and node 2 is recovered through
 * the engine API (example scripts: base backup in the 1st stage while the load runs, archived WAL in the 2nd).
 *
 * pgbench runs with -C (a new session per transaction): pgpool's 2nd stage needs every client session to end
 * (wait_clients), which a pgbench holding its 8 connections never does (without client_idle_limit_in_recovery it
 * is a recovery_timeout failure, as in pgpool). With -C each transaction ends its session, new sessions are held
 * in the admission queue from block_clients until unblock (no pgbench_history row has a time in that window), then the
 * load resumes. Afterwards the three nodes hold identical data (every table's ordered checksum).
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { waitForRecoveryRun } from '../../server/engine/pcp/commands/recovery-node';
import { createCluster, type PgCluster } from '../helpers/pg-cluster';
import { tableChecksums } from '../helpers/table-checksums';

const EXAMPLES = path.resolve(__dirname, '../../scripts/examples');
const ACTOR = { name: 'test', interface: 'cli' } as const;

function run(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'pgbench',
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, PGCONNECT_TIMEOUT: '120' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('online recovery, native replication, under a pgbench load', () => {
  let cluster: PgCluster;
  let dir: string;
  let engine: Engine;
  const conn = (): string[] => [
    '-h',
    '127.0.0.1',
    '-p',
    String(engine.proxyPort),
    '-U',
    'postgres',
    'postgres',
  ];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-rnl-'));
    cluster = await createCluster({ mode: 'independent', nodes: 3, pgpoolRecovery: true });
    const main = cluster.nodes[0]!;
    for (const f of await readdir(EXAMPLES)) {
      await copyFile(path.join(EXAMPLES, f), path.join(main.dataDir, f));
      await chmod(path.join(main.dataDir, f), 0o755);
    }
    const config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      {
        backend_clustering_mode: 'native_replication',
        logdir: dir,
        healthCheck: { period: 1, timeout: 10, max_retries: 2, retry_delay: 1, connect_timeout: 5000 },
        recovery_user: 'postgres',
        recovery_1st_stage_command: 'recovery_1st_stage.sh',
        recovery_2nd_stage_command: 'recovery_2nd_stage.sh',
        recovery_timeout: 60,
        recovery_script_runner: 'extension',
        num_init_children: 32,
      },
    );
    engine = await startEngine({ config, logger: recordingLogger().logger, pcp: false });
    const init = await run(['-i', '-s', '1', '-q', ...conn()], 120_000);
    expect(init.code, init.stderr).toBe(0);
    await cluster.nodes[2]!.stop('immediate');
    await waitFor('node 2 down', () => engine.state.node(2)?.status === 'down', 30_000);
    await engine.failover.idle();
  }, 180_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('the load waits during the 2nd stage, resumes after attach; the three nodes are identical', async () => {
    const t0 = Date.now();
    const load = run(['-n', '-C', '-c', '4', '-j', '4', '-T', '30', '-P', '1', ...conn()], 180_000);
    await new Promise((r) => setTimeout(r, 4000));
    const id = await engine.startRecovery(2, { actor: ACTOR });
    const rec = await waitForRecoveryRun(engine, id, 500);
    const r = await load;
    const stages = rec.stages.map((s) => ({
      name: s.name,
      outcome: s.outcome,
      from: +(s.startedAt ?? 0) - t0,
      to: +(s.endedAt ?? 0) - t0,
    }));
    // pgbench -P 1: "progress: 12.0 s, 85.0 tps, ..." per second since its start (t0 give or take its connect).
    const progress = [...r.stderr.matchAll(/progress: ([\d.]+) s, ([\d.]+) tps/g)].map((m) => ({
      at: Number(m[1]) * 1000,
      tps: Number(m[2]),
    }));
    const processed = Number(/number of transactions actually processed: (\d+)/.exec(r.stdout)?.[1] ?? NaN);
    console.log(
      `recovery under load: ${stages.map((s) => `${s.name} ${s.outcome} ${s.from}-${s.to} ms`).join(', ')}; ` +
        `pgbench -C processed ${processed}, progress ${progress.map((p) => `${p.at / 1000}s:${p.tps}`).join(' ')}`,
    );
    expect(rec.error, JSON.stringify(stages)).toBeNull();
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(/number of failed transactions: (\d+)/.exec(r.stdout)?.[1]).toBe('0');
    const block = stages.find((s) => s.name === 'block_clients')!;
    const wait = stages.find((s) => s.name === 'wait_clients')!;
    const unblock = stages.find((s) => s.name === 'unblock')!;
    expect(stages.map((s) => s.outcome)).toEqual(stages.map(() => 'ok'));
    // Transactions ran during the 1st stage (before the block) and after the unblock (resumed).
    expect(progress.filter((p) => p.at <= block.from && p.tps > 0).length).toBeGreaterThan(0);
    expect(progress.filter((p) => p.at - 1000 >= unblock.to && p.tps > 0).length).toBeGreaterThan(0);
    // pgbench_history.mtime is each transaction's now() on the main node (rewritten, the same on every node): no
    // transaction starts between the end of wait_clients and unblock (new sessions are held), some start after.
    const at = (ms: number): string => new Date(t0 + ms).toISOString();
    const counts = (
      await cluster.nodes[0]!.query<{ held: string; after: string }>(
        `SELECT count(*) FILTER (WHERE mtime >= '${at(wait.to + 50)}'::timestamptz
                                   AND mtime < '${at(unblock.from - 50)}'::timestamptz)::text AS held,
                count(*) FILTER (WHERE mtime >= '${at(unblock.to)}'::timestamptz)::text AS after
         FROM pgbench_history`,
      )
    )[0]!;
    console.log(
      `transactions started while held (${wait.to}-${unblock.from} ms): ${counts.held}; after unblock: ${counts.after}`,
    );
    expect(counts.held).toBe('0');
    expect(Number(counts.after)).toBeGreaterThan(0);
    await waitFor(
      'node 2 attached',
      () => ['up', 'waiting'].includes(engine.state.node(2)?.status ?? ''),
      30_000,
    );
    const sums = await Promise.all(cluster.nodes.map((n) => tableChecksums(n)));
    console.log('checksums after recovery (node 0):', sums[0]);
    expect(Number(sums[0]!.pgbench_history!.split(':')[0])).toBe(processed);
    expect(sums[1]).toEqual(sums[0]);
    expect(sums[2]).toEqual(sums[0]);
  }, 240_000);
});
