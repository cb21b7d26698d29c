/**
 * pid_file_name with pgpool's semantics: refuse to start when the file names a live process ("is another pgpool
 * running?"), overwrite a stale one with a warning, and remove it at exit (only if it still holds our pid).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { EngineError } from '../../engine/errors';
import type { Logger } from '../../engine/runtime/logger';

export function resolvePidFile(pidFileName: string, configFile: string): string | null {
  if (pidFileName.trim() === '') return null;
  // A relative pid_file_name is taken from the directory of pgpool.conf, as pgpool does.
  return isAbsolute(pidFileName) ? pidFileName : resolve(dirname(configFile), pidFileName);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writePidFile(path: string, logger: Logger, pid = process.pid): () => void {
  if (existsSync(path)) {
    const other = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    if (Number.isInteger(other) && other > 0 && other !== pid && isAlive(other)) {
      throw new EngineError(
        'config_invalid',
        `pid file found. is another pgwarden (pid ${other}) running? (${path})`,
        {
          details: { pidFile: path, pid: other },
        },
      );
    }
    logger.warn(`pid file ${path} found but it seems bogus; trying to start anyway`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${pid}\n`, { mode: 0o644 });
  return () => {
    try {
      if (Number.parseInt(readFileSync(path, 'utf8').trim(), 10) === pid) rmSync(path, { force: true });
    } catch {
      // Already gone.
    }
  };
}
