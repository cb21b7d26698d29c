/**
 * Starting pgwarden. With -n it runs in the foreground: runServer() (server/main.ts) writes the pid file and owns
 * the signals. Without -n it daemonizes the way a Node process can: it re-spawns itself detached with `-n`, output
 * appended to <logdir>/pgwarden.log, waits until the child has written its pid file (or died, in which case the log
 * tail is shown), and returns — pgpool's fork + setsid, minus the fork.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PgwardenConfig } from '../engine/config/index';
import type { LogLevel } from '../engine/runtime/logger';
import type { RunServerOptions } from '../main';
import type { CliOptions } from './args';
import { loadForCli, printDiagnostics, type CliIo } from './load';
import type { ConfigPaths } from './paths';
import { isAlive, readPid } from './pid';

/** pgpool's log_min_messages → pgwarden's logger level. pgpool always shows LOG lines unless fatal/panic. */
export function logLevelFor(config: PgwardenConfig, debug: boolean): LogLevel {
  const m = config.log_min_messages;
  if (debug || m.startsWith('debug')) return 'debug';
  if (m === 'info' || m === 'notice') return 'info';
  if (m === 'fatal' || m === 'panic') return 'fatal';
  return 'log';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function daemonize(argv: readonly string[], config: PgwardenConfig, io: CliIo): Promise<number> {
  mkdirSync(config.logdir, { recursive: true });
  const logFile = join(config.logdir, 'pgwarden.log');
  const out = openSync(logFile, 'a');
  const script = process.argv[1]!;
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv, '-n'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PGWARDEN_DAEMON: '1' },
  });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const pidFile = config.pid_file_name === '' ? null : config.pid_file_name;
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (exited !== null) break;
    if (pidFile && readPid(pidFile) === child.pid) break;
    if (!pidFile && waited >= 2000) break;
    await sleep(100);
  }
  if (exited !== null || (child.pid !== undefined && !isAlive(child.pid))) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    io.err(`pgwarden failed to start (exit status ${exited ?? '?'}); last lines of ${logFile}:\n${tail}`);
    return 1;
  }
  io.out(`pgwarden started (pid ${child.pid}), logging to ${logFile}`);
  return 0;
}

export interface StartDeps {
  /** server/main.ts runServer, resolved lazily so this module does not pull the server in for --check-config. */
  runServer?: (opts: RunServerOptions) => Promise<void>;
}

export async function startCommand(
  argv: readonly string[],
  opts: CliOptions,
  paths: ConfigPaths,
  io: CliIo,
  deps: StartDeps = {},
): Promise<number> {
  const r = loadForCli(paths, opts.debug);
  printDiagnostics(r, io);
  if (!r.config) {
    io.err(`FATAL:  invalid configuration in ${paths.pgpoolConf} (${r.errors.length} error(s))`);
    return 1;
  }
  const config = r.config;
  const pidFile = config.pid_file_name === '' ? null : config.pid_file_name;
  const running = pidFile ? readPid(pidFile) : null;
  if (running !== null && running !== process.pid && isAlive(running)) {
    io.err(`ERROR: pid file found. is another pgwarden (${running}) running? (${pidFile})`);
    return 1;
  }
  if (!opts.dontDetach) return daemonize(argv, config, io);

  const runServer = deps.runServer ?? (await import('../main')).runServer;
  await runServer({
    config,
    configPaths: paths,
    discardStatus: opts.discardStatus,
    dashboard: !opts.noDashboard,
    logLevel: logLevelFor(config, opts.debug),
    pcpUsers: r.pcpUsers,
    hbaRules: r.hbaRules,
    poolPasswd: r.poolPasswd,
  });
  return 0;
}
