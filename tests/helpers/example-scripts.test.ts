// The DBA example scripts (scripts/examples) and the pgwarden config writer, against real clusters. The recovery
// scripts run the way pgpool runs them: through the pgpool_recovery() / pgpool_remote_start() SQL functions on the
// primary (as the postgres OS user, cwd = PGDATA).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createStandby,
  freePort,
  runAsPostgres,
  useCluster,
  type PgCluster,
  type PgNode,
} from './pg-cluster';
import { EXAMPLES_DIR, installRecoveryScripts, writePgwardenConfig } from './pgwarden-process';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((e: unknown) => e as T);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${String(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs a script as pgwarden would (as ourselves, via sh), with extra env. */
function runScript(
  name: string,
  args: (string | number)[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${EXAMPLES_DIR}/${name}`, args.map(String), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out });
    });
  });
}

/** failover.sh / follow_primary.sh placeholders, as pgwarden expands them. */
function failoverArgs(
  failed: PgNode,
  newMain: PgNode | null,
  oldPrimary: PgNode | null,
): (string | number)[] {
  return [
    failed.id,
    failed.host,
    failed.port,
    failed.dataDir,
    newMain?.id ?? -1,
    newMain?.host ?? '""',
    0,
    oldPrimary?.id ?? -1,
    newMain?.port ?? '""',
    newMain?.dataDir ?? '""',
    oldPrimary?.host ?? '""',
    oldPrimary?.port ?? '""',
  ];
}

const inRecovery = async (n: PgNode): Promise<boolean> =>
  (await n.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]!.r;

describe('writePgwardenConfig', () => {
  const pgc = useCluster({
    mode: 'streaming',
    nodes: 3,
    users: [
      { name: 'postgres', password: 'pg pass' },
      { name: 'app', password: "it's" },
    ],
  });

  it('writes pgpool.conf, pcp.conf, pool_hba.conf, pool_passwd and .pcppass for the cluster', async () => {
    const cfg = await writePgwardenConfig(pgc.cluster, {
      exampleScripts: true,
      settings: { num_init_children: 8 },
    });
    try {
      const conf = readFileSync(cfg.pgpoolConf, 'utf8');
      expect(conf).toContain("backend_clustering_mode = 'streaming_replication'");
      expect(conf).toContain(`port = ${cfg.port}\n`);
      expect(conf).toContain(`pcp_port = ${cfg.pcpPort}\n`);
      for (const [i, n] of pgc.nodes.entries()) {
        expect(conf).toContain(`backend_hostname${i} = '127.0.0.1'`);
        expect(conf).toContain(`backend_port${i} = ${n.port}`);
        expect(conf).toContain(`backend_data_directory${i} = '${n.dataDir}'`);
        expect(conf).toContain(`backend_application_name${i} = '${n.name}'`);
      }
      expect(conf).toContain("health_check_password = 'pg pass'");
      expect(conf).toContain('num_init_children = 8');
      expect(conf).toContain("recovery_1st_stage_command = 'recovery_1st_stage'");
      expect(conf).toMatch(/failover_command = '.*failover\.sh %d %h %p %D %m %H %M %P %r %R %N %S'/);
      const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
      expect(readFileSync(cfg.pcpConf, 'utf8')).toContain(`pgwarden:${md5('pgwarden')}`);
      expect(readFileSync(cfg.poolPasswd, 'utf8')).toContain(`app:md5${md5("it'sapp")}`);
      expect(readFileSync(cfg.hbaConf, 'utf8')).toContain('host all all 127.0.0.1/32 trust');
      expect(readFileSync(cfg.pcpPassFile, 'utf8')).toContain(`localhost:${cfg.pcpPort}:pgwarden:pgwarden`);
      // recovery scripts installed into each data dir, owned like it
      const out = await runAsPostgres('test', ['-x', `${pgc.primary.dataDir}/recovery_1st_stage`]);
      expect(out.code).toBe(0);
    } finally {
      cfg.release();
    }
  });
});

describe('failover.sh and follow_primary.sh (streaming)', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 3 });

  it('does nothing for a standby failure, promotes the new main when the primary fails, standbys follow', async () => {
    const [n0, n1, n2] = pgc.nodes as [PgNode, PgNode, PgNode];
    const log = `${pgc.cluster.baseDir}/failover.log`;
    // A free port with no listener: pcp_attach_node fails, as when pgwarden is not running.
    const pcpPort = await freePort();
    const env = { FAILOVER_LOG: log, PCP_PORT: String(pcpPort), PCPPASSFILE: '/dev/null' };

    const standbyDown = await runScript('failover.sh', failoverArgs(n2, n0, n0), env);
    expect(standbyDown.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain('failed node was not primary');
    expect(await inRecovery(n1)).toBe(true);

    await n0.query('CREATE TABLE f (v int)');
    await n0.kill9();
    const primaryDown = await runScript('failover.sh', failoverArgs(n0, n1, n0), env);
    expect(primaryDown.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(/args: 0 127\.0\.0\.1 \d+ .*node0\/data 1 /);
    expect(await inRecovery(n1)).toBe(false);
    await n1.query('INSERT INTO f VALUES (1)');

    // follow_primary for node2: re-point, restart; pcp_attach_node fails here (no pgwarden), so exit 1.
    const follow = await runScript('follow_primary.sh', failoverArgs(n2, n1, n0).slice(0, 10), env);
    expect(readFileSync(log, 'utf8')).toContain('re-pointing node 2');
    expect(follow.code).toBe(1);
    await eventually(
      () => n1.query<{ application_name: string }>('SELECT application_name FROM pg_stat_replication'),
      (r) => Array.isArray(r) && r.some((x) => x.application_name === 'node2'),
    );
    await eventually(
      () => n2.query('SELECT v FROM f'),
      (r) => Array.isArray(r) && r.length === 1,
    );
    // The stopped old primary is skipped.
    const skipped = await runScript('follow_primary.sh', failoverArgs(n0, n1, n0).slice(0, 10), env);
    expect(skipped.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain('is not running: skipping');
  });
});

async function pgpoolRecovery(
  cluster: PgCluster,
  main: PgNode,
  script: string,
  target: PgNode,
): Promise<void> {
  await main.query(
    'SELECT pgpool_recovery($1, $2, $3, $4, $5, $6, $7)',
    [script, '127.0.0.1', target.dataDir, String(main.port), target.id, String(target.port), '127.0.0.1'],
    'template1',
  );
  void cluster;
}

describe('online recovery scripts, streaming (via pgpool_recovery on the primary)', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 2, pgpoolRecovery: true });

  it('rebuilds a lost standby with recovery_1st_stage + pgpool_remote_start', async () => {
    await installRecoveryScripts(pgc.cluster);
    const target = pgc.nodes[1]!;
    await target.kill9();
    await pgc.primary.query('CREATE TABLE r (v int)');
    await pgc.primary.query('INSERT INTO r SELECT generate_series(1, 1000)');
    await pgpoolRecovery(pgc.cluster, pgc.primary, 'recovery_1st_stage', target);
    await pgc.primary.query("SELECT pgpool_remote_start('127.0.0.1', $1)", [target.dataDir], 'template1');
    await target.waitReady(30_000);
    expect(await inRecovery(target)).toBe(true);
    const [c] = await target.query<{ n: string }>('SELECT count(*) AS n FROM r');
    expect(c!.n).toBe('1000');
    await eventually(
      () =>
        pgc.primary.query<{ state: string }>(
          "SELECT state FROM pg_stat_replication WHERE application_name = 'node1'",
        ),
      (r) => Array.isArray(r) && r[0]?.state === 'streaming',
    );
  });

  it('recovers into a node allocated with createStandby({ basebackup: false })', async () => {
    const target = await createStandby(pgc.primary, { basebackup: false });
    await pgpoolRecovery(pgc.cluster, pgc.primary, 'recovery_1st_stage', target);
    await pgc.primary.query("SELECT pgpool_remote_start('127.0.0.1', $1)", [target.dataDir], 'template1');
    await target.waitReady(30_000);
    const [row] = await target.query<{ p: string }>("SELECT current_setting('port') AS p");
    expect(row!.p).toBe(String(target.port));
  });
});

describe('online recovery scripts, native replication (two stages)', () => {
  const pgc = useCluster({ mode: 'independent', nodes: 3, pgpoolRecovery: true });

  it('recovers a node from a base backup plus archived WAL and opens it read-write', async () => {
    await installRecoveryScripts(pgc.cluster);
    const [main, other, target] = pgc.nodes as [PgNode, PgNode, PgNode];
    const both = async (sql: string): Promise<void> => {
      await main.query(sql);
      await other.query(sql);
    };
    await both('CREATE TABLE n (id serial primary key, v text)');
    await both("INSERT INTO n (v) SELECT 'a' FROM generate_series(1, 100)");
    await target.stop('immediate');
    await pgpoolRecovery(pgc.cluster, main, 'recovery_1st_stage.sh', target);
    // Written between the stages: must reach the target through the archive.
    await both("INSERT INTO n (v) SELECT 'b' FROM generate_series(1, 50)");
    await pgpoolRecovery(pgc.cluster, main, 'recovery_2nd_stage.sh', target);
    await main.query("SELECT pgpool_remote_start('127.0.0.1', $1)", [target.dataDir], 'template1');
    await target.waitReady(30_000);
    await eventually(
      () => inRecovery(target),
      (r) => r === false,
    );
    const [c] = await target.query<{ n: string; last: number }>(
      'SELECT count(*) AS n, max(id) AS last FROM n',
    );
    expect(c).toEqual({ n: '150', last: 150 });
    // Sequences in step with the main node (stage 2's setval(nextval)).
    const next = await Promise.all(
      [main, target].map(
        async (x) => (await x.query<{ v: string }>("SELECT nextval('n_id_seq') AS v"))[0]!.v,
      ),
    );
    expect(next[0]).toBe(next[1]);
    const [p] = await target.query<{ p: string }>("SELECT current_setting('port') AS p");
    expect(p!.p).toBe(String(target.port));
  });
});
