/**
 * How recovery scripts are run (`recovery_script_runner`):
 * - 'extension' (pgpool's way, reference §6.1): `SET statement_timeout To 0` then `SELECT pgpool_recovery(...)` and
 *   `SELECT pgpool_remote_start(...)` on the main node's template1; the server runs the script as postgres.
 * - 'direct': pgwarden runs `<main PGDATA>/<script>` itself with the same $1..$7 and cwd (as the postgres OS user
 *   when pgwarden runs as root: PostgreSQL tools refuse root), and `<main PGDATA>/pgpool_remote_start host datadir`.
 * Output: see output.ts. Cancel (`signal`): kill-tree.ts says how a running script is interrupted per runner.
 */
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { isLocalBackend, killDescendants, killGroup } from './kill-tree';
import type { MainConnection, NodeEndpoint } from './main-connection';
import { exitStatusFrom, LineSplitter, MAX_READBACK, OUTPUT_FILE, scriptHost } from './output';

export interface ScriptResult {
  command: string;
  ok: boolean;
  exitCode: number | null;
  /** Why it failed when there is no exit code (SQL error, spawn error, signal). */
  error?: string;
}

export type OutputSink = (line: string) => void;

export interface ScriptRunner {
  /**
   * pgpool_recovery(script, ...): recovery_1st_stage_command / recovery_2nd_stage_command. Aborting `signal`
   * interrupts the running script; the result then carries the output read so far.
   */
  recovery(
    script: string,
    target: NodeEndpoint,
    out: OutputSink,
    signal?: AbortSignal,
  ): Promise<ScriptResult>;
  /** pgpool_remote_start(host, datadir). */
  remoteStart(target: NodeEndpoint, out: OutputSink, signal?: AbortSignal): Promise<ScriptResult>;
}

/** The 7 script arguments after $1 (main data dir), pgpool 4.3 order. */
function scriptArgs(
  main: NodeEndpoint,
  target: NodeEndpoint,
): [string, string, string, number, string, string] {
  return [
    scriptHost(target.hostname),
    target.dataDir,
    String(main.port),
    target.nodeId,
    String(target.port),
    scriptHost(main.hostname),
  ];
}

