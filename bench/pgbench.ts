// Runs pgbench against one target and parses its summary. The parser is pure (unit-tested in pgbench-parse.test.ts
// on real pgbench 15 output); the runner only builds arguments and enforces a hard time limit, so a hung proxy can
// never stall the whole benchmark.

import { spawn } from 'node:child_process';

/**
 * The benchmark database. Not `postgres`: pgpool-II never caches backend connections to template0, template1,
 * postgres and regression (connection_cache docs), which would make every pgpool session pay a backend fork.
 */
export const BENCH_DB = 'bench';

export type Workload = 'select-only' | 'tpcb';
export type QueryMode = 'simple' | 'extended' | 'prepared';

export interface BenchCase {
  workload: Workload;
  mode: QueryMode;
  clients: number;
  /** -C: a new connection for every transaction. */
  connect: boolean;
}

export interface PgbenchSummary {
  /** TPS excluding the initial connection time; with -C, including reconnection times (all pgbench prints). */
  tps: number | null;
  latencyMs: number | null;
  processed: number | null;
  failed: number | null;
  /** "initial connection time" (normal runs) or "average connection time" (-C), ms. */
  connectionMs: number | null;
  /** pgbench reported that the run was aborted (a client died): the numbers are partial. */
  aborted: boolean;
}

const num = (re: RegExp, text: string): number | null => {
  const m = re.exec(text);
  return m?.[1] === undefined ? null : Number(m[1]);
};

/**
 * Parses pgbench's summary (versions 13 to 16 word the TPS line differently; older ones print two TPS lines, the
 * "excluding connections establishing" one is the comparable figure).
 */
export function parsePgbench(stdout: string, stderr = ''): PgbenchSummary {
  const text = `${stdout}\n${stderr}`;
  const tps =
    num(
      /^tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/m,
      text,
    ) ??
    num(/^tps = ([\d.]+) \(including reconnection times\)/m, text) ??
    num(/^tps = ([\d.]+)/m, text);
  return {
    tps,
    latencyMs: num(/^latency average = ([\d.]+) ms/m, text),
    processed: num(/^number of transactions actually processed: (\d+)/m, text),
    failed: num(/^number of failed transactions: (\d+)/m, text),
    connectionMs: num(/^(?:initial|average) connection time = ([\d.]+) ms/m, text),
    aborted: /Run was aborted|client \d+ aborted/.test(text),
  };
}

export function pgbenchArgs(c: BenchCase, o: { host: string; port: number; seconds: number }): string[] {
  const args = ['-h', o.host, '-p', String(o.port), '-U', 'postgres'];
  // -n: the harness vacuums and truncates pgbench_history itself, directly on the primary, before every case, so a
  // proxy never has to route VACUUM and every target starts from the same table state.
  args.push('-n', '-T', String(o.seconds), '-c', String(c.clients), '-j', String(Math.min(2, c.clients)));
  args.push('-M', c.mode);
  if (c.workload === 'select-only') args.push('-S');
  if (c.connect) args.push('-C');
  args.push(BENCH_DB);
  return args;
}

export interface PgbenchRun extends PgbenchSummary {
  exitCode: number;
  /** Last lines of stderr when the run failed: the reason for the table. */
  error: string | null;
}

/** Runs pgbench; never rejects on a failed run (the failure is a result). `signal` kills it (Ctrl-C). */
export function runPgbench(args: string[], timeoutMs: number, signal?: AbortSignal): Promise<PgbenchRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'pgwarden-bench' };
    const child = spawn('pgbench', args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    // Failing clients can print one error per transaction: keep the head and the tail only.
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = stderr.length > 64_000 ? stderr.slice(0, 16_000) + stderr.slice(-32_000) + d : stderr + d;
    });
    const timer = setTimeout(() => {
      stderr += `\n[bench] pgbench killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      if ((e as NodeJS.ErrnoException).name === 'AbortError') return;
      reject(e);
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      const summary = parsePgbench(stdout, stderr);
      const exitCode = code ?? (sig ? 128 : 1);
      const failed = exitCode !== 0 || summary.tps === null || summary.aborted;
      const errLines = stderr
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('pgbench (') && !/^starting vacuum/.test(l));
      resolve({
        ...summary,
        exitCode,
        error: failed ? firstDistinct(errLines, 2) || `pgbench exited ${exitCode}` : null,
      });
    });
  });
}

function firstDistinct(lines: string[], n: number): string {
  return [...new Set(lines)].slice(0, n).join(' | ').slice(0, 300);
}
