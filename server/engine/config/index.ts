/**
 * Configuration loading: pgpool.conf (+ includes), pcp.conf, pool_hba.conf and pool_passwd, validated into the
 * `PgwardenConfig` contract. Never throws for a bad file: every problem is a Diagnostic `file:line: key: reason`,
 * and `config` is null when any error was found (like `nginx -t`, everything is reported in one pass).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildConfig } from './build';
import { checkConfig } from './checks';
import { collect } from './collect';
import { DiagnosticSink, type Diagnostic } from './diagnostics';
import { parsePcpConf } from './pcp-conf';
import { parsePgpoolConf, type Assignment } from './pgpool-conf-parser';
import { parsePoolHba } from './pool-hba';
import { parsePoolPasswd, readPoolKey } from './pool-passwd';
import { getParam, PARAMETERS } from './registry';
import type { ParamValue } from './registry-types';
import { assertConfig } from './schema';
import type {
  BackendConfig,
  BackendFlag,
  HbaRule,
  HealthCheckParams,
  PcpUser,
  PgwardenConfig,
  PoolPasswdEntry,
} from './types';

export type { Diagnostic } from './diagnostics';
export { matchHba, type HbaRequest } from './hba-match';
export { PARAMETERS, getParam, formatParamValue, describeDomain, suggestName } from './registry';
export type { ParamDef, ParamKind, ParamContext } from './registry-types';
export { assertConfig, configSchema } from './schema';
export { mergeReload, type ReloadResult } from './reload';
export { settingsRows, type SettingRow } from './show';
export * from './types';

export interface LoadConfigOptions {
  pgpoolConf: string;
  /** pcp.conf: a path (must exist), undefined = `pcp.conf` next to pgpool.conf if present, null = skip. */
  pcpConf?: string | null;
  /** pool_hba.conf, read when enable_pool_hba = on: a path, undefined = next to pgpool.conf, null = skip. */
  hbaConf?: string | null;
  /** pgpool.conf-style assignments applied after the file (command line, tests); reported as `<override>`. */
  overrides?: Record<string, ParamValue>;
  /** Key for AES entries of pool_passwd; default $PGPOOLKEYFILE, then ~/.pgpoolkey (pgpool's -k). */
  poolKeyFile?: string;
  /** Check that files named by the config exist (ssl_cert, ssl_key). Default true. */
  checkFiles?: boolean;
  env?: Record<string, string | undefined>;
}

export interface LoadConfigResult {
  config: PgwardenConfig | null;
  warnings: Diagnostic[];
  errors: Diagnostic[];
  hbaRules: HbaRule[];
  pcpUsers: PcpUser[];
  poolPasswd: Map<string, PoolPasswdEntry>;
}

const readText = (path: string): string => readFileSync(path, 'utf8');

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? 'file not found' : err.code === 'EACCES' ? 'permission denied' : err.message;
}

function overrideAssignments(overrides: Record<string, ParamValue>): Assignment[] {
  return Object.entries(overrides).map(([key, v]) => {
    const base = getParam(key);
    const value = Array.isArray(v)
      ? v.join(base?.separator ?? ',')
      : typeof v === 'boolean'
        ? v
          ? 'on'
          : 'off'
        : String(v);
    return { key, value, token: 'string', file: '<override>', line: 0 };
  });
}

export function loadPcpConf(path: string): {
  users: PcpUser[];
  warnings: Diagnostic[];
  errors: Diagnostic[];
} {
  try {
    const { users, sink } = parsePcpConf(readText(path), path);
    return { users, warnings: sink.warnings, errors: sink.errors };
  } catch (e) {
    const sink = new DiagnosticSink();
    sink.error(path, 0, undefined, `could not read pcp.conf: ${reason(e)}`);
    return { users: [], warnings: [], errors: sink.errors };
  }
}

export function loadHba(path: string): { rules: HbaRule[]; warnings: Diagnostic[]; errors: Diagnostic[] } {
  try {
    const { rules, sink } = parsePoolHba(readText(path), path);
    return { rules, warnings: sink.warnings, errors: sink.errors };
  } catch (e) {
    const sink = new DiagnosticSink();
    sink.error(path, 0, undefined, `could not read pool_hba.conf: ${reason(e)}`);
    return { rules: [], warnings: [], errors: sink.errors };
  }
}

/** Reads pool_passwd, decrypting AES entries with the pool key file when there is one (see pool-passwd.ts). */
export function loadPoolPasswd(
  path: string,
  opts: { poolKeyFile?: string; env?: Record<string, string | undefined> } = {},
): { entries: Map<string, PoolPasswdEntry>; warnings: Diagnostic[]; errors: Diagnostic[] } {
  const env = opts.env ?? process.env;
  const keyFile = opts.poolKeyFile ?? env.PGPOOLKEYFILE ?? join(env.HOME ?? homedir(), '.pgpoolkey');
  const sink = new DiagnosticSink();
  let key: string | null = null;
  if (existsSync(keyFile)) {
    // pgpool warns about a group/world-readable key but still uses it.
    if ((statSync(keyFile).mode & 0o077) !== 0)
      sink.warn(
        keyFile,
        0,
        undefined,
        'pool key file has group or world access; permissions should be u=rw (0600) or less',
      );
    key = readPoolKey(readText(keyFile));
  }
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    sink.warn(
      path,
      0,
      undefined,
      `could not read pool_passwd (${reason(e)}): md5/scram authentication to backends needs it`,
    );
    return { entries: new Map(), warnings: sink.warnings, errors: sink.errors };
  }
  const parsed = parsePoolPasswd(text, path, key, keyFile);
  parsed.sink.all.forEach((d) => sink.push(d));
  return { entries: parsed.entries, warnings: sink.warnings, errors: sink.errors };
}

