// Process and file-system helpers of pg-cluster: running server commands as the `postgres` OS user, pids, dirs.

import { spawn, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync, statfsSync, unlinkSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Env, RunResult } from './types';

export const PG_BIN = process.env.PGWARDEN_PG_BIN ?? '/usr/lib/postgresql/15/bin';

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

/** Runs a command (as postgres when root) and resolves with its output; never rejects on a non-zero exit. */
export function run(
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

export async function runOk(
  cmd: string,
  args: string[],
  opts: Parameters<typeof run>[2] = {},
): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `pg-cluster: ${path.basename(cmd)} ${args.join(' ')} exited ${r.code}\n${r.stderr}${r.stdout}`,
    );
  }
  return r;
}

export const bin = (name: string): string => path.join(PG_BIN, name);

const DEBUG = !!process.env.PGWARDEN_CLUSTER_DEBUG;
const t0 = Date.now();
export function debug(msg: string): void {
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

export async function waitPidsGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isPidAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function chownToPg(p: string): Promise<void> {
  const u = pgOsUser();
  if (u) await chown(p, u.uid, u.gid);
}

/** mkdir owned by postgres (when root) with the given mode. */
export async function mkdirPg(p: string, mode = 0o700): Promise<void> {
  await mkdir(p, { recursive: true });
  await chownToPg(p);
  await chmod(p, mode);
}

export function unlinkQuiet(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // ignore
  }
}

/** Pid of the live postmaster of dataDir (from postmaster.pid), else null. */
export function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isPidAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Direct children of pid (from /proc), to wait for them after kill -9 of the postmaster. */
export function childPids(pid: number): number[] {
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
