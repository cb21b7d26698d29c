/**
 * The pid file as `pgpool stop` and `pgpool reload` use it: pid_file_name (relative to pgpool.conf's directory),
 * first line = pid. Reading it only needs pid_file_name, so a pgpool.conf that no longer validates (edited while
 * running) can still be used to stop the server.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { getParam } from '../engine/config/index';
import { parsePgpoolConf } from '../engine/config/pgpool-conf-parser';

export function pidFileFromConf(pgpoolConf: string, validated: string | null): string | null {
  let name = validated;
  if (name === null) {
    name = String(getParam('pid_file_name')!.default);
    try {
      const parsed = parsePgpoolConf(readFileSync(pgpoolConf, 'utf8'), pgpoolConf, {
        readFile: (p) => readFileSync(p, 'utf8'),
      });
      for (const a of parsed.assignments) if (a.key === 'pid_file_name') name = a.value;
    } catch {
      // Unreadable pgpool.conf: fall back to the default location.
    }
  }
  if (name.trim() === '') return null;
  return isAbsolute(name) ? name : resolve(dirname(pgpoolConf), name);
}

/** The pid in the file, or null when there is no usable pid file. */
export function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
