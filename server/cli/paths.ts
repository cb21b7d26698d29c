/**
 * Where the configuration files are when not given. pgpool uses its compile-time directory for all three
 * (Debian: /etc/pgpool2); pgwarden looks for pcp.conf and pool_hba.conf next to the pgpool.conf actually used,
 * which is the same thing for the default location and what people expect with `-f ./pgpool.conf`.
 * PGWARDEN_CONFIG replaces the default pgpool.conf (handy for containers and the demo).
 */
import { dirname, join, resolve } from 'node:path';
import type { CliOptions } from './args';

export const DEFAULT_CONFIG_DIR = '/etc/pgpool2';

export interface ConfigPaths {
  pgpoolConf: string;
  /** Explicit -F, else undefined (loadConfig then uses pcp.conf next to pgpool.conf when present). */
  pcpConf: string | undefined;
  hbaConf: string | undefined;
  poolKeyFile: string | undefined;
}

export function resolveConfigPaths(
  opts: CliOptions,
  env: Record<string, string | undefined> = process.env,
): ConfigPaths {
  const pgpoolConf = resolve(
    opts.configFile ?? (env.PGWARDEN_CONFIG || join(DEFAULT_CONFIG_DIR, 'pgpool.conf')),
  );
  return {
    pgpoolConf,
    pcpConf: opts.pcpFile === undefined ? undefined : resolve(opts.pcpFile),
    hbaConf: opts.hbaFile === undefined ? undefined : resolve(opts.hbaFile),
    poolKeyFile: opts.keyFile === undefined ? undefined : resolve(opts.keyFile),
  };
}

/** Default pcp.conf / pool_hba.conf shown in --help. */
export function siblingOf(pgpoolConf: string, name: string): string {
  return join(dirname(pgpoolConf), name);
}
