/**
 * Failover under a real pgbench write load (TPC-B through pgwarden, 3-node streaming cluster, health_check_period 1,
 * scripts/examples/failover.sh):
 * - a standby stopped while pgbench writes: no client transaction fails, failover_command runs and says "not
 *   primary", auto_failback brings the standby back once it streams again;
 * - the primary killed with `pg_ctl stop -m immediate`: failover_command gets every placeholder, promotes node 1,
 *   SHOW pool_nodes shows node 0 down and node 1 primary, writes work again (kill -> first write measured and
 *   printed), `createdb foo` through pgwarden works.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { createCluster, type PgCluster, type PgNode } from '../helpers/pg-cluster';

const EXAMPLES = path.resolve(__dirname, '../../scripts/examples');
const DB = 'bench';

interface PgbenchResult {
  code: number | null;
  out: string;
  failed: number | null;
  processed: number | null;
}

/** pgbench TPC-B through pgwarden for `seconds`, killed after a generous bound. */
function pgbench(port: number, seconds: number, clients = 4): Promise<PgbenchResult> {
  return new Promise((resolve) => {
    const args = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-n'];
    args.push('-T', String(seconds), '-c', String(clients), '-j', '2', DB);
    const child = spawn('pgbench', args, { env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const failed = /number of failed transactions: (\d+)/.exec(out);
      const processed = /number of transactions actually processed: (\d+)/.exec(out);
      resolve({
        code,
        out,
        failed: failed ? Number(failed[1]) : null,
        processed: processed ? Number(processed[1]) : null,
      });
    });
  });
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

/** A writer on its own connection, reconnecting 10 ms after an error: the first INSERT sent at/after `from`
 * that succeeds. */
async function firstWriteAfter(port: number, from: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const c = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: DB,
      connectionTimeoutMillis: 3000,
    });
    c.on('error', () => undefined);
    try {
      await c.connect();
      for (;;) {
        const sent = Date.now();
        await c.query('INSERT INTO failover_probe VALUES (now())');
        if (sent >= from) return Date.now();
      }
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  throw new Error(`no successful write within ${timeoutMs} ms`);
}

