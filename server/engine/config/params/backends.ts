/** Backend nodes and health checks: per-node families `backend_*N` and `health_check_*N` (reference §3.6). */
import {
  intParam,
  INT_MAX,
  realParam,
  stringParam,
  type ParamContext,
  type ParamDef,
} from '../registry-types';

const be = (doc: string) => ({
  doc,
  context: 'RELOAD' as ParamContext,
  implemented: true,
  domain: 'Backends',
  array: 'backend' as const,
});
const hc = (doc: string) => ({
  doc,
  context: 'RELOAD' as ParamContext,
  implemented: true,
  domain: 'Health check',
  array: 'health_check' as const,
});

export const backendParams: ParamDef[] = [
  stringParam('backend_hostname', '', be('Host name, IP address or Unix socket directory of node N.')),
  // No usable default: a node without backend_portN is an error (pgpool's boot value is 0, which never connects).
  intParam('backend_port', 0, 1, 65535, be('Port of node N (required for every node).')),
  realParam(
    'backend_weight',
    0,
    0,
    100000000,
    be('Load-balance weight of node N, kept raw (normalised by the cluster state).'),
  ),
  stringParam(
    'backend_data_directory',
    '',
    be("Data directory of node N (online recovery's %D / pgpool_recovery argument)."),
  ),
  stringParam(
    'backend_flag',
    'ALLOW_TO_FAILOVER',
    be('|-separated flags: ALLOW_TO_FAILOVER, DISALLOW_TO_FAILOVER, ALWAYS_PRIMARY.'),
  ),
  stringParam(
    'backend_application_name',
    '',
    be('walreceiver application_name of node N (replication state in SHOW pool_nodes).'),
  ),
];

export const healthCheckParams: ParamDef[] = [
  {
    ...intParam('health_check_period', 0, 0, INT_MAX, hc('Interval between health checks, 0 = disabled.')),
    unit: 's',
  },
  {
    ...intParam(
      'health_check_timeout',
      20,
      0,
      INT_MAX,
      hc('Give up one health check after this long, 0 = wait forever.'),
    ),
    unit: 's',
  },
  stringParam('health_check_user', 'nobody', hc('User for health checks.')),
  {
    ...stringParam(
      'health_check_password',
      '',
      hc("Password for health checks; '' looks it up in pool_passwd."),
    ),
    secret: true,
  },
  stringParam(
    'health_check_database',
    'postgres',
    hc("Database for health checks ('' means postgres, then template1)."),
  ),
  intParam(
    'health_check_max_retries',
    0,
    0,
    INT_MAX,
    hc('Retries before a failed health check triggers failover.'),
  ),
  {
    ...intParam('health_check_retry_delay', 1, 0, INT_MAX, hc('Pause between health check retries.')),
    unit: 's',
  },
  {
    ...intParam('connect_timeout', 10000, 0, INT_MAX, hc('TCP connect timeout to a backend, 0 = none.')),
    unit: 'ms',
  },
];
