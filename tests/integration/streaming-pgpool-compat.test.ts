/**
 * SHOW pool_* compatibility with the real thing (issue #3 must-show): Debian's pgpool-II 4.3 and pgwarden run side by
 * side on the same 3-node streaming cluster from the same pgpool.conf (bench/targets/pgpool-conf.ts, which the
 * benchmark also gives both), each on its own port. For every SHOW command the column names and order must be
 * identical, and the values whose format does not depend on the implementation (status, role, lb_weight, counters,
 * replication state, timestamps, version) must match in value or in format.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chownPg, spawnDaemon, type Daemon } from '../../bench/proc';
import { writePoolConf } from '../../bench/targets/pgpool-conf';
import { PGPOOL_BIN } from '../../bench/targets/pgpool';
import { loadConfig } from '../../server/engine/config';
import { startEngine, type Engine } from '../../server/engine/engine';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { createCluster, freePort, releasePort, type PgCluster } from '../helpers/pg-cluster';

interface Result {
  columns: string[];
  rows: string[][];
}

async function show(port: number, sql: string): Promise<Result> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const r = await c.query({ text: sql, rowMode: 'array' });
    return {
      columns: r.fields.map((f) => f.name),
      rows: (r.rows as unknown[][]).map((row) =>
        row.map((v) => (v === null ? '<null>' : typeof v === 'string' ? v : JSON.stringify(v))),
      ),
    };
  } finally {
    await c.end();
  }
}

const COMMANDS = [
  'pool_nodes',
  'pool_processes',
  'pool_pools',
  'pool_status',
  'pool_version',
  'pool_health_check_stats',
  'pool_backend_stats',
];

describe('SHOW pool_* against Debian pgpool-II 4.3 on the same cluster', () => {
  let cluster: PgCluster;
  let dir: string;
  let pgpool: Daemon | null = null;
  let engine: Engine | null = null;
  let pgpoolPort = 0;
  let ports: number[] = [];
  let pcpPass = '';
  const out = new Map<string, { pgpool: Result; pgwarden: Result }>();

  beforeAll(async () => {
    cluster = await createCluster({ mode: 'streaming', nodes: 3 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'pgw-compat-'));
    chownPg(dir);
    ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    pgpoolPort = ports[0]!;
    const files = writePoolConf({
      dir: path.join(dir, 'pgpool'),
      mode: 'streaming_replication',
      cluster,
      port: pgpoolPort,
      pcpPort: ports[1]!,
      numInitChildren: 4,
    });
    // Both need sr_check and health checks running for replication_state and the health-check statistics.
    pcpPass = path.join(dir, 'pcppass');
    writeFileSync(pcpPass, `*:*:postgres:postgres\n`, { mode: 0o600 });
    appendFileSync(
      files.pgpoolConf,
      "sr_check_period = 1\nhealth_check_period = 1\nhealth_check_user = 'postgres'\n",
    );
    pgpool = spawnDaemon(
      'pgpool-compat',
      PGPOOL_BIN,
      ['-n', '-D', '-f', files.pgpoolConf, '-F', files.pcpConf],
      {
        logFile: path.join(files.logDir, 'pgpool.log'),
        asPostgres: true,
        cwd: files.dir,
      },
    );
    const daemon = pgpool;
    await waitFor(
      'pgpool accepting queries',
      async () => {
        if (!daemon.isAlive()) throw new Error(`pgpool exited, see ${daemon.logFile}`);
        return show(pgpoolPort, 'SELECT 1').then(
          () => true,
          () => false,
        );
      },
      30_000,
    );

    const wdir = path.join(dir, 'pgwarden');
    const loaded = loadConfig({
      pgpoolConf: files.pgpoolConf,
      pcpConf: null,
      hbaConf: null,
      overrides: {
        port: ports[2]!,
        pcp_port: ports[3]!,
        socket_dir: wdir,
        pcp_socket_dir: wdir,
        logdir: wdir,
        pid_file_name: path.join(wdir, 'pgwarden.pid'),
      },
    });
    expect(loaded.errors).toEqual([]);
    mkdirSync(wdir, { recursive: true });
    engine = await startEngine({
      config: loaded.config!,
      logger: recordingLogger().logger,
      discardStatus: true,
      pcp: false,
    });
    // Same traffic through both, then both sr_checks have seen the standbys streaming.
    for (const port of [pgpoolPort, engine.proxyPort]) {
      for (let i = 0; i < 6; i++) await show(port, 'SELECT 1');
    }
    await waitFor(
      'both report streaming standbys',
      async () => {
        // A node turns from waiting to up once a session uses it: keep sessions coming until all are used.
        await show(pgpoolPort, 'SELECT 1');
        await show(engine!.proxyPort, 'SELECT 1');
        const a = await show(pgpoolPort, 'SHOW pool_nodes');
        const b = await show(engine!.proxyPort, 'SHOW pool_nodes');
        const st = (r: Result) => r.rows.map((row) => `${row[3]}:${row[11]}`).join(',');
        return st(a) === 'up:,up:streaming,up:streaming' && st(b) === st(a);
      },
      30_000,
    );
    for (const name of COMMANDS) {
      out.set(name, {
        pgpool: await show(pgpoolPort, `SHOW ${name}`),
        pgwarden: await show(engine.proxyPort, `SHOW ${name}`),
      });
    }
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await pgpool?.stop('SIGINT', 10_000);
    await cluster?.destroy();
    for (const p of ports) releasePort(p);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
  const TIME_OR_EMPTY = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)?$/;
  const INT = /^\d+$/;
  const F6 = /^\d+\.\d{6}$/;
  const PROCESS_STATUS = ['Wait for connection', 'Idle', 'Idle in transaction', 'Execute command'];
  const get = (name: string) => out.get(name)!;
  /** Column `c` of every row, by name. */
  const col = (r: Result, c: string): string[] => r.rows.map((row) => row[r.columns.indexOf(c)]!);

  it('every SHOW command has the column names of pgpool 4.3.5 in its order', () => {
    for (const name of COMMANDS) {
      const r = get(name);
      expect({ name, columns: r.pgwarden.columns }).toEqual({ name, columns: r.pgpool.columns });
    }
  });

  it('pool_nodes: the same values, counters and times in the same formats', () => {
    const { pgpool: p, pgwarden: w } = get('pool_nodes');
    expect(w.rows.length).toBe(p.rows.length);
    for (const c of [
      'node_id',
      'hostname',
      'port',
      'status',
      'pg_status',
      'lb_weight',
      'role',
      'pg_role',
      'replication_delay',
      'replication_state',
      'replication_sync_state',
    ])
      expect({ c, v: col(w, c) }).toEqual({ c, v: col(p, c) });
    for (const r of [p, w]) {
      expect(col(r, 'select_cnt').every((v) => INT.test(v))).toBe(true);
      expect(col(r, 'last_status_change').every((v) => TIME.test(v))).toBe(true);
      expect(col(r, 'load_balance_node').filter((v) => v === 'true').length).toBe(1);
      expect(col(r, 'load_balance_node').every((v) => v === 'true' || v === 'false')).toBe(true);
    }
  });

  it('pool_status: the same items in the same order, the same descriptions and value formats', () => {
    const { pgpool: p, pgwarden: w } = get('pool_status');
    expect(col(w, 'item')).toEqual(col(p, 'item'));
    expect(col(w, 'description')).toEqual(col(p, 'description'));
    // Items whose values are this instance's own (ports, directories) or a time.
    const own = new Set(['port', 'socket_dir', 'pcp_port', 'pcp_socket_dir', 'pid_file_name', 'logdir']);
    const pv = new Map(p.rows.map((r) => [r[0]!, r[1]!]));
    const diffs = w.rows
      .filter((r) => !own.has(r[0]!) && r[0] !== 'memqcache_stats_start_time' && pv.get(r[0]!) !== r[1])
      .map((r) => `${r[0]}: pgpool ${JSON.stringify(pv.get(r[0]!))}, pgwarden ${JSON.stringify(r[1])}`);
    expect(diffs).toEqual([]);
    const ctime = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\n$/;
    expect(pv.get('memqcache_stats_start_time')).toMatch(ctime);
    expect(w.rows.find((r) => r[0] === 'memqcache_stats_start_time')?.[1]).toMatch(ctime);
  });

  it('pool_processes and pool_pools: one row per slot, the process states and formats of pgpool', () => {
    const procs = get('pool_processes');
    expect(procs.pgwarden.rows.length).toBe(procs.pgpool.rows.length); // num_init_children = 4
    for (const r of [procs.pgpool, procs.pgwarden]) {
      expect(col(r, 'pool_pid').every((v) => INT.test(v))).toBe(true);
      expect(col(r, 'start_time').every((v) => TIME.test(v))).toBe(true);
      expect(col(r, 'backend_connection_time').every((v) => TIME_OR_EMPTY.test(v))).toBe(true);
      expect(col(r, 'status').every((v) => PROCESS_STATUS.includes(v))).toBe(true);
      expect(col(r, 'status')).toContain('Wait for connection');
      // The session asking is the one executing a command.
      expect(col(r, 'status').filter((v) => v === 'Execute command').length).toBe(1);
    }
    const pools = get('pool_pools');
    for (const r of [pools.pgpool, pools.pgwarden]) {
      expect(col(r, 'status').every((v) => PROCESS_STATUS.includes(v))).toBe(true);
      expect(col(r, 'status')).toContain('Execute command');
      for (const c of [
        'pool_id',
        'backend_id',
        'majorversion',
        'minorversion',
        'pool_counter',
        'pool_connected',
      ])
        expect({ c, ok: col(r, c).every((v) => INT.test(v)) }).toEqual({ c, ok: true });
      for (const c of ['backend_connection_time', 'client_connection_time', 'client_disconnection_time'])
        expect({ c, ok: col(r, c).every((v) => TIME_OR_EMPTY.test(v)) }).toEqual({ c, ok: true });
      expect(col(r, 'majorversion').filter((v) => v !== '0')).toEqual(
        col(r, 'majorversion').filter((v) => v === '3'),
      );
    }
  });

  it('pool_health_check_stats and pool_backend_stats: same identity columns, same number formats', () => {
    const hc = get('pool_health_check_stats');
    for (const c of ['node_id', 'hostname', 'port', 'status', 'role'])
      expect({ c, v: col(hc.pgwarden, c) }).toEqual({ c, v: col(hc.pgpool, c) });
    for (const r of [hc.pgpool, hc.pgwarden]) {
      for (const c of [
        'total_count',
        'success_count',
        'fail_count',
        'skip_count',
        'retry_count',
        'max_retry_count',
      ])
        expect({ c, ok: col(r, c).every((v) => INT.test(v)) }).toEqual({ c, ok: true });
      for (const c of ['max_duration', 'min_duration'])
        expect({ c, ok: col(r, c).every((v) => INT.test(v)) }).toEqual({ c, ok: true });
      for (const c of ['average_retry_count', 'average_duration'])
        expect({ c, ok: col(r, c).every((v) => F6.test(v)) }).toEqual({ c, ok: true });
      for (const c of ['last_status_change', 'last_health_check', 'last_successful_health_check'])
        expect({ c, ok: col(r, c).every((v) => TIME.test(v)) }).toEqual({ c, ok: true });
      for (const c of ['last_skip_health_check', 'last_failed_health_check'])
        expect({ c, ok: col(r, c).every((v) => TIME_OR_EMPTY.test(v)) }).toEqual({ c, ok: true });
    }
    const bs = get('pool_backend_stats');
    for (const c of ['node_id', 'hostname', 'port', 'status', 'role'])
      expect({ c, v: col(bs.pgwarden, c) }).toEqual({ c, v: col(bs.pgpool, c) });
    for (const r of [bs.pgpool, bs.pgwarden])
      for (const c of r.columns.slice(5))
        expect({ c, ok: col(r, c).every((v) => INT.test(v)) }).toEqual({ c, ok: true });
    // Both counted the same six `SELECT 1` sessions as selects (pgpool also counts its reset queries as other).
    const sum = (r: Result) => col(r, 'select_cnt').reduce((a, v) => a + Number(v), 0);
    expect(sum(bs.pgwarden)).toBeGreaterThanOrEqual(6);
    expect(sum(bs.pgpool)).toBeGreaterThanOrEqual(6);
  });

  it('pool_version: the pgpool string byte for byte, then the pgwarden identity', () => {
    const v = get('pool_version');
    expect(v.pgpool.rows).toEqual([['4.3.5 (tamahomeboshi)']]);
    expect(v.pgwarden.rows[0]![0]!.startsWith(v.pgpool.rows[0]![0]!)).toBe(true);
  });

  it('a detached standby (pcp_detach_node on pgpool, detachNode on pgwarden): the same pool_nodes values', async () => {
    await promisify(execFile)(
      '/usr/sbin/pcp_detach_node',
      ['-h', '127.0.0.1', '-p', String(ports[1]), '-U', 'postgres', '-w', '-n', '2'],
      { env: { ...process.env, PCPPASSFILE: pcpPass }, timeout: 20_000 },
    );
    await engine!.detachNode(2, { actor: { name: 'test', interface: 'cli' } });
    const row = async (port: number) => (await show(port, 'SHOW pool_nodes')).rows[2]!;
    await waitFor('node 2 down on both', async () => (await row(pgpoolPort))[3] === 'down', 20_000);
    // Give both sr_checks a round on the new state.
    await new Promise((r) => setTimeout(r, 2500));
    const p = await row(pgpoolPort);
    const w = await row(engine!.proxyPort);
    const pick = (r: string[]) => [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12].map((i) => r[i]);
    console.log(`pgpool   ${p.join(' | ')}\npgwarden ${w.join(' | ')}`);
    expect(pick(w)).toEqual(pick(p));
  }, 60_000);
});