describe('failover under pgbench load (3 nodes)', () => {
  let cluster: PgCluster;
  let dir: string;
  let engine: Engine;
  let lines: string[];
  const flog = () => path.join(dir, 'failover.log');
  const read = (f: string) => readFile(f, 'utf8').catch(() => '');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-failover-load-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 3 });
    const p = cluster.primary;
    await p.query(`CREATE DATABASE ${DB}`);
    const init = await run('pgbench', [
      '-i',
      '-q',
      '-s',
      '1',
      '-h',
      p.host,
      '-p',
      String(p.port),
      '-U',
      'postgres',
      DB,
    ]);
    expect(init.code, init.out).toBe(0);
    await p.query('CREATE TABLE failover_probe (t timestamptz)', [], DB);
    const config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      {
        logdir: dir,
        healthCheck: { period: 1, timeout: 2, max_retries: 0, retry_delay: 1, connect_timeout: 1000 },
        failover_command: `FAILOVER_LOG=${flog()} ${EXAMPLES}/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S`,
        auto_failback: true,
        auto_failback_interval: 1,
        num_init_children: 16,
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

  it('a standby stopped under pgbench: no transaction fails, failover_command says "not primary", auto_failback re-attaches it', async () => {
    const e = engine;
    const n2 = cluster.nodes[2] as PgNode;
    await waitFor('node 2 streaming', () => e.state.node(2)?.replicationState === 'streaming', 20_000);
    const bench = pgbench(e.proxyPort, 8);
    await new Promise((r) => setTimeout(r, 2500));
    await n2.stop('fast');
    await waitFor('node 2 down', () => e.state.node(2)?.status === 'down', 20_000);
    const r = await bench;
    console.log(
      `[failover-load] standby stop under pgbench: ${r.processed} transactions, ${r.failed} failed; node 2 reason: ${e.state.node(2)?.reason?.message}`,
    );
    // A pgbench that had to be killed (code null) hung: show what each session was doing then.
    expect(r.code, r.code === null ? JSON.stringify(await e.sessions()) : r.out).toBe(0);
    expect(r.out).not.toMatch(/aborted/);
    expect(r.failed, r.out).toBe(0);
    expect(r.processed).toBeGreaterThan(0);
    await e.failover.idle();
    const log = await read(flog());
    expect(log).toMatch(new RegExp(`args: 2 127\\.0\\.0\\.1 ${n2.port} ${n2.dataDir} 0 `));
    expect(log).toContain('failed node was not primary: nothing to do');
    expect(e.state.primaryNodeId).toBe(0);

    await n2.start();
    await waitFor('auto failback of node 2', () => e.state.isValid(2), 40_000);
    expect((await e.events()).some((ev) => ev.nodeId === 2 && ev.reason?.code === 'auto_failback')).toBe(
      true,
    );
    // waiting -> up once a session uses it again (load balancing picks it about one session in three).
    await waitFor(
      'node 2 up again',
      async () => {
        const c = new pg.Client({ host: '127.0.0.1', port: e.proxyPort, user: 'postgres', database: DB });
        c.on('error', () => undefined);
        await c.connect();
        await c.query('SELECT abalance FROM pgbench_accounts LIMIT 1');
        await c.end();
        return e.state.node(2)?.status === 'up';
      },
      30_000,
      20,
    );
  }, 120_000);

  it('the primary killed under pgbench: promoted standby, SHOW pool_nodes, writes again, createdb', async () => {
    const e = engine;
    const [n0, n1] = cluster.nodes as [PgNode, PgNode];
    const bench = pgbench(e.proxyPort, 8);
    await new Promise((r) => setTimeout(r, 2500));
    const tKill = Date.now();
    await n0.stop('immediate');
    const tStopped = Date.now();
    const tWrite = await firstWriteAfter(e.proxyPort, tStopped, 30_000);
    const r = await bench;
    await e.failover.idle();
    const evs = e.state.events();
    const at = (ev: { time: Date } | undefined): string => (ev ? `+${ev.time.getTime() - tKill}` : '?');
    const down = evs.find((ev) => ev.kind === 'failover_started' && ev.nodeId === 0);
    const cmd = evs.find((ev) => ev.kind === 'command_executed' && ev.nodeId === 0);
    const done = evs.find((ev) => ev.kind === 'failover_finished' && ev.nodeId === 0);
    const cmdMs = Number(cmd?.details?.durationMs ?? NaN);
    console.log(
      `[failover-load] kill -> first successful write through pgwarden: ${tWrite - tKill} ms ` +
        `(pg_ctl stop ${tStopped - tKill} ms; failover started ${at(down)} ms by ${down?.reason?.code}; ` +
        `failover_command ${cmd ? `+${cmd.time.getTime() - cmdMs - tKill}..${at(cmd)}` : '?'} ms; ` +
        `failover done ${at(done)} ms); pgbench: exit ${r.code}, ${r.processed} transactions`,
    );

    const log = await read(flog());
    expect(log).toContain(
      `args: 0 127.0.0.1 ${n0.port} ${n0.dataDir} 1 127.0.0.1 0 0 ${n1.port} ${n1.dataDir} 127.0.0.1 ${n0.port}`,
    );
    expect(log).toContain('promoted node 1');
    expect(cmd?.outcome).toBe('ok');
    expect((await n1.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r).toBe(false);
    expect(e.state.primaryNodeId).toBe(1);
    expect(lines.some((l) => /failover done/.test(l))).toBe(true);

    const show = await run('psql', [
      '-X',
      '-A',
      '-t',
      '-F',
      '|',
      '-h',
      '127.0.0.1',
      '-p',
      String(e.proxyPort),
      '-U',
      'postgres',
      '-d',
      DB,
      '-c',
      'SHOW pool_nodes',
    ]);
    expect(show.code, show.out).toBe(0);
    const rows = show.out
      .trim()
      .split('\n')
      .map((l) => l.split('|'));
    // node_id|hostname|port|status|pg_status|lb_weight|role|pg_role|...
    expect(rows[0]?.slice(0, 4)).toEqual(['0', '127.0.0.1', String(n0.port), 'down']);
    expect(rows[1]?.[3]).toMatch(/^(up|waiting)$/);
    expect(rows[1]?.[6]).toBe('primary');

    const created = await run('createdb', [
      '-h',
      '127.0.0.1',
      '-p',
      String(e.proxyPort),
      '-U',
      'postgres',
      'foo',
    ]);
    expect(created.code, created.out).toBe(0);
    expect(await n1.query("SELECT 1 FROM pg_database WHERE datname = 'foo'")).toHaveLength(1);
    expect(tWrite - tKill).toBeLessThan(15_000);
  }, 120_000);
});
