/**
 * Native replication under load on 3 independent PostgreSQL nodes (issue #6 must-show): `pgbench -i` and 30 s of
 * TPC-B at 8 clients through pgwarden (simple protocol), then shorter runs with -M extended and -M prepared, while
 * other clients insert into a SERIAL + DEFAULT CURRENT_TIMESTAMP table (simple protocol, and the extended protocol
 * with parameters for a time-default table); afterwards every table's ordered contents have the same checksum on
 * the three nodes. Then a read-only pgbench -S spreads over the nodes by weight (pg_stat_user_tables per node).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger } from '../../server/engine/failover/testing/wait';
import { createCluster, type PgCluster } from '../helpers/pg-cluster';
import { pgbench } from '../helpers/proxy-pgbench';
import { tableChecksums } from '../helpers/table-checksums';

const WEIGHTS = [1, 1, 2];

describe('native replication: pgbench through pgwarden keeps 3 nodes identical', () => {
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
  const client = async (): Promise<pg.Client> => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port: engine.proxyPort,
      user: 'postgres',
      database: 'postgres',
    });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-np-'));
    cluster = await createCluster({ mode: 'independent', nodes: 3 });
    const config = testConfig(
      cluster.nodes.map((n, i) => ({
        port: n.port,
        dataDir: n.dataDir,
        applicationName: n.name,
        weight: WEIGHTS[i],
      })),
      {
        backend_clustering_mode: 'native_replication',
        load_balance_mode: true,
        logdir: dir,
        healthCheck: { period: 0 },
        num_init_children: 64,
      },
    );
    engine = await startEngine({ config, logger: recordingLogger().logger, pcp: false });
    const init = await pgbench(['-i', '-s', '1', '-q', ...conn()], 120_000);
    expect(init.code, init.stderr).toBe(0);
    const c = await client();
    try {
      await c.query(
        'CREATE TABLE np_serial (id serial PRIMARY KEY, who int, n int, at timestamptz DEFAULT CURRENT_TIMESTAMP)',
      );
      await c.query(
        'CREATE TABLE np_ext (id serial PRIMARY KEY, who int, n int, at timestamptz DEFAULT CURRENT_TIMESTAMP, d date)',
      );
    } finally {
      await c.end();
    }
  }, 180_000);

  afterAll(async () => {
    await engine?.stop('immediate');
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  /** Inserts until `stop` from `n` clients; returns the acknowledged inserts. */
  const inserters = (n: number, stop: () => boolean, extended: boolean): Promise<number> =>
    Promise.all(
      Array.from({ length: n }, async (_, who) => {
        const c = await client();
        let done = 0;
        try {
          while (!stop()) {
            if (extended)
              await c.query('INSERT INTO np_ext (who, n, d) VALUES ($1, $2, CURRENT_DATE)', [who, done]);
            else await c.query(`INSERT INTO np_serial (who, n) VALUES (${who}, ${done})`);
            done++;
          }
        } finally {
          await c.end();
        }
        return done;
      }),
    ).then((a) => a.reduce((x, y) => x + y, 0));

  it('30 s TPC-B -c 8, then -M extended and -M prepared, with concurrent inserts: identical checksums', async () => {
    let stopped = false;
    const serial = inserters(3, () => stopped, false);
    const ext = inserters(3, () => stopped, true);
    const t0 = Date.now();
    const simple = await pgbench(['-n', '-c', '8', '-j', '2', '-T', '30', ...conn()], 120_000);
    const extended = await pgbench(
      ['-n', '-M', 'extended', '-c', '8', '-j', '2', '-T', '8', ...conn()],
      60_000,
    );
    const prepared = await pgbench(
      ['-n', '-M', 'prepared', '-c', '8', '-j', '2', '-T', '8', ...conn()],
      60_000,
    );
    stopped = true;
    const [serialDone, extDone] = await Promise.all([serial, ext]);
    console.log(
      `native pgbench: simple ${simple.tps} tps, extended ${extended.tps} tps, prepared ${prepared.tps} tps; ` +
        `serial inserts ${serialDone}, extended inserts ${extDone}; ${Date.now() - t0} ms`,
    );
    for (const r of [simple, extended, prepared]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.failed).toBe(0);
      expect(r.tps).toBeGreaterThan(0);
    }
    expect(serialDone).toBeGreaterThan(0);
    expect(extDone).toBeGreaterThan(0);
    const sums = await Promise.all(cluster.nodes.map((n) => tableChecksums(n)));
    console.log('checksums node 0:', sums[0]);
    expect(Object.keys(sums[0]!)).toEqual(
      expect.arrayContaining([
        'pgbench_accounts',
        'pgbench_branches',
        'pgbench_history',
        'np_serial',
        'np_ext',
      ]),
    );
    const processed = [simple, extended, prepared].map((r) =>
      Number(/number of transactions actually processed: (\d+)/.exec(r.stdout)?.[1] ?? NaN),
    );
    expect(sums[0]!.pgbench_history).toBe(
      `${processed.reduce((a, b) => a + b, 0)}:${sums[0]!.pgbench_history!.split(':')[1]}`,
    );
    expect(sums[0]!.np_serial!.startsWith(`${serialDone}:`)).toBe(true);
    expect(sums[1]).toEqual(sums[0]);
    expect(sums[2]).toEqual(sums[0]);
  }, 240_000);
  it('read-only pgbench -S at 8 clients spreads over the nodes by weight (pg_stat_user_tables per node)', async () => {
    // Index scans of pgbench_accounts: only the -S statement makes them (session setup and resets do not).
    const commits = async (): Promise<number[]> =>
      Promise.all(
        cluster.nodes.map(async (n) =>
          Number(
            (
              await n.query<{ x: string }>(
                "SELECT coalesce(idx_scan, 0)::text AS x FROM pg_stat_user_tables WHERE relname = 'pgbench_accounts'",
              )
            )[0]!.x,
          ),
        ),
      );
    /** Counters are flushed by idle backends within ~10 s (PostgreSQL 15 PGSTAT_IDLE_INTERVAL): wait until still. */
    const settled = async (): Promise<number[]> => {
      let last = await commits();
      for (let i = 0; i < 12; i++) {
        await new Promise((r) => setTimeout(r, 2000));
        const now = await commits();
        if (now.every((v, k) => v === last[k])) return now;
        last = now;
      }
      return last;
    };
    let mark = await settled();
    const spread = async (seconds: string, args: string[]): Promise<number[]> => {
      const before = mark;
      const r = await pgbench(['-n', '-S', '-c', '8', '-j', '2', '-T', seconds, ...args, ...conn()], 60_000);
      expect(r.code, r.stderr).toBe(0);
      expect(r.failed).toBe(0);
      mark = await settled();
      return mark.map((v, k) => v - before[k]!);
    };
    // A new session per transaction (-C): pgwarden picks each session's load-balance node by weight.
    const perTx = await spread('10', ['-C']);
    const total = perTx.reduce((a, b) => a + b, 0);
    const shares = perTx.map((v) => v / total);
    const persistent = await spread('5', []);
    console.log(
      `-S -C: pgbench_accounts index scans per node ${perTx.join('/')} shares ${shares.map((x) => x.toFixed(3)).join('/')};` +
        ` -S (8 sessions): ${persistent.join('/')}; weights ${WEIGHTS.join('/')}`,
    );
    expect(total).toBeGreaterThan(200);
    const wsum = WEIGHTS.reduce((a, b) => a + b, 0);
    WEIGHTS.forEach((w, k) => expect(Math.abs(shares[k]! - w / wsum)).toBeLessThan(0.1));
    // 8 sessions: each on one node, so at least two nodes served reads.
    expect(persistent.filter((v) => v > 50).length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
