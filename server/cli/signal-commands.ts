/**
 * `pgwarden [-m smart|fast|immediate] stop` and `pgwarden reload`, as pgpool's stop_me() and reload: signal the
 * pid from the pid file (SIGTERM smart, SIGINT fast, SIGQUIT immediate; SIGHUP reload), then for stop wait for
 * the process to exit, printing a dot a second and re-sending the signal every 5 seconds, and remove the pid file.
 */
import { rmSync } from 'node:fs';
import type { ShutdownMode } from './args';
import type { CliIo } from './load';
import { isAlive, readPid } from './pid';

export const STOP_SIGNAL: Record<ShutdownMode, NodeJS.Signals> = {
  smart: 'SIGTERM',
  fast: 'SIGINT',
  immediate: 'SIGQUIT',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function send(pid: number, signal: NodeJS.Signals, io: CliIo): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (e) {
    io.err(
      `FATAL:  could not signal process with pid ${pid}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
    return false;
  }
}

export async function stopCommand(
  pidFile: string | null,
  mode: ShutdownMode,
  io: CliIo,
  tickMs = 1000,
): Promise<number> {
  const pid = pidFile ? readPid(pidFile) : null;
  if (pid === null) {
    io.err(`FATAL:  could not read pid file${pidFile ? ` ${pidFile}` : ' (pid_file_name is empty)'}`);
    return 1;
  }
  const signal = STOP_SIGNAL[mode];
  for (;;) {
    if (!send(pid, signal, io)) return 1;
    io.err(
      `LOG:  stop request (${mode}, ${signal}) sent to pgwarden (pid: ${pid}). waiting for termination...`,
    );
    let ticks = 5;
    while (isAlive(pid) && ticks > 0) {
      process.stderr.write('.');
      await sleep(tickMs);
      ticks--;
    }
    if (!isAlive(pid)) break;
  }
  process.stderr.write('done.\n');
  rmSync(pidFile!, { force: true });
  return 0;
}

export function reloadCommand(pidFile: string | null, io: CliIo): number {
  const pid = pidFile ? readPid(pidFile) : null;
  if (pid === null) {
    io.err(`FATAL:  could not read pid file${pidFile ? ` ${pidFile}` : ' (pid_file_name is empty)'}`);
    return 1;
  }
  return send(pid, 'SIGHUP', io) ? 0 : 1;
}