export function loadConfig(opts: LoadConfigOptions): LoadConfigResult {
  const confFile = resolve(opts.pgpoolConf);
  const confDir = dirname(confFile);
  const sink = new DiagnosticSink();
  const empty = (): LoadConfigResult => ({
    config: null,
    warnings: sink.warnings,
    errors: sink.errors,
    hbaRules: [],
    pcpUsers: [],
    poolPasswd: new Map(),
  });
  let text: string;
  try {
    text = readText(confFile);
  } catch (e) {
    sink.error(confFile, 0, undefined, `could not read pgpool.conf: ${reason(e)}`);
    return empty();
  }
  const parsed = parsePgpoolConf(text, confFile, { readFile: readText });
  parsed.sink.all.forEach((d) => sink.push(d));
  const collected = collect([...parsed.assignments, ...overrideAssignments(opts.overrides ?? {})], sink);
  const config = buildConfig(collected, { confFile, sink, readFile: readText });
  checkConfig(config, sink, opts.checkFiles === false ? {} : { fileExists: existsSync });

  const result = empty();
  if (opts.pcpConf !== null) {
    const path = opts.pcpConf === undefined ? join(confDir, 'pcp.conf') : resolve(opts.pcpConf);
    if (opts.pcpConf !== undefined || existsSync(path)) {
      const pcp = loadPcpConf(path);
      [...pcp.warnings, ...pcp.errors].forEach((d) => sink.push(d));
      result.pcpUsers = pcp.users;
      config.files.pcp_conf = path;
    } else {
      sink.warn(path, 0, undefined, 'no pcp.conf: every PCP login will be refused');
    }
  }
  if (opts.hbaConf !== null && config.enable_pool_hba) {
    const path = opts.hbaConf === undefined ? join(confDir, 'pool_hba.conf') : resolve(opts.hbaConf);
    const hba = loadHba(path);
    [...hba.warnings, ...hba.errors].forEach((d) => sink.push(d));
    result.hbaRules = hba.rules;
    config.files.pool_hba_conf = path;
  }
  if (config.files.pool_passwd) {
    const pp = loadPoolPasswd(config.files.pool_passwd, { poolKeyFile: opts.poolKeyFile, env: opts.env });
    [...pp.warnings, ...pp.errors].forEach((d) => sink.push(d));
    result.poolPasswd = pp.entries;
  }
  // Report in reading order: files in the order first mentioned, then by line.
  const fileOrder = [...new Set(sink.all.map((d) => d.file))];
  const byPlace = (a: Diagnostic, b: Diagnostic) =>
    fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || a.line - b.line;
  return {
    ...result,
    config: sink.errors.length === 0 ? config : null,
    warnings: sink.warnings.sort(byPlace),
    errors: sink.errors.sort(byPlace),
  };
}

export type BackendInput = Partial<Omit<BackendConfig, 'id' | 'flag' | 'health_check'>> & {
  port: number;
  flag?: Partial<BackendFlag>;
  health_check?: Partial<HealthCheckParams>;
};

export type DefaultConfigInput = Partial<Omit<PgwardenConfig, 'backends' | 'files'>> & {
  backends?: BackendInput[];
  files?: Partial<PgwardenConfig['files']>;
  /** Other registry parameters by pgpool name (health_check_period, ...), typed values. */
  params?: Record<string, ParamValue>;
};

/** A complete, valid config from registry defaults plus `overrides` (tests, demo). Throws if the result is invalid. */
export function defaultConfig(overrides: DefaultConfigInput = {}): PgwardenConfig {
  const settings: Record<string, ParamValue> = {};
  for (const p of PARAMETERS) if (!p.array || p.array === 'health_check') settings[p.name] = p.default;
  settings.data_directory = resolve('pgwarden-data');
  settings.store_url = `file:${join(String(settings.data_directory), 'pgwarden.db')}`;
  const { backends = [], files = {}, params = {}, ...scalars } = overrides;
  for (const [k, v] of Object.entries({ ...params, ...scalars })) {
    if (getParam(k) && v !== undefined) settings[k] = v as ParamValue;
  }
  const hc = (k: string) => settings[k];
  const health: HealthCheckParams = {
    period: hc('health_check_period') as number,
    timeout: hc('health_check_timeout') as number,
    user: hc('health_check_user') as string,
    password: hc('health_check_password') as string,
    database: hc('health_check_database') as string,
    max_retries: hc('health_check_max_retries') as number,
    retry_delay: hc('health_check_retry_delay') as number,
    connect_timeout: hc('connect_timeout') as number,
  };
  return assertConfig({
    ...settings,
    ...scalars,
    files: { pgpool_conf: '<defaults>', pcp_conf: null, pool_hba_conf: null, pool_passwd: null, ...files },
    backends: backends.map((b, id) => ({
      id,
      hostname: b.hostname ?? 'localhost',
      port: b.port,
      weight: b.weight ?? 1,
      data_directory: b.data_directory ?? '',
      flag: { allowToFailover: true, alwaysPrimary: false, ...b.flag },
      application_name: b.application_name ?? '',
      health_check: { ...health, ...b.health_check },
    })),
    watchdog: overrides.watchdog ?? {
      nodes: [],
      heartbeats: [],
      local_node_id: null,
      converted_from_3x: false,
    },
    settings: { ...settings, ...(overrides.settings ?? {}) },
    sources: overrides.sources ?? {},
  });
}
