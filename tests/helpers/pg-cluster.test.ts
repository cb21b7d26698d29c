import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  _internal,
  reapStaleClusters,
  clusterRoot,
  createCluster,
  createStandby,
  PG_BIN,
  runAsPostgres,
  freePort,
  isPidAlive,
  releasePort,
  useCluster,
  type PgNode,
} from './pg-cluster';

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Zombie-aware: a postmaster that exited may wait a while to be reaped by PID 1.
const isAlive = isPidAlive;

interface OrphanInfo {
  baseDir: string;
  pids: (number | null)[];
  ports: number[];
}

describe('streaming cluster', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 3 });

  it('standbys stream from the primary and see its writes', async () => {
    const rows = await pgc.primary.query<{ application_name: string; state: string }>(
      'SELECT application_name, state FROM pg_stat_replication ORDER BY application_name',
    );
    expect(rows).toEqual([
      { application_name: 'node1', state: 'streaming' },
      { application_name: 'node2', state: 'streaming' },
    ]);
    await pgc.primary.query('CREATE TABLE t (id int primary key, v text)');
    await pgc.primary.query("INSERT INTO t VALUES (1, 'hello')");
    for (const standby of pgc.nodes.slice(1)) {
      const r = await eventually(
        () => standby.query<{ v: string }>('SELECT v FROM t WHERE id = 1').catch(() => []),
        (x) => x.length === 1,
      );
      expect(r[0]!.v).toBe('hello');
      const [rec] = await standby.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      expect(rec!.r).toBe(true);
    }
  });

  it('exposes the documented node shape and settings', async () => {
    const [p] = pgc.nodes;
    expect(p!.host).toBe('127.0.0.1');
    expect(p!.port).toBeGreaterThanOrEqual(20000);
    expect(p!.port).toBeLessThan(32768);
    expect(new Set(pgc.nodes.map((n) => n.port)).size).toBe(3);
    const [s] = await p!.query<Record<string, string>>(
      `SELECT current_setting('listen_addresses') AS listen, current_setting('archive_mode') AS archive,
              current_setting('shared_preload_libraries') AS spl, current_setting('max_prepared_transactions') AS mpt,
              current_setting('pg_stat_statements.track') AS track`,
    );
    expect(s).toEqual({
      listen: '127.0.0.1',
      archive: 'on',
      spl: 'pg_stat_statements',
      mpt: '10',
      track: 'all',
    });
    const ext = await p!.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
    expect(ext).toHaveLength(1);
    // Through TCP with the connection string, and via psql.
    const client = new pg.Client({ connectionString: p!.connectionString() });
    await client.connect();
    const r = await client.query<{ a: string }>("SELECT current_setting('application_name') AS a");
    await client.end();
    expect(r.rows[0]!.a).toBe('');
    const out = await p!.psql('SELECT 40 + 2');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('42');
    const bad = await p!.psql('SELECT * FROM no_such_table');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('no_such_table');
  });

  it('pauses and resumes replay on a standby', async () => {
    const standby = pgc.nodes[1]!;
    const paused = async (): Promise<boolean> =>
      (await standby.query<{ p: boolean }>('SELECT pg_is_wal_replay_paused() AS p'))[0]!.p;
    expect(await paused()).toBe(false);
    await standby.pauseReplay();
    expect(await paused()).toBe(true);
    await standby.resumeReplay();
    expect(await paused()).toBe(false);
  });

  it('survives kill -9 of a standby postmaster and starts again', async () => {
    const standby = pgc.nodes[2]!;
    const pid = standby.pid();
    expect(pid).not.toBeNull();
    await standby.kill9();
    expect(isAlive(pid!)).toBe(false);
    expect(await standby.isRunning()).toBe(false);
    await standby.start();
    expect(await standby.isRunning()).toBe(true);
    await eventually(
      () =>
        pgc.primary.query<{ state: string }>(
          "SELECT state FROM pg_stat_replication WHERE application_name='node2'",
        ),
      (r) => r[0]?.state === 'streaming',
    );
  });

  it('kill -9 of the primary then start runs crash recovery', async () => {
    await pgc.primary.query('CREATE TABLE crash (id int)');
    await pgc.primary.query('INSERT INTO crash SELECT generate_series(1, 100)');
    await pgc.primary.kill9();
    expect(await pgc.primary.isRunning()).toBe(false);
    await pgc.primary.start();
    const [r] = await pgc.primary.query<{ n: string }>('SELECT count(*) AS n FROM crash');
    expect(r!.n).toBe('100');
  });

  it.each(['smart', 'fast', 'immediate'] as const)(
    'stops a standby with -m %s and restarts it',
    async (mode) => {
      const standby = pgc.nodes[1]!;
      await standby.stop(mode);
      expect(await standby.isRunning()).toBe(false);
      await expect(standby.query('SELECT 1')).rejects.toThrow();
      await standby.start();
      expect(await standby.isRunning()).toBe(true);
      await standby.restart();
      const [r] = await standby.query<{ one: number }>('SELECT 1 AS one');
      expect(r!.one).toBe(1);
    },
  );
});