export function createExtensionRunner(conn: MainConnection): ScriptRunner {
  const main = conn.main;
  const readSize = async (): Promise<number> => {
    const rows = await conn.query<{ size: string | null }>('SELECT (pg_stat_file($1, true)).size AS size', [
      OUTPUT_FILE,
    ]);
    return Number(rows[0]?.size ?? 0);
  };
  const readBack = async (from: number, out: OutputSink): Promise<string> => {
    try {
      const to = await readSize();
      if (to <= from) return '';
      const start = Math.max(from, to - MAX_READBACK);
      const rows = await conn.query<{ t: string | null }>('SELECT pg_read_file($1, $2, $3, true) AS t', [
        OUTPUT_FILE,
        start,
        to - start,
      ]);
      const text = rows[0]?.t ?? '';
      const split = new LineSplitter(out);
      split.push(text);
      split.end();
      return text;
    } catch (e) {
      out(`(pgwarden: could not read back ${OUTPUT_FILE}: ${(e as Error).message})`);
      return '';
    }
  };
  /**
   * Cancel: signal the script's processes under the backend when it runs here, then pg_cancel_backend (kill-tree.ts).
   */
  const interrupt = async (out: OutputSink): Promise<void> => {
    const pid = await conn.backendPid();
    if (pid === null) return;
    if (await isLocalBackend(pid, main.dataDir)) {
      const killed = await killDescendants(pid);
      out(
        `pgwarden: cancel: sent SIGTERM to the script's processes under backend ${pid}: ${killed.join(' ') || 'none'}`,
      );
    } else {
      out(
        `pgwarden: cancel: backend ${pid} is not on this host; the statement is cancelled when the script ends`,
      );
    }
    try {
      await conn.cancelBackend(pid);
      out(`pgwarden: cancel: pg_cancel_backend(${pid})`);
    } catch (e) {
      out(`pgwarden: cancel: pg_cancel_backend(${pid}) failed: ${(e as Error).message}`);
    }
  };
  const call = async (
    command: string,
    sql: string,
    params: unknown[],
    out: OutputSink,
    signal: AbortSignal | undefined,
  ) => {
    const before = await readSize().catch(() => 0);
    const onAbort = (): void => void interrupt(out);
    try {
      await conn.query('SET statement_timeout To 0');
      if (signal?.aborted) throw new Error('cancelled before the script started');
      signal?.addEventListener('abort', onAbort, { once: true });
      await conn.query(sql, params);
      const text = await readBack(before, out);
      return { command, ok: true, exitCode: exitStatusFrom(text) ?? 0 };
    } catch (e) {
      const text = await readBack(before, out);
      return { command, ok: false, exitCode: exitStatusFrom(text), error: (e as Error).message };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
  return {
    recovery(script, target, out, signal) {
      const args = scriptArgs(main, target);
      const command = `SELECT pgpool_recovery('${script}', '${args[0]}', '${args[1]}', '${args[2]}', ${args[3]}, '${args[4]}', '${args[5]}')`;
      return call(
        command,
        'SELECT pgpool_recovery($1, $2, $3, $4, $5, $6, $7)',
        [script, ...args],
        out,
        signal,
      );
    },
    remoteStart(target, out, signal) {
      const host = scriptHost(target.hostname);
      const command = `SELECT pgpool_remote_start('${host}', '${target.dataDir}')`;
      return call(command, 'SELECT pgpool_remote_start($1, $2)', [host, target.dataDir], out, signal);
    },
  };
}

export function createDirectRunner(main: NodeEndpoint): ScriptRunner {
  const logFile = path.join(main.dataDir, OUTPUT_FILE);
  const size = async (): Promise<number> => (await stat(logFile).catch(() => null))?.size ?? 0;
  const readBack = async (from: number, out: OutputSink): Promise<void> => {
    const to = await size();
    if (to <= from) return;
    const start = Math.max(from, to - MAX_READBACK);
    const fh = await open(logFile, 'r').catch(() => null);
    if (!fh) return;
    try {
      const buf = Buffer.alloc(to - start);
      await fh.read(buf, 0, buf.length, start);
      const split = new LineSplitter(out);
      split.push(buf.toString('utf8'));
      split.end();
    } finally {
      await fh.close();
    }
  };
  const run = async (
    file: string,
    args: string[],
    out: OutputSink,
    signal: AbortSignal | undefined,
  ): Promise<ScriptResult> => {
    const script = path.join(main.dataDir, file);
    const command = [script, ...args].map((a) => JSON.stringify(a)).join(' ');
    const before = await size();
    const r = await spawnScript(script, args, main.dataDir, out, signal);
    await readBack(before, out).catch(() => undefined);
    return { command, ...r };
  };
  return {
    recovery(script, target, out, signal) {
      const a = scriptArgs(main, target);
      return run(script, [main.dataDir, a[0], a[1], a[2], String(a[3]), a[4], a[5]], out, signal);
    },
    remoteStart(target, out, signal) {
      return run('pgpool_remote_start', [scriptHost(target.hostname), target.dataDir], out, signal);
    },
  };
}

/** Environment of a script: like the postmaster's (PGDATA set), without pgwarden's own PG* variables. */
function scriptEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PG')) delete env[k];
  env.PGDATA = dataDir;
  if (process.getuid?.() === 0) {
    env.HOME = '/var/lib/postgresql';
    env.USER = env.LOGNAME = 'postgres';
  }
  return env;
}

function spawnScript(
  script: string,
  args: string[],
  cwd: string,
  out: OutputSink,
  signal: AbortSignal | undefined,
): Promise<Omit<ScriptResult, 'command'>> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', script, ...args]] : [script, args];
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve({ ok: false, exitCode: null, error: 'cancelled before the script started' });
      return;
    }
    // Its own process group (detached), so a cancel reaches everything the script started.
    const child = spawn(file, argv, {
      cwd,
      env: scriptEnv(cwd),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let exited = false;
    const onAbort = (): void => {
      if (child.pid === undefined || exited) return;
      const ok = killGroup(child.pid, undefined, asRoot);
      out(
        `pgwarden: cancel: ${ok ? 'sent SIGTERM to' : 'could not signal'} the script's process group ${child.pid}`,
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const split = new LineSplitter(out);
    child.stdout.on('data', (c: Buffer) => split.push(c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => split.push(c.toString('utf8')));
    let done = false;
    const finish = (r: Omit<ScriptResult, 'command'>): void => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      split.end();
      resolve(r);
    };
    child.on('error', (e) => finish({ ok: false, exitCode: null, error: `could not start: ${e.message}` }));
    // pgpool_remote_start may leave a postmaster holding inherited pipes: 'exit', not 'close', ends the stage.
    child.on('exit', (code, sig) => {
      exited = true;
      setTimeout(
        () =>
          finish({
            ok: code === 0,
            exitCode: code,
            error: sig ? `killed by ${sig}` : code === 0 ? undefined : `exited with code ${code}`,
          }),
        50,
      );
    });
  });
}
