// Real PostgreSQL 15 clusters for integration tests, the demo and benchmarks.
//
// Why this shape:
// - initdb costs ~1-2 s, so it runs ONCE per (PostgreSQL version, initdb options, template extensions) into a cached
//   template directory under /tmp; every primary or independent node is a `cp -a` of it (~50 ms), and standbys are
//   `pg_basebackup -R -c fast -X stream` from the primary, like a DBA would build them.
// - initdb and postgres refuse to run as root: when we are root, every server-side command runs as the `postgres` OS
//   user (spawn uid/gid, equivalent to `runuser -u postgres --` without a PAM session) in directories it owns.
// - Ports are allocated below the ephemeral range (32768+, which benchmarks fill with client sockets), checked free by
//   binding, and reserved across the parallel vitest forks by an O_EXCL lock file in /tmp/pgwarden-ports.
// - Nothing may survive the suite: destroy() stops every server immediately and removes the directories, and a
//   process-exit safety net SIGQUITs (PostgreSQL's "immediate shutdown") every postmaster we started.
//
// Network rule: servers listen on 127.0.0.1 only; helper connections use the node's Unix socket (always `trust`).

import { spawn, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  statfsSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export const PG_BIN = process.env.PGWARDEN_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PORT_DIR = '/tmp/pgwarden-ports';

/**
 * Where templates and clusters live: $PGWARDEN_CLUSTER_ROOT, else /dev/shm (tmpfs: cp -a of the template and
 * pg_basebackup are disk-bound, and several times slower on a loaded disk), else the OS temp dir.
 */
export function clusterRoot(): string {
  const env = process.env.PGWARDEN_CLUSTER_ROOT;
  if (env) return env;
  try {
    const st = statfsSync('/dev/shm');
    if (st.bavail * st.bsize > 2 * 1024 ** 3) return '/dev/shm';
  } catch {
    // no /dev/shm
  }
  return os.tmpdir();
}
const PORT_MIN = 20000;
const PORT_MAX = 32000; // exclusive; the Linux ephemeral range starts at 32768

export type StopMode = 'smart' | 'fast' | 'immediate';
export type AuthMethod = 'trust' | 'md5' | 'scram-sha-256';

export interface PgUser {
  name: string;
  password: string;
  superuser?: boolean;
}

export interface PgNode {
  id: number;
  /** application_name of the node (e.g. 'node0'); standbys connect with it in primary_conninfo. */
  name: string;
  host: '127.0.0.1';
  port: number;
  dataDir: string;
  /** The node's own directory (parent of dataDir): Unix socket, server log. */
  socketDir: string;
  /** Server log file (pg_ctl -l). */
  logFile: string;
  /** WAL archive this node writes to (archive_command). */
  archiveDir: string;
  start(): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  kill9(): Promise<void>;
  restart(): Promise<void>;
  promote(): Promise<void>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  isRunning(): Promise<boolean>;
  /** Postmaster pid from postmaster.pid, or null when no live postmaster. */
  pid(): number | null;
  waitReady(timeoutMs?: number): Promise<void>;
  /** Runs one statement via node-postgres as superuser 'postgres' over the Unix socket (trust). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], db?: string): Promise<T[]>;
  /** TCP connection string to 127.0.0.1:port; includes the password when the user was created by the helper. */
  connectionString(db?: string, user?: string): string;
  /** psql -X -v ON_ERROR_STOP=1 -c sql over the Unix socket; never throws on a non-zero exit. */
  psql(
    sql: string,
    opts?: { db?: string; user?: string },
  ): Promise<{ stdout: string; stderr: string; code: number }>;
}

export interface PgCluster {
  mode: 'streaming' | 'independent';
  nodes: PgNode[];
  /** The current primary: updated when a node of this cluster is promoted. In independent mode: node0. */
  primary: PgNode;
  baseDir: string;
  /** WAL archive of the primary (node0 in independent mode; each independent node archives to its own dir). */
  archiveDir: string;
  users: PgUser[];
  destroy(): Promise<void>;
}

export interface CreateClusterOptions {
  mode: 'streaming' | 'independent';
  /** Total node count (streaming: 1 primary + nodes-1 standbys). */
  nodes: number;
  /** pg_hba method for 127.0.0.1 host connections (local and replication connections are always trust). */
  auth?: AuthMethod;
  /** Created on the primary (streaming) or on all nodes (independent). A 'postgres' entry sets its password. */
  users?: PgUser[];
  extraConf?: Record<string, string>;
  /** CREATE EXTENSION pgpool_recovery in template1 (baked into the cached template). */
  pgpoolRecovery?: boolean;
  /** Fixed directory (the demo uses ./.demo); with keep, an existing cluster there is reused. */
  baseDir?: string;
  /** destroy() stops the servers but keeps the directories; a later createCluster with the same baseDir reuses them. */
  keep?: boolean;
  /** Max time for the whole cluster to become ready. Default 60 s. */
  timeoutMs?: number;
}

export interface CreateStandbyOptions {
  id?: number;
  name?: string;
  /** Directory under which the node dir is created. Default: the primary's cluster baseDir. */
  baseDir?: string;
  extraConf?: Record<string, string>;
  /** Start the standby and wait until it streams. Default true. */
  start?: boolean;
  /**
   * false: only allocate the node (port, directory, node.conf) with NO data directory, e.g. as the target of an
   * online recovery (pcp_recovery_node) that fills node.dataDir. Default true.
   */
  basebackup?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Process helpers

interface PgOsUser {
  uid: number;
  gid: number;
  home: string;
}

let pgOsUserCache: PgOsUser | null | undefined;
/** The `postgres` OS user when we run as root (server commands must switch to it), else null. */
function pgOsUser(): PgOsUser | null {
  if (pgOsUserCache !== undefined) return pgOsUserCache;
  if (process.getuid?.() !== 0) return (pgOsUserCache = null);
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('pg-cluster: running as root but there is no `postgres` OS user');
  const f = line.split(':');
  return (pgOsUserCache = { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/tmp' });
}

/** Environment for PostgreSQL commands: no inherited PG* variables (PGPORT etc. would redirect our commands). */
function cleanEnv(): Env {
  const env: Env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C';
  env.LANG = 'C';
  const u = pgOsUser();
  if (u) {
    env.HOME = u.home;
    env.USER = 'postgres';
    env.LOGNAME = 'postgres';
  }
  return env;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command (as postgres when root) and resolves with its output; never rejects on a non-zero exit. */
function run(
  cmd: string,
  args: string[],
  opts: {
    asPostgres?: boolean;
    input?: string;
    timeoutMs?: number;
    env?: Env;
    cwd?: string;
  } = {},
): Promise<RunResult> {
  const u = opts.asPostgres === false ? null : pgOsUser();
  debug(`run ${path.basename(cmd)} ${args.join(' ')}`);
  const spawnOpts: SpawnOptions = {
    env: { ...cleanEnv(), ...opts.env } as NodeJS.ProcessEnv,
    cwd: opts.cwd ?? '/tmp',
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(u ? { uid: u.uid, gid: u.gid } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, spawnOpts);
    let stdout = '';
    let stderr = '';
    let settled = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[pg-cluster] ${cmd} timed out after ${opts.timeoutMs ?? 120_000} ms, killing it`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      debug(`done ${path.basename(cmd)} ${args.slice(0, 3).join(' ')} -> ${code}`);
      resolve({ stdout, stderr, code: code ?? (signal ? 128 : 1) });
    };
    child.on('error', (e) => {
      clearTimeout(timer);
      settled = true;
      reject(e);
    });
    // 'close' (not 'exit') waits for the pipes to drain. A daemon that inherited them (pg_ctl start without -l)
    // would hold them open for ever: 2 s after the exit, stop waiting.
    child.on('exit', (code, signal) => {
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, 2000).unref();
    });
    child.on('close', finish);
    if (child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when the command exits without reading its input
      child.stdin.end(opts.input);
    }
  });
}

/**
 * Runs a command as the `postgres` OS user when we are root (else as ourselves), with PG* variables removed from
 * the environment; resolves with { stdout, stderr, code } and never rejects on a non-zero exit.
 */
export function runAsPostgres(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; env?: Env; cwd?: string } = {},
): Promise<RunResult> {
  return run(cmd, args, opts);
}

async function runOk(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `pg-cluster: ${path.basename(cmd)} ${args.join(' ')} exited ${r.code}\n${r.stderr}${r.stdout}`,
    );
  }
  return r;
}

type Env = Record<string, string | undefined>;
const bin = (name: string): string => path.join(PG_BIN, name);

const DEBUG = !!process.env.PGWARDEN_CLUSTER_DEBUG;
const t0 = Date.now();
function debug(msg: string): void {
  if (DEBUG) console.error(`[pg-cluster +${Date.now() - t0}ms] ${msg}`);
}

/** True while pid runs; a zombie (exited, not yet reaped by whoever adopted it) counts as gone. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitPidsGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isPidAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function chownToPg(p: string): Promise<void> {
  const u = pgOsUser();
  if (u) await chown(p, u.uid, u.gid);
}

/** mkdir owned by postgres (when root) with the given mode. */
async function mkdirPg(p: string, mode = 0o700): Promise<void> {
  await mkdir(p, { recursive: true });
  await chownToPg(p);
  await chmod(p, mode);
}

// ---------------------------------------------------------------------------------------------------------------
// Ports: random start in [20000, 32000), O_EXCL lock file per port, bind check on 127.0.0.1.

const heldPorts = new Set<number>();

function lockPath(port: number): string {
  return path.join(PORT_DIR, `${port}.lock`);
}

function tryLockPort(port: number): boolean {
  mkdirSync(PORT_DIR, { recursive: true, mode: 0o1777 });
  const file = lockPath(port);
  try {
    const fd = openSync(file, 'wx', 0o644);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  // A lock from a dead process is stale: remove it (old enough that its owner has surely written its pid), but do not
  // take the port in this attempt, so two processes cleaning the same stale lock cannot both believe they own it.
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    const age = Date.now() - statSync(file).mtimeMs;
    if (age > 2000 && (!Number.isInteger(pid) || pid <= 0 || !isPidAlive(pid))) unlinkSync(file);
  } catch {
    // raced with its owner or another cleaner: fine
  }
  return false;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A free TCP port on 127.0.0.1 in [20000, 32000), reserved for this process until releasePort() or exit. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN));
    if (heldPorts.has(port) || !tryLockPort(port)) continue;
    if (await canBind(port)) {
      heldPorts.add(port);
      installSafetyNet();
      return port;
    }
    unlinkQuiet(lockPath(port));
  }
  throw new Error('pg-cluster: no free port found in [20000, 32000)');
}

/** Releases a port reserved by freePort() (removes its lock file if this process owns it). */
export function releasePort(port: number): void {
  if (!heldPorts.delete(port)) return;
  try {
    if (Number(readFileSync(lockPath(port), 'utf8').trim()) === process.pid) unlinkSync(lockPath(port));
  } catch {
    // already gone
  }
}

function unlinkQuiet(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // ignore
  }
}

/** Re-reserves a known port (reused demo cluster); returns false if someone else holds it. */
function reservePort(port: number): boolean {
  if (heldPorts.has(port)) return true;
  // Twice: the first attempt removes a stale lock left by the previous (killed) owner of a kept cluster.
  if (!tryLockPort(port) && !tryLockPort(port)) return false;
  heldPorts.add(port);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Safety net: every postmaster we start is registered; on exit/SIGINT/SIGTERM they get SIGQUIT (immediate shutdown).

/** Data directories of every node not yet destroyed (whoever started its postmaster). */
const liveDataDirs = new Set<string>();
const tempDirs = new Set<string>();
let safetyNetInstalled = false;

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isPidAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function emergencyCleanup(): void {
  for (const dataDir of liveDataDirs) {
    const pid = postmasterPid(dataDir);
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
  }
  liveDataDirs.clear();
  for (const port of [...heldPorts]) releasePort(port);
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort: a dying backend may still write a file
    }
  }
  tempDirs.clear();
}

function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      emergencyCleanup();
      // Restore the default behaviour (exit with the signal) once our servers are gone.
      process.kill(process.pid, sig);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Template data directory: initdb once per version/options, atomically (temp dir + rename), under a lock.

const INITDB_ARGS = [
  '-U',
  'postgres',
  '-E',
  'UTF8',
  '--locale=C',
  '--auth=trust',
  '--no-sync',
  '--no-instructions',
];

let pgVersionCache: string | undefined;
async function pgVersion(): Promise<string> {
  pgVersionCache ??= (await runOk(bin('postgres'), ['--version'], { asPostgres: false })).stdout.trim();
  return pgVersionCache;
}

async function withFileLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        const pid = Number(readFileSync(lockFile, 'utf8').trim());
        if (Date.now() - statSync(lockFile).mtimeMs > 2000 && (!pid || !isPidAlive(pid)))
          unlinkSync(lockFile);
      } catch {
        // raced
      }
      if (Date.now() > deadline) throw new Error(`pg-cluster: timed out waiting for lock ${lockFile}`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    unlinkQuiet(lockFile);
  }
}

async function singleUser(dataDir: string, db: string, sql: string): Promise<void> {
  // Single-user mode needs no port or socket; -F = fsync off.
  const r = await runOk(
    bin('postgres'),
    ['--single', '-F', '-D', dataDir, '-c', 'log_min_messages=error', db],
    {
      input: sql,
    },
  );
  if (/ERROR:/.test(r.stderr + r.stdout))
    throw new Error(`pg-cluster: single-user ${db}: ${r.stderr}${r.stdout}`);
}

/** Path of a ready template data directory (owned by postgres), creating it if needed. */
export async function ensureTemplate(opts: { pgpoolRecovery?: boolean } = {}): Promise<string> {
  const version = await pgVersion();
  const major = /(\d+)/.exec(version)?.[1] ?? 'x';
  const extensions = ['pg_stat_statements', ...(opts.pgpoolRecovery ? ['pgpool_recovery'] : [])];
  const hash = createHash('sha256')
    .update(JSON.stringify({ version, INITDB_ARGS, extensions, v: 1 }))
    .digest('hex')
    .slice(0, 12);
  const template = path.join(clusterRoot(), `pgwarden-pg-template-${major}-${hash}`);
  const ready = (): boolean => existsSync(path.join(template, 'PG_VERSION'));
  if (ready()) return template;
  return withFileLock(`${template}.lock`, 120_000, async () => {
    if (ready()) return template;
    // Leftovers of a process killed mid-initdb (we hold the lock: nobody else is building one).
    const base = path.basename(template);
    for (const e of readdirSync(path.dirname(template))) {
      if (e.startsWith(`${base}.tmp-`))
        await rm(path.join(path.dirname(template), e), { recursive: true, force: true });
    }
    const tmp = await mkdtemp(`${template}.tmp-`);
    try {
      await mkdirPg(tmp, 0o700);
      await runOk(bin('initdb'), ['-D', tmp, ...INITDB_ARGS]);
      // pg_stat_statements in template1 and postgres so every database can show where a statement ran.
      for (const db of ['template1', 'postgres']) {
        await singleUser(tmp, db, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements;\n');
      }
      if (opts.pgpoolRecovery)
        await singleUser(tmp, 'template1', 'CREATE EXTENSION IF NOT EXISTS pgpool_recovery;\n');
      renameSync(tmp, template); // atomic: readers see a complete template or none
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return template;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration

const CONF_MARKER = '# ---- pgwarden test settings (generated by tests/helpers/pg-cluster.ts) ----';

function q(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * Settings shared by every node of a cluster, appended to postgresql.conf inside the data directory. Node-specific
 * settings (port, socket dir, archive dir) live in ../node.conf, OUTSIDE the data directory, pulled in by an
 * `include` at the end: a pg_basebackup or rsync of another node's data directory (online recovery, follow primary)
 * then keeps this node's identity, as with pgpool_setup's `--exclude postgresql.conf` on one host.
 */
function commonBlock(auth: AuthMethod, extraConf: Record<string, string> = {}, onTmpfs = false): string {
  const conf: Record<string, string> = {
    // On tmpfs, dynamic shared memory as files in pg_dynshmem (same RAM): POSIX segments in /dev/shm outlive servers
    // stopped with -m immediate or kill -9 and would pile up across runs; these go away with the data directory.
    ...(onTmpfs ? { dynamic_shared_memory_type: 'mmap' } : {}),
    listen_addresses: q('127.0.0.1'),
    max_connections: '100',
    wal_level: 'replica',
    hot_standby: 'on',
    max_wal_senders: '10',
    max_replication_slots: '10',
    wal_keep_size: q('256MB'),
    wal_log_hints: 'on', // pg_rewind of an old primary
    archive_mode: 'on',
    // No restore_command by default: while it runs (system()), the startup process ignores SIGQUIT, so an immediate
    // stop of a standby whose primary is gone waits for PostgreSQL's 5 s SIGKILL fallback. Pass it in extraConf.
    max_prepared_transactions: '10',
    fsync: 'off', // tests only: speed
    logging_collector: 'off',
    log_line_prefix: q('%m [%p] %q%a '),
    log_statement: q('none'),
    shared_preload_libraries: q('pg_stat_statements'),
    'pg_stat_statements.track': 'all',
    password_encryption: auth === 'md5' ? 'md5' : q('scram-sha-256'),
    ...extraConf,
  };
  return [
    CONF_MARKER,
    ...Object.entries(conf).map(([k, v]) => `${k} = ${v}`),
    '# port, unix_socket_directories, cluster_name, archive_command of THIS node (not copied by base backups):',
    "include = '../node.conf'",
    '',
  ].join('\n');
}

function nodeConf(s: {
  port: number;
  socketDir: string;
  archiveDir: string;
  name: string;
  extraConf?: Record<string, string>;
}): string {
  const conf: Record<string, string> = {
    port: String(s.port),
    unix_socket_directories: q(s.socketDir),
    cluster_name: q(s.name),
    archive_command: q(`test ! -f '${s.archiveDir}/%f' && cp '%p' '${s.archiveDir}/%f'`),
    ...s.extraConf,
  };
  return [
    `# ${s.name}: settings of this node only (included by data/postgresql.conf; generated by pg-cluster.ts)`,
    ...Object.entries(conf).map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n');
}

function hbaConf(auth: AuthMethod): string {
  return [
    '# generated by tests/helpers/pg-cluster.ts',
    'local   all          all                    trust',
    'local   replication  all                    trust',
    'host    replication  all    127.0.0.1/32    trust',
    `host    all          all    127.0.0.1/32    ${auth}`,
    '',
  ].join('\n');
}

/** Rewrites the generated block at the end of postgresql.conf (keeps initdb's part) and pg_hba.conf. */
async function writeCommonConf(
  dataDir: string,
  auth: AuthMethod,
  extraConf?: Record<string, string>,
): Promise<void> {
  const file = path.join(dataDir, 'postgresql.conf');
  const current = await readFile(file, 'utf8');
  const idx = current.indexOf(CONF_MARKER);
  await writeFile(
    file,
    (idx >= 0 ? current.slice(0, idx) : current) +
      commonBlock(auth, extraConf, dataDir.startsWith('/dev/shm/')),
  );
  await writeFile(path.join(dataDir, 'pg_hba.conf'), hbaConf(auth));
  await chownToPg(path.join(dataDir, 'postgresql.conf'));
  await chownToPg(path.join(dataDir, 'pg_hba.conf'));
}

async function writeNodeConf(node: PgNode, extraConf?: Record<string, string>): Promise<void> {
  const file = path.join(node.socketDir, 'node.conf');
  await writeFile(
    file,
    nodeConf({
      port: node.port,
      socketDir: node.socketDir,
      archiveDir: node.archiveDir,
      name: node.name,
      extraConf,
    }),
  );
  await chownToPg(file);
}

// ---------------------------------------------------------------------------------------------------------------
// Nodes

interface NodeSpec {
  id: number;
  name: string;
  port: number;
  nodeDir: string;
  archiveDir: string;
  users: PgUser[];
  onPromote?: (n: PgNode) => void;
}

interface PgClientInternals {
  connection: { stream: { destroy(): void } };
}

function makeNode(spec: NodeSpec): PgNode {
  const dataDir = path.join(spec.nodeDir, 'data');
  const socketDir = spec.nodeDir;
  const logFile = path.join(spec.nodeDir, 'postgres.log');
  // Registered from birth, not at start(): a postmaster started outside the helper (pgpool_remote_start, pg_ctl in a
  // failover script) is still found through postmaster.pid by destroy() and by the exit safety net.
  liveDataDirs.add(dataDir);
  installSafetyNet();
  const passwordOf = (user: string): string | undefined => spec.users.find((u) => u.name === user)?.password;

  const pgCtl = (args: string[], timeoutMs = 90_000): Promise<RunResult> =>
    run(bin('pg_ctl'), ['-D', dataDir, ...args], { timeoutMs });

  const node: PgNode = {
    id: spec.id,
    name: spec.name,
    host: '127.0.0.1',
    port: spec.port,
    dataDir,
    socketDir,
    logFile,
    archiveDir: spec.archiveDir,

    pid: () => postmasterPid(dataDir),

    async isRunning() {
      return postmasterPid(dataDir) !== null;
    },

    async start() {
      if (postmasterPid(dataDir)) return;
      installSafetyNet();
      const r = await pgCtl(['-l', logFile, '-w', '-t', '60', 'start']);
      if (r.code !== 0) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(
          `pg-cluster: ${spec.name} failed to start (${r.code}): ${r.stderr}\n${log.slice(-3000)}`,
        );
      }
      await node.waitReady(30_000);
    },

    async stop(mode: StopMode = 'fast') {
      if (!postmasterPid(dataDir)) return;
      const pid = postmasterPid(dataDir);
      const r = await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
      if (r.code !== 0 && postmasterPid(dataDir)) {
        throw new Error(`pg-cluster: ${spec.name} stop -m ${mode} failed: ${r.stderr}`);
      }
      // pg_ctl returns once postmaster.pid is gone, a moment before the process itself has exited.
      if (pid) await waitPidsGone([pid], 10_000);
    },

    async kill9() {
      const pid = postmasterPid(dataDir);
      if (!pid) return;
      const children = childPids(pid);
      process.kill(pid, 'SIGKILL');
      // Children notice the postmaster's death and exit; until they do, the old shared memory is attached and a new
      // postmaster refuses to start ("pre-existing shared memory block is still in use").
      if (!(await waitPidsGone([pid, ...children], 10_000))) {
        for (const c of children.filter(isPidAlive)) process.kill(c, 'SIGKILL');
        await waitPidsGone([pid, ...children], 10_000);
      }
      // The dead postmaster may stay a zombie until PID 1 reaps it (seconds in some containers); PostgreSQL's lock
      // file check (kill(pid, 0)) would then refuse to start. All processes are gone, so the lock file is stale.
      // Same for the Unix socket's lock file.
      unlinkQuiet(path.join(dataDir, 'postmaster.pid'));
      unlinkQuiet(path.join(socketDir, `.s.PGSQL.${spec.port}.lock`));
      unlinkQuiet(path.join(socketDir, `.s.PGSQL.${spec.port}`));
    },

    async restart() {
      await node.stop('fast');
      await node.start();
    },

    async promote() {
      const r = await pgCtl(['-w', '-t', '60', 'promote']);
      if (r.code !== 0) throw new Error(`pg-cluster: ${spec.name} promote failed: ${r.stderr}${r.stdout}`);
      // pg_ctl -w waits for "in production"; wait for new transactions to be accepted too.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [row] = await node.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        if (row && !row.r) break;
        if (Date.now() > deadline)
          throw new Error(`pg-cluster: ${spec.name} still in recovery after promote`);
        await sleep(50);
      }
      spec.onPromote?.(node);
    },

    async pauseReplay() {
      await node.query('SELECT pg_wal_replay_pause()');
    },

    async resumeReplay() {
      await node.query('SELECT pg_wal_replay_resume()');
    },

    async waitReady(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          await node.query('SELECT 1');
          return;
        } catch (e) {
          last = e;
        }
        if (Date.now() > deadline) {
          throw new Error(`pg-cluster: ${spec.name} not ready after ${timeoutMs} ms: ${String(last)}`);
        }
        await sleep(50);
      }
    },

    async query<T = Record<string, unknown>>(sql: string, params?: unknown[], db = 'postgres'): Promise<T[]> {
      const client = new pg.Client({
        host: socketDir,
        port: spec.port,
        user: 'postgres',
        database: db,
        application_name: 'pg-cluster-helper',
        connectionTimeoutMillis: 10_000,
      });
      client.on('error', () => {}); // a server going down mid-test must not crash the worker
      await client.connect();
      try {
        const res = await client.query(sql, params);
        return res.rows as T[];
      } finally {
        // end() waits for the server to close the socket; a process that inherited the backend's socket (a postmaster
        // started by pgpool_remote_start from that backend) would keep it open for ever: cut it after 1 s.
        const timer = setTimeout(
          () => (client as unknown as PgClientInternals).connection.stream.destroy(),
          1000,
        );
        await client.end().catch(() => {});
        clearTimeout(timer);
      }
    },

    connectionString(db = 'postgres', user = 'postgres') {
      const pw = passwordOf(user);
      const auth =
        pw === undefined ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(pw)}`;
      return `postgresql://${auth}@127.0.0.1:${spec.port}/${encodeURIComponent(db)}`;
    },

    async psql(sql, opts = {}) {
      const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(spec.port)];
      args.push('-U', opts.user ?? 'postgres', '-d', opts.db ?? 'postgres', '-c', sql);
      const pw = passwordOf(opts.user ?? 'postgres');
      return run('psql', args, { asPostgres: false, timeoutMs: 60_000, env: pw ? { PGPASSWORD: pw } : {} });
    },
  };
  return node;
}

