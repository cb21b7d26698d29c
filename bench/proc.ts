// Process plumbing for the benchmark: daemons in their own process group (so one signal stops a forking server like
// pgpool with all its children, and a terminal Ctrl-C reaches only us), a last-resort kill on exit, readiness probes
// and memory sampling from /proc.

import { execFile, spawn } from 'node:child_process';
import { chownSync, closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { BENCH_DB } from './pgbench';

export interface PgOsUser {
  uid: number;
  gid: number;
  home: string;
}

/** The `postgres` OS user when we run as root (pgbouncer and pgpool refuse root), else null. */
export function pgOsUser(): PgOsUser | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root but there is no `postgres` OS user');
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/tmp' };
}

export function chownPg(...paths: string[]): void {
  const u = pgOsUser();
  if (u) for (const p of paths) chownSync(p, u.uid, u.gid);
}

export interface Daemon {
  pid: number;
  name: string;
  logFile: string;
  /** Resolves with the exit code (or 128+signal) when the process exits. */
  exited: Promise<number>;
  isAlive(): boolean;
  /** Sends `signal` to the process group, waits up to graceMs, then SIGKILLs the group. */
  stop(signal: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const live = new Set<Daemon>();
let exitHookInstalled = false;

/** On any exit path, SIGKILL every daemon group still alive: nothing we started may survive the benchmark. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const d of live) killGroup(d.pid, 'SIGKILL');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function spawnDaemon(
  name: string,
  cmd: string,
  args: string[],
  opts: { logFile: string; asPostgres: boolean; cwd: string; env?: NodeJS.ProcessEnv },
): Daemon {
  installExitHook();
  const u = opts.asPostgres ? pgOsUser() : null;
  const fd = openSync(opts.logFile, 'a');
  if (u) chownSync(opts.logFile, u.uid, u.gid);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PG')) delete env[k];
  if (u) Object.assign(env, { HOME: u.home, USER: 'postgres', LOGNAME: 'postgres' });
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...env, ...opts.env },
    stdio: ['ignore', fd, fd],
    detached: true,
    ...(u ? { uid: u.uid, gid: u.gid } : {}),
  });
  closeSync(fd);
  let alive = true;
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('exit', (code, sig) => {
      alive = false;
      resolve(code ?? (sig ? 128 : 1));
    });
  });
  const daemon: Daemon = {
    pid: child.pid ?? -1,
    name,
    logFile: opts.logFile,
    exited,
    isAlive: () => alive,
    async stop(signal, graceMs = 10_000) {
      if (daemon.pid > 0 && alive) {
        killGroup(daemon.pid, signal);
        const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
        if (!done) killGroup(daemon.pid, 'SIGKILL');
        await exited;
      }
      // Children of a forking server (pgpool) may outlive the leader for a moment.
      killGroup(daemon.pid, 'SIGKILL');
      live.delete(daemon);
    },
  };
  if (daemon.pid > 0) live.add(daemon);
  return daemon;
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function psql(
  port: number,
  sql: string,
  host = '127.0.0.1',
  timeoutMs = 10_000,
): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'psql',
      ['-X', '-A', '-t', '-h', host, '-p', String(port), '-U', 'postgres', '-d', BENCH_DB, '-c', sql],
      { timeout: timeoutMs, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
      (err, stdout, stderr) => resolve({ ok: !err, out: (err ? stderr || err.message : stdout).trim() }),
    );
  });
}

/**
 * Waits until `SELECT count(*) FROM pgbench_branches` works through the port (the proxy is up AND reaches a backend
 * with the benchmark tables). Throws with the reason (last psql error, log tail) otherwise.
 */
export async function waitReady(port: number, timeoutMs: number, daemon?: Daemon): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (daemon && !daemon.isAlive()) {
      throw new Error(`${daemon.name} exited with code ${await daemon.exited}: ${tail(daemon.logFile, 8)}`);
    }
    const r = await psql(port, 'SELECT count(*) FROM pgbench_branches');
    if (r.ok && /^\d+$/.test(r.out)) return;
    last = r.out;
    await sleep(250);
  }
  const log = daemon ? `; last lines of ${path.basename(daemon.logFile)}: ${tail(daemon.logFile, 3)}` : '';
  throw new Error(
    `not accepting queries on port ${port} after ${timeoutMs / 1000} s (${last.split('\n')[0]})${log}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Memory

export interface MemSample {
  /** Sum of VmRSS over the process tree, bytes. Counts shared memory once per process (pgpool: 40+ times). */
  rss: number;
  /** Sum of Pss (smaps_rollup) over the tree, bytes: shared pages split between their users; the fairer figure. */
  pss: number | null;
  processes: number;
}

function ppidOf(pid: string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** root and all its descendants, minus processes whose comm is in `exclude` (tsx's esbuild service). */
export function treePids(root: number, exclude: string[] = []): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pp = ppidOf(e);
    if (pp !== null) children.set(pp, [...(children.get(pp) ?? []), Number(e)]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    if (exclude.includes(commOf(p))) continue;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

const kb = (re: RegExp, text: string): number | null => {
  const m = re.exec(text);
  return m?.[1] === undefined ? null : Number(m[1]) * 1024;
};

export function sampleMem(pids: number[]): MemSample {
  let rss = 0;
  let pss: number | null = 0;
  let processes = 0;
  for (const pid of pids) {
    try {
      rss += kb(/^VmRSS:\s+(\d+) kB/m, readFileSync(`/proc/${pid}/status`, 'utf8')) ?? 0;
      processes++;
    } catch {
      continue; // exited meanwhile
    }
    try {
      const p = kb(/^Pss:\s+(\d+) kB/m, readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      pss = pss === null || p === null ? null : pss + p;
    } catch {
      pss = null;
    }
  }
  return { rss, pss, processes };
}

/** utime+stime of the process and its reaped children, in seconds (USER_HZ is 100 on Linux). */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return ((f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0)) / 100;
  } catch {
    return null;
  }
}

export interface ProcSample extends MemSample {
  /** CPU time the tree used between start and stop, seconds (processes exiting between samples are missed). */
  cpuSeconds: number;
}

/**
 * Samples the trees of `roots` every intervalMs until stop(): the peak of each memory measure, and the CPU time the
 * tree used meanwhile (on a shared 2-core machine, CPU per transaction is the proxy's cleanest efficiency figure).
 */
export function startMemSampler(
  roots: () => number[],
  exclude: string[],
  intervalMs = 500,
): { stop(): ProcSample | null } {
  let peak: MemSample | null = null;
  const cpuStart = new Map<number, number>();
  const cpuLast = new Map<number, number>();
  let first = true;
  const tick = (): void => {
    const pids = roots().flatMap((r) => treePids(r, exclude));
    for (const pid of pids) {
      const c = cpuSeconds(pid);
      if (c === null) continue;
      // A process born during the run started at 0 CPU.
      if (!cpuStart.has(pid)) cpuStart.set(pid, first ? c : 0);
      cpuLast.set(pid, c);
    }
    first = false;
    if (!pids.length) return;
    const s = sampleMem(pids);
    peak = peak
      ? {
          rss: Math.max(peak.rss, s.rss),
          pss: peak.pss === null || s.pss === null ? null : Math.max(peak.pss, s.pss),
          processes: Math.max(peak.processes, s.processes),
        }
      : s;
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      let cpu = 0;
      for (const [pid, last] of cpuLast) cpu += last - (cpuStart.get(pid) ?? 0);
      return peak ? { ...peak, cpuSeconds: cpu } : null;
    },
  };
}
