/** Logging, file locations and the in-memory query cache (pgpool `LOGGING_CONFIG`, `FILE_LOCATION_CONFIG`, `CACHE_CONFIG`). */
import {
  boolParam,
  enumParam,
  intParam,
  INT_MAX,
  listParam,
  stringParam,
  type ParamContext,
  type ParamDef,
} from '../registry-types';

const log = (doc: string, context: ParamContext, implemented = false) => ({
  doc,
  context,
  implemented,
  domain: 'Logging and files',
});
const qc = (doc: string, context: ParamContext = 'INIT') => ({
  doc,
  context,
  implemented: false,
  domain: 'Query cache',
});

const MESSAGE_LEVELS = [
  'debug5',
  'debug4',
  'debug3',
  'debug2',
  'debug1',
  'info',
  'notice',
  'warning',
  'error',
  'log',
  'fatal',
  'panic',
] as const;

export const loggingParams: ParamDef[] = [
  stringParam('log_destination', 'stderr', log("'stderr' and/or 'syslog' (comma list).", 'RELOAD')),
  stringParam('log_line_prefix', '%m: %a pid %p: ', log('printf-style prefix of each log line.', 'RELOAD')),
  boolParam('log_connections', false, log('Log each client connection.', 'RELOAD')),
  boolParam('log_disconnections', false, log('Log each client disconnection.', 'RELOAD')),
  boolParam('log_hostname', false, log('Log client host names instead of addresses.', 'RELOAD')),
  boolParam('log_statement', false, log('Log every statement.', 'SESSION')),
  boolParam(
    'log_per_node_statement',
    false,
    log('Log every statement with the node it was sent to.', 'SESSION', true),
  ),
  boolParam('log_client_messages', false, log('Log every protocol message from clients.', 'SESSION')),
  enumParam(
    'syslog_facility',
    'LOCAL0',
    ['LOCAL0', 'LOCAL1', 'LOCAL2', 'LOCAL3', 'LOCAL4', 'LOCAL5', 'LOCAL6', 'LOCAL7'],
    log('syslog facility.', 'RELOAD'),
  ),
  stringParam('syslog_ident', 'pgpool', log('syslog program name.', 'RELOAD')),
  enumParam(
    'log_error_verbosity',
    'default',
    ['terse', 'default', 'verbose'],
    log('Detail of logged errors.', 'SESSION'),
  ),
  {
    ...enumParam(
      'client_min_messages',
      'notice',
      MESSAGE_LEVELS,
      log('Lowest message level sent to clients.', 'SESSION'),
    ),
    legacyValues: { debug: 'debug2' },
  },
  {
    ...enumParam(
      'log_min_messages',
      'warning',
      MESSAGE_LEVELS,
      log('Lowest message level written to the log (-d sets debug1).', 'SESSION', true),
    ),
    legacyValues: { debug: 'debug2' },
  },
  boolParam(
    'logging_collector',
    false,
    log("Capture stderr into log files (pgwarden's daemon mode writes logdir/pgwarden.log).", 'INIT'),
  ),
  stringParam('log_directory', '/tmp/pgpool_logs', log('Directory of collected log files.', 'INIT')),
  stringParam(
    'log_filename',
    'pgpool-%Y-%m-%d_%H%M%S.log',
    log('strftime pattern of collected log files.', 'INIT'),
  ),
  intParam('log_file_mode', 0o600, 0, 0o777, log('Permissions of collected log files.', 'INIT')),
  boolParam(
    'log_truncate_on_rotation',
    false,
    log('Truncate a reused log file on time-based rotation.', 'INIT'),
  ),
  {
    ...intParam('log_rotation_age', 1440, 0, INT_MAX, log('Rotate collected logs after this long.', 'INIT')),
    unit: 'min',
  },
  {
    ...intParam(
      'log_rotation_size',
      10240,
      0,
      Math.floor(INT_MAX / 1024),
      log('Rotate collected logs after this much output.', 'INIT'),
    ),
    unit: 'kB',
  },
  stringParam(
    'pid_file_name',
    '/var/run/pgpool/pgpool.pid',
    log("Pid file (relative to pgpool.conf's directory); used by stop and reload.", 'INIT', true),
  ),
  stringParam(
    'logdir',
    '/tmp',
    log('Directory of the pgpool_status file (node status kept across restarts).', 'INIT', true),
  ),
];

export const queryCacheParams: ParamDef[] = [
  boolParam('memory_cache_enabled', false, qc('Cache SELECT results in memory.')),
  enumParam('memqcache_method', 'shmem', ['shmem', 'memcached'], qc('Where cached results live.')),
  stringParam('memqcache_memcached_host', 'localhost', qc('memcached host.')),
  intParam('memqcache_memcached_port', 11211, 0, 65535, qc('memcached port.')),
  {
    ...intParam(
      'memqcache_total_size',
      67108864,
      0,
      Number.MAX_SAFE_INTEGER,
      qc('Size of the shared-memory cache.'),
    ),
    unit: 'B',
  },
  intParam('memqcache_max_num_cache', 1000000, 0, INT_MAX, qc('Maximum cache entries.')),
  {
    ...intParam('memqcache_expire', 0, 0, INT_MAX, qc('Cache entry lifetime, 0 = until invalidated.')),
    unit: 's',
  },
  boolParam('memqcache_auto_cache_invalidation', true, qc('Invalidate entries of written tables.', 'RELOAD')),
  { ...intParam('memqcache_maxcache', 409600, 0, INT_MAX, qc('Largest cacheable result.')), unit: 'B' },
  { ...intParam('memqcache_cache_block_size', 1048576, 512, INT_MAX, qc('Cache block size.')), unit: 'B' },
  stringParam('memqcache_oiddir', '/var/log/pgpool/oiddir', qc('Directory of table oid maps.')),
  listParam(
    'cache_safe_memqcache_table_list',
    [],
    ',',
    qc('Tables (regexes) whose results may be cached.', 'RELOAD'),
  ),
  listParam(
    'cache_unsafe_memqcache_table_list',
    [],
    ',',
    qc('Tables (regexes) whose results are never cached.', 'RELOAD'),
  ),
];

export const pgwardenParams: ParamDef[] = [
  {
    ...stringParam('dashboard_listen_address', 'localhost', {
      ...log('pgwarden: address of the dashboard and control API.', 'INIT', true),
      domain: 'pgwarden',
    }),
    pgwarden: true,
  },
  {
    ...intParam('dashboard_port', 3000, 1, 65535, {
      ...log('pgwarden: port of the dashboard and control API.', 'INIT', true),
      domain: 'pgwarden',
    }),
    pgwarden: true,
  },
  {
    ...stringParam('store_url', '', {
      ...log(
        "pgwarden: control-plane store, 'file:<path>' (SQLite) or postgres://...; '' = SQLite under data_directory.",
        'INIT',
        true,
      ),
      domain: 'pgwarden',
    }),
    pgwarden: true,
    secret: true,
  },
  {
    ...stringParam('data_directory', '', {
      ...log(
        "pgwarden: directory for pgwarden's own state; '' = <pgpool.conf dir>/pgwarden-data.",
        'INIT',
        true,
      ),
      domain: 'pgwarden',
    }),
    pgwarden: true,
  },
];