/** Direct children of pid (from /proc), to wait for them after kill -9 of the postmaster. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // fields after the ")" of comm: state ppid ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // process exited meanwhile
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Cluster internals shared with createStandby

interface ClusterState {
  cluster: PgCluster;
  auth: AuthMethod;
  extraConf: Record<string, string>;
}
const clusterOfNode = new WeakMap<PgNode, ClusterState>();

async function createUsers(node: PgNode, users: PgUser[]): Promise<void> {
  for (const u of users) {
    const ident = `"${u.name.replace(/"/g, '""')}"`;
    const exists = await node.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [u.name]);
    // An existing role (e.g. 'postgres', the bootstrap superuser) keeps its attributes unless superuser is given.
    const su =
      u.superuser === undefined
        ? exists.length
          ? ''
          : 'NOSUPERUSER'
        : u.superuser
          ? 'SUPERUSER'
          : 'NOSUPERUSER';
    await node.query(
      `${exists.length ? 'ALTER' : 'CREATE'} ROLE ${ident} WITH LOGIN ${su} PASSWORD ${q(u.password)}`,
    );
  }
}

async function waitStreaming(primary: PgNode, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await primary.query<{ application_name: string; state: string }>(
      'SELECT application_name, state FROM pg_stat_replication',
    );
    if (names.every((n) => rows.some((r) => r.application_name === n && r.state === 'streaming'))) return;
    if (Date.now() > deadline) {
      throw new Error(`pg-cluster: standbys ${names.join(',')} not streaming: ${JSON.stringify(rows)}`);
    }
    await sleep(50);
  }
}

async function newNodeDir(baseDir: string, name: string): Promise<string> {
  const nodeDir = path.join(baseDir, name);
  await rm(nodeDir, { recursive: true, force: true });
  // 0755: the socket lives here and psql/node-postgres run as root or any user.
  await mkdirPg(nodeDir, 0o755);
  return nodeDir;
}

async function copyTemplate(template: string, dataDir: string): Promise<void> {
  await runOk('cp', ['-a', template, dataDir], { asPostgres: false });
  await chmod(dataDir, 0o700);
}

/**
 * A streaming standby of `primary` via pg_basebackup -R -c fast -X stream, with application_name=<name> in
 * primary_conninfo. If the primary belongs to a helper cluster, the standby joins cluster.nodes (destroyed with it).
 */