describe('promote', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 2 });

  it('makes a standby writable and updates cluster.primary', async () => {
    const standby = pgc.nodes[1]!;
    await expect(standby.query('CREATE TABLE x (id int)')).rejects.toThrow(/read-only/);
    await pgc.nodes[0]!.stop('fast');
    await standby.promote();
    expect(pgc.cluster.primary).toBe(standby);
    await standby.query('CREATE TABLE x (id int)');
    await standby.query('INSERT INTO x VALUES (1)');
    const [r] = await standby.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
    expect(r!.r).toBe(false);
  });
});

describe('createStandby', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 2 });

  it('adds a standby to the promoted primary, which joins cluster.nodes', async () => {
    await pgc.nodes[0]!.stop('immediate');
    await pgc.nodes[1]!.promote();
    const s = await createStandby(pgc.cluster.primary);
    expect(s.id).toBe(2);
    expect(s.name).toBe('node2');
    expect(pgc.nodes).toContain(s);
    const rows = await pgc.primary.query<{ application_name: string; state: string }>(
      'SELECT application_name, state FROM pg_stat_replication',
    );
    expect(rows).toEqual([{ application_name: 'node2', state: 'streaming' }]);
  });

  it('allocates an empty node for online recovery; a base backup into it keeps its own port', async () => {
    const target = await createStandby(pgc.primary, { basebackup: false });
    expect(existsSync(target.dataDir)).toBe(false);
    expect(readFileSync(`${target.socketDir}/node.conf`, 'utf8')).toContain(`port = ${target.port}`);
    // What recovery_1st_stage does: a base backup of the primary (its postgresql.conf included) into the target.
    const r = await runAsPostgres(`${PG_BIN}/pg_basebackup`, [
      '-D',
      target.dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '-d',
      `host=127.0.0.1 port=${pgc.primary.port} user=postgres application_name=${target.name}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await target.start();
    const [row] = await target.query<{ port: string; rec: boolean }>(
      "SELECT current_setting('port') AS port, pg_is_in_recovery() AS rec",
    );
    expect(row).toEqual({ port: String(target.port), rec: true });
    await eventually(
      () =>
        pgc.primary.query<{ state: string }>(
          'SELECT state FROM pg_stat_replication WHERE application_name = $1',
          [target.name],
        ),
      (x) => x[0]?.state === 'streaming',
    );
  });
});

describe('kept cluster (demo)', () => {
  it('is stopped but kept by destroy and reused by the next createCluster', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pgwarden-keep-test-'));
    try {
      const opts = { mode: 'streaming', nodes: 2, baseDir: dir, keep: true } as const;
      const a = await createCluster(opts);
      await a.primary.query('CREATE TABLE kept (v int)');
      await a.primary.query('INSERT INTO kept VALUES (7)');
      const ports = a.nodes.map((n) => n.port);
      await a.destroy();
      expect(await a.primary.isRunning()).toBe(false);
      expect(existsSync(a.primary.dataDir)).toBe(true);
      const b = await createCluster(opts);
      try {
        expect(b.nodes.map((n) => n.port)).toEqual(ports);
        const [r] = await b.primary.query<{ v: number }>('SELECT v FROM kept');
        expect(r!.v).toBe(7);
        await eventually(
          () => b.primary.query('SELECT 1 FROM pg_stat_replication WHERE state = $1', ['streaming']),
          (x) => x.length === 1,
        );
      } finally {
        await b.destroy();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('independent mode', () => {
  const pgc = useCluster({ mode: 'independent', nodes: 3, pgpoolRecovery: true });

  it('runs three writable servers with identical initial data', async () => {
    for (const n of pgc.nodes) {
      const [r] = await n.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      expect(r!.r).toBe(false);
      await n.query(`CREATE TABLE only_here_${n.id} (id int)`);
      const ext = await n.query<{ extname: string }>(
        "SELECT extname FROM pg_extension WHERE extname = 'pgpool_recovery'",
        [],
        'template1',
      );
      expect(ext).toHaveLength(1);
    }
    const tables = await Promise.all(
      pgc.nodes.map((n) =>
        n.query<{ c: string }>("SELECT count(*) AS c FROM pg_class WHERE relname LIKE 'only_here_%'"),
      ),
    );
    expect(tables.map((t) => t[0]!.c)).toEqual(['1', '1', '1']);
    expect(new Set(pgc.nodes.map((n) => n.archiveDir)).size).toBe(3);
  });
});

describe('auth and users', () => {
  const pgc = useCluster({
    mode: 'streaming',
    nodes: 2,
    auth: 'md5',
    users: [
      { name: 'app', password: 'app secret' },
      { name: 'postgres', password: 'pgpass', superuser: true },
    ],
  });

  it('creates users replicated to standbys and enforces md5 on 127.0.0.1', async () => {
    for (const n of pgc.nodes) {
      const c = new pg.Client({ connectionString: n.connectionString('postgres', 'app') });
      await c.connect();
      const r = await c.query<{ u: string }>('SELECT current_user AS u');
      await c.end();
      expect(r.rows[0]!.u).toBe('app');
    }
    const bad = new pg.Client({ host: '127.0.0.1', port: pgc.primary.port, user: 'app', password: 'wrong' });
    await expect(bad.connect()).rejects.toThrow(/password authentication failed/);
    const [h] = await pgc.primary.query<{ h: string }>(
      "SELECT rolpassword AS h FROM pg_authid WHERE rolname='app'",
    );
    expect(h!.h.startsWith('md5')).toBe(true);
  });
});

describe('lifecycle', () => {
  it('creates a 3-node streaming cluster quickly (timing) and leaves nothing behind', async () => {
    const t0 = performance.now();
    const c = await createCluster({ mode: 'streaming', nodes: 3 });
    const readyMs = performance.now() - t0;
    console.log(`[pg-cluster] 3-node streaming cluster ready in ${readyMs.toFixed(0)} ms`);
    const pids = c.nodes.map((n) => n.pid());
    expect(pids.every((p) => p !== null && isAlive(p))).toBe(true);
    const t1 = performance.now();
    await c.destroy();
    console.log(`[pg-cluster] destroyed in ${(performance.now() - t1).toFixed(0)} ms`);
    expect(pids.some((p) => isAlive(p!))).toBe(false);
    expect(existsSync(c.baseDir)).toBe(false);
    for (const n of c.nodes) expect(existsSync(_internal.lockPath(n.port))).toBe(false);
  });

  it('creates two clusters concurrently without collisions', async () => {
    const [a, b] = await Promise.all([
      createCluster({ mode: 'streaming', nodes: 2 }),
      createCluster({ mode: 'independent', nodes: 2 }),
    ]);
    try {
      const ports = [...a.nodes, ...b.nodes].map((n) => n.port);
      expect(new Set(ports).size).toBe(4);
      expect(a.baseDir).not.toBe(b.baseDir);
      const all: PgNode[] = [...a.nodes, ...b.nodes];
      const ids = await Promise.all(
        all.map(
          async (n) => (await n.query<{ p: number }>("SELECT current_setting('port')::int AS p"))[0]!.p,
        ),
      );
      expect(ids).toEqual(ports);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });

  it('a failed creation cleans up after itself and reports the server log', async () => {
    const ports = _internal.heldPorts.size;
    const dirs = _internal.liveDataDirs.size;
    await expect(
      createCluster({ mode: 'independent', nodes: 2, extraConf: { shared_buffers: "'1kB'" } }),
    ).rejects.toThrow(/failed to start[\s\S]*shared_buffers/);
    expect(_internal.heldPorts.size).toBe(ports);
    expect(_internal.liveDataDirs.size).toBe(dirs);
    const { readdirSync } = await import('node:fs');
    const mine = readdirSync(clusterRoot())
      .filter((e) => e.startsWith('pgwarden-cluster-'))
      .filter((e) => {
        try {
          return (
            readFileSync(path.join(clusterRoot(), e, 'owner.pid'), 'utf8').trim() === String(process.pid)
          );
        } catch {
          return false;
        }
      });
    expect(mine).toEqual([]);
  });

  it('runAsPostgres runs as postgres and does not wait for daemons holding its pipes', async () => {
    const who = await runAsPostgres('id', ['-un']);
    expect(who.stdout.trim()).toBe(process.getuid?.() === 0 ? 'postgres' : os.userInfo().username);
    const t0 = Date.now();
    const r = await runAsPostgres('sh', ['-c', 'sleep 6 & echo started']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('started');
    expect(Date.now() - t0).toBeLessThan(5000);
    const quick = await runAsPostgres('true', [], { input: 'x'.repeat(1 << 20) }); // EPIPE on stdin is not an error
    expect(quick.code).toBe(0);
  });

  it('freePort reserves a bindable port below 32768 with a lock file until releasePort', async () => {
    const p = await freePort();
    expect(p).toBeGreaterThanOrEqual(20000);
    expect(p).toBeLessThan(32768);
    expect(existsSync(_internal.lockPath(p))).toBe(true);
    releasePort(p);
    expect(existsSync(_internal.lockPath(p))).toBe(false);
  });
});

describe('safety net', () => {
  const tsx = path.join(process.cwd(), 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
  const fixture = path.join(import.meta.dirname, 'fixtures', 'orphan-cluster.ts');

  function startOrphan(how: string): Promise<{ child: ChildProcess; info: OrphanInfo }> {
    const child = spawn(process.execPath, ['--import', tsx, fixture, how], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`orphan fixture produced no output: ${out}`));
      }, 60_000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve({ child, info: JSON.parse(out.split('\n')[0]!) as OrphanInfo });
        }
      });
      child.on('error', reject);
    });
  }
  const exited = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((r) => child.once('exit', () => r()));

  it.each(['exit', 'SIGTERM'])('stops servers and removes dirs when the process ends by %s', async (how) => {
    const { child, info } = await startOrphan(how);
    // Alive when reported; the child may already be exiting (and stopping them) by now.
    expect(info.pids.every((p) => p !== null)).toBe(true);
    await exited(child);
    await eventually(
      async () => info.pids.filter((p) => isAlive(p!)),
      (alive) => alive.length === 0,
    );
    expect(existsSync(info.baseDir)).toBe(false);
    for (const port of info.ports) expect(existsSync(_internal.lockPath(port))).toBe(false);
  });

  it('reaps clusters of processes killed with SIGKILL', async () => {
    const { child, info } = await startOrphan('hang');
    child.kill('SIGKILL');
    await exited(child);
    expect(info.pids.every((p) => isAlive(p!))).toBe(true);
    const reaped = await reapStaleClusters();
    expect(reaped).toContain(info.baseDir);
    expect(info.pids.some((p) => isAlive(p!))).toBe(false);
    expect(existsSync(info.baseDir)).toBe(false);
  });
});

describe('template cache', () => {
  it('two processes building the same template at once: one initdb, both get a complete template', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'pgwarden-tpl-test-'));
    const { chown } = await import('node:fs/promises');
    const pgUser = (await runAsPostgres('id', ['-u'])).stdout.trim();
    if (process.getuid?.() === 0)
      await chown(root, Number(pgUser), Number((await runAsPostgres('id', ['-g'])).stdout));
    try {
      const tsx = path.join(process.cwd(), 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
      const fixture = path.join(import.meta.dirname, 'fixtures', 'ensure-template.ts');
      const runOne = (): Promise<{ code: number; out: string }> =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, ['--import', tsx, fixture], {
            env: { ...process.env, PGWARDEN_CLUSTER_ROOT: root },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? 1, out });
          });
        });
      const [a, b] = await Promise.all([runOne(), runOne()]);
      expect(a.code, a.out).toBe(0);
      expect(b.code, b.out).toBe(0);
      expect(a.out.trim()).toBe(b.out.trim());
      const template = a.out.trim();
      expect(template.startsWith(root)).toBe(true);
      expect(existsSync(path.join(template, 'PG_VERSION'))).toBe(true);
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(root).filter((e) => e.includes('.tmp-') || e.endsWith('.lock'))).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