export async function createStandby(primary: PgNode, opts: CreateStandbyOptions = {}): Promise<PgNode> {
  const state = clusterOfNode.get(primary);
  const nodes = state?.cluster.nodes ?? [];
  const id = opts.id ?? (nodes.length ? Math.max(...nodes.map((n) => n.id)) + 1 : primary.id + 1);
  const name = opts.name ?? `node${id}`;
  const baseDir = opts.baseDir ?? state?.cluster.baseDir ?? path.dirname(primary.socketDir);
  const auth = state?.auth ?? 'trust';
  const port = await freePort();
  const nodeDir = await newNodeDir(baseDir, name);
  const node = makeNode({
    id,
    name,
    port,
    nodeDir,
    archiveDir: primary.archiveDir,
    users: state?.cluster.users ?? [],
    onPromote: (n) => {
      if (state) state.cluster.primary = n;
    },
  });
  if (state) {
    clusterOfNode.set(node, state);
    nodes.push(node);
  }
  await writeNodeConf(node, opts.extraConf);
  if (opts.basebackup === false) return node;
  const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres application_name=${name}`;
  await runOk(
    bin('pg_basebackup'),
    ['-D', node.dataDir, '-R', '-c', 'fast', '-X', 'stream', '--no-sync', '-d', conninfo],
    { timeoutMs: 120_000 },
  );
  await chmod(node.dataDir, 0o700);
  await writeCommonConf(node.dataDir, auth, state?.extraConf);
  if (opts.start !== false) {
    await node.start();
    await waitStreaming(primary, [name], 60_000);
  }
  return node;
}

interface ClusterMeta {
  mode: 'streaming' | 'independent';
  auth: AuthMethod;
  nodes: { id: number; name: string; port: number }[];
  primaryId: number;
}

export async function createCluster(opts: CreateClusterOptions): Promise<PgCluster> {
  if (opts.nodes < 1) throw new Error('pg-cluster: nodes must be >= 1');
  installSafetyNet();
  const auth = opts.auth ?? 'trust';
  const users = opts.users ?? [];
  const extraConf = opts.extraConf ?? {};
  const timeoutMs = opts.timeoutMs ?? 60_000;

  let baseDir: string;
  if (opts.baseDir) {
    baseDir = path.resolve(opts.baseDir);
    if (opts.keep && existsSync(path.join(baseDir, 'cluster.json'))) {
      const reused = await reuseCluster(baseDir, opts);
      if (reused) return reused;
    }
    await rm(baseDir, { recursive: true, force: true });
    await mkdir(baseDir, { recursive: true });
  } else {
    await reapStaleClusters();
    baseDir = await mkdtemp(path.join(clusterRoot(), 'pgwarden-cluster-'));
    await writeFile(path.join(baseDir, OWNER_FILE), `${process.pid}\n`);
  }
  if (!opts.keep) tempDirs.add(baseDir);
  await chmod(baseDir, 0o755);
  const archiveDir = path.join(baseDir, 'archive');
  await mkdirPg(archiveDir, 0o700);

  const template = await ensureTemplate({ pgpoolRecovery: opts.pgpoolRecovery });
  const cluster: PgCluster = {
    mode: opts.mode,
    nodes: [],
    primary: undefined as unknown as PgNode,
    baseDir,
    archiveDir,
    users,
    destroy: () => destroyCluster(cluster, !!opts.keep),
  };
  const state: ClusterState = { cluster, auth, extraConf };

  try {
    const independentCount = opts.mode === 'independent' ? opts.nodes : 1;
    // Independent nodes: same template, own archive (identical WAL file names with different contents).
    await Promise.all(
      Array.from({ length: independentCount }, async (_, id) => {
        const name = `node${id}`;
        const nodeArchive = id === 0 ? archiveDir : path.join(baseDir, `archive-${name}`);
        if (id !== 0) await mkdirPg(nodeArchive, 0o700);
        const port = await freePort();
        const nodeDir = await newNodeDir(baseDir, name);
        const node = makeNode({
          id,
          name,
          port,
          nodeDir,
          archiveDir: nodeArchive,
          users,
          onPromote: (n) => (cluster.primary = n),
        });
        clusterOfNode.set(node, state);
        cluster.nodes[id] = node;
        await copyTemplate(template, node.dataDir);
        await writeCommonConf(node.dataDir, auth, extraConf);
        await writeNodeConf(node);
        await node.start();
        await createUsers(node, users);
      }),
    );
    cluster.primary = cluster.nodes[0]!;
    if (opts.mode === 'streaming') {
      const standbys = await Promise.all(
        Array.from({ length: opts.nodes - 1 }, (_, i) =>
          createStandby(cluster.primary, { id: i + 1, start: true }),
        ),
      );
      cluster.nodes.sort((a, b) => a.id - b.id);
      await waitStreaming(
        cluster.primary,
        standbys.map((s) => s.name),
        timeoutMs,
      );
    }
    await writeMeta(cluster, auth);
    return cluster;
  } catch (e) {
    await destroyCluster(cluster, !!opts.keep).catch(() => {});
    throw e;
  }
}

const OWNER_FILE = 'owner.pid';

/**
 * Clusters of processes that died without cleaning up (a vitest fork killed by a timeout, SIGKILL): stop their
 * postmasters and remove their directories, so RAM (/dev/shm) and ports do not leak across runs.
 */
export async function reapStaleClusters(root = clusterRoot()): Promise<string[]> {
  const reaped: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(root).filter((e) => e.startsWith('pgwarden-cluster-'));
  } catch {
    return reaped;
  }
  for (const entry of entries) {
    const dir = path.join(root, entry);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
    } catch {
      // no owner file yet (being created) or not ours
      continue;
    }
    if (!owner || isPidAlive(owner)) continue;
    let nodeDirs: string[] = [];
    try {
      nodeDirs = readdirSync(dir).filter((e) => /^node\d+$/.test(e));
    } catch {
      continue;
    }
    const pids = nodeDirs
      .map((n) => postmasterPid(path.join(dir, n, 'data')))
      .filter((p): p is number => !!p);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // gone
      }
    }
    await waitPidsGone(pids, 10_000);
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => {});
    reaped.push(dir);
  }
  return reaped;
}

async function writeMeta(cluster: PgCluster, auth: AuthMethod): Promise<void> {
  const meta: ClusterMeta = {
    mode: cluster.mode,
    auth,
    nodes: cluster.nodes.map((n) => ({ id: n.id, name: n.name, port: n.port })),
    primaryId: cluster.primary.id,
  };
  await writeFile(path.join(cluster.baseDir, 'cluster.json'), JSON.stringify(meta, null, 2) + '\n');
}

/** Restarts a kept cluster (demo) in place; null when its layout does not match the options. */
async function reuseCluster(baseDir: string, opts: CreateClusterOptions): Promise<PgCluster | null> {
  const meta = JSON.parse(await readFile(path.join(baseDir, 'cluster.json'), 'utf8')) as ClusterMeta;
  if (meta.mode !== opts.mode || meta.nodes.length !== opts.nodes) return null;
  if (!meta.nodes.every((n) => existsSync(path.join(baseDir, n.name, 'data', 'PG_VERSION')))) return null;
  if (!meta.nodes.every((n) => reservePort(n.port))) {
    meta.nodes.forEach((n) => releasePort(n.port));
    return null;
  }
  const users = opts.users ?? [];
  const archiveDir = path.join(baseDir, 'archive');
  const cluster: PgCluster = {
    mode: meta.mode,
    nodes: [],
    primary: undefined as unknown as PgNode,
    baseDir,
    archiveDir,
    users,
    destroy: () => destroyCluster(cluster, true),
  };
  const state: ClusterState = { cluster, auth: meta.auth, extraConf: opts.extraConf ?? {} };
  for (const m of meta.nodes) {
    const node = makeNode({
      id: m.id,
      name: m.name,
      port: m.port,
      nodeDir: path.join(baseDir, m.name),
      archiveDir:
        meta.mode === 'independent' && m.id !== 0 ? path.join(baseDir, `archive-${m.name}`) : archiveDir,
      users,
      onPromote: (n) => (cluster.primary = n),
    });
    clusterOfNode.set(node, state);
    cluster.nodes.push(node);
  }
  cluster.primary = cluster.nodes.find((n) => n.id === meta.primaryId) ?? cluster.nodes[0]!;
  await cluster.primary.start();
  await Promise.all(cluster.nodes.map((n) => n.start()));
  return cluster;
}

async function destroyCluster(cluster: PgCluster, keep: boolean): Promise<void> {
  const errors: unknown[] = [];
  const stopAll = (nodes: PgNode[]): Promise<unknown> =>
    Promise.all(
      nodes.map(async (n) => {
        try {
          await n.stop(keep ? 'fast' : 'immediate');
        } catch (e) {
          errors.push(e);
          await n.kill9().catch((err: unknown) => errors.push(err));
        }
      }),
    );
  // Standbys first: a standby that loses its primary retries streaming, and stopping it then can be slower.
  const primary = cluster.primary as PgNode | undefined;
  await stopAll(cluster.nodes.filter((n) => n !== primary));
  if (primary) await stopAll([primary]);
  if (keep) {
    if (cluster.primary)
      await writeMeta(cluster, clusterOfNode.get(cluster.primary)?.auth ?? 'trust').catch(() => {});
  } else {
    await rm(cluster.baseDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    tempDirs.delete(cluster.baseDir);
  }
  // filter(): a creation that failed half-way can leave holes in nodes[].
  for (const n of cluster.nodes.filter(Boolean)) {
    releasePort(n.port);
    liveDataDirs.delete(n.dataDir);
  }
  if (errors.length) throw new AggregateError(errors, 'pg-cluster: destroy had errors');
}

export interface ClusterHandle {
  readonly cluster: PgCluster;
  readonly primary: PgNode;
  readonly nodes: PgNode[];
}

/**
 * vitest: creates the cluster in beforeAll and destroys it in afterAll (also when tests fail).
 * `const pgc = useCluster({ mode: 'streaming', nodes: 3 }); it('...', () => pgc.primary.query(...))`
 */
export function useCluster(opts: CreateClusterOptions): ClusterHandle {
  let cluster: PgCluster | undefined;
  beforeAll(async () => {
    cluster = await createCluster(opts);
  }, opts.timeoutMs ?? 120_000);
  afterAll(async () => {
    await cluster?.destroy();
    cluster = undefined;
  }, 60_000);
  const must = (): PgCluster => {
    if (!cluster)
      throw new Error('pg-cluster: cluster not created yet (use it inside tests, after beforeAll)');
    return cluster;
  };
  return {
    get cluster() {
      return must();
    },
    get primary() {
      return must().primary;
    },
    get nodes() {
      return must().nodes;
    },
  };
}

/** Exposed for the helper's own tests. */
export const _internal = { liveDataDirs, heldPorts, lockPath, emergencyCleanup };
