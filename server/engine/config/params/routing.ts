/** Clustering mode, load balancing, routing, native replication and streaming-replication checks (reference §4, §5). */
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

const mode = (doc: string, context: ParamContext, implemented = true) => ({
  doc,
  context,
  implemented,
  domain: 'Clustering mode',
});
const lb = (doc: string, context: ParamContext, implemented = true) => ({
  doc,
  context,
  implemented,
  domain: 'Load balancing and routing',
});
const sr = (doc: string, context: ParamContext, implemented = true) => ({
  doc,
  context,
  implemented,
  domain: 'Streaming replication check',
});

export const CLUSTERING_MODES = [
  'streaming_replication',
  'native_replication',
  'logical_replication',
  'slony',
  'raw',
  'snapshot_isolation',
] as const;

export const routingParams: ParamDef[] = [
  enumParam(
    'backend_clustering_mode',
    'streaming_replication',
    CLUSTERING_MODES,
    mode('How the backends replicate; decides routing and failover.', 'INIT'),
  ),
  boolParam(
    'replicate_select',
    false,
    mode('Native replication: send SELECTs to every node when not load balanced.', 'RELOAD'),
  ),
  boolParam(
    'insert_lock',
    true,
    mode('Native replication: lock the table before INSERT to keep serials identical.', 'RELOAD'),
  ),
  stringParam(
    'lobj_lock_table',
    '',
    mode('Native replication: table locked around large-object creation.', 'RELOAD'),
  ),
  boolParam(
    'replication_stop_on_mismatch',
    false,
    mode('Native replication: degenerate nodes whose results differ from the majority.', 'RELOAD'),
  ),
  boolParam(
    'failover_if_affected_tuples_mismatch',
    false,
    mode('Native replication: degenerate nodes whose affected-row counts differ.', 'RELOAD'),
  ),
  {
    ...enumParam(
      'replication_nondeterministic_functions',
      'warn',
      ['warn', 'refuse'],
      mode(
        'pgwarden: a write calling random(), gen_random_uuid(), clock_timestamp()... in native replication: warn, or refuse it.',
        'RELOAD',
      ),
    ),
    pgwarden: true,
  },

  boolParam('load_balance_mode', true, lb('Send read-only queries to standbys by weight.', 'INIT')),
  boolParam(
    'ignore_leading_white_space',
    true,
    lb('Ignore leading white space when classifying a query.', 'RELOAD'),
  ),
  listParam(
    'read_only_function_list',
    [],
    ',',
    lb('Functions (regexes, comma list) that do not write: SELECTs calling them may be balanced.', 'RELOAD'),
  ),
  listParam(
    'write_function_list',
    [],
    ',',
    lb('Functions (regexes, comma list) that write: SELECTs calling them go to the primary.', 'RELOAD'),
  ),
  listParam(
    'primary_routing_query_pattern_list',
    [],
    ';',
    lb('Query regexes (;-separated) always sent to the primary.', 'RELOAD'),
  ),
  stringParam(
    'database_redirect_preference_list',
    '',
    lb("'db:node[(weight)]' pairs choosing the load-balance node by database.", 'RELOAD'),
  ),
  stringParam(
    'app_name_redirect_preference_list',
    '',
    lb("'app:node[(weight)]' pairs choosing the load-balance node by application_name.", 'RELOAD'),
  ),
  boolParam(
    'allow_sql_comments',
    false,
    lb('Ignore SQL comments when deciding whether a query may be balanced.', 'SESSION'),
  ),
  enumParam(
    'disable_load_balance_on_write',
    'transaction',
    ['off', 'transaction', 'trans_transaction', 'always', 'dml_adaptive'],
    lb(
      'After a write, stop balancing reads: for the transaction, later transactions, the session, or per object.',
      'RELOAD',
    ),
  ),
  stringParam(
    'dml_adaptive_object_relationship_list',
    '',
    lb("'table:dependent' pairs for disable_load_balance_on_write = dml_adaptive.", 'RELOAD'),
  ),
  boolParam(
    'statement_level_load_balance',
    false,
    lb('Choose the load-balance node per statement instead of per session.', 'RELOAD'),
  ),
  {
    ...enumParam(
      'check_temp_table',
      'catalog',
      ['catalog', 'trace', 'none'],
      lb('How to detect temporary tables (they are never balanced).', 'RELOAD'),
    ),
    legacyValues: { on: 'catalog', off: 'none' },
  },
  boolParam(
    'check_unlogged_table',
    true,
    lb('Look up unlogged tables (never balanced) in the catalog.', 'SESSION'),
  ),
  {
    ...intParam('relcache_expire', 0, 0, INT_MAX, lb('Relation cache lifetime, 0 = forever.', 'INIT', false)),
    unit: 's',
  },
  intParam('relcache_size', 256, 0, INT_MAX, lb('Relation cache entries.', 'INIT', false)),
  boolParam(
    'enable_shared_relcache',
    true,
    lb('Share the relation cache through the query cache.', 'INIT', false),
  ),
  enumParam(
    'relcache_query_target',
    'primary',
    ['primary', 'load_balance_node'],
    lb('Node that answers relation cache queries.', 'RELOAD', false),
  ),
];

export const streamingCheckParams: ParamDef[] = [
  {
    ...intParam(
      'sr_check_period',
      10,
      0,
      INT_MAX,
      sr('Interval of the replication delay check, 0 = disabled.', 'RELOAD'),
    ),
    unit: 's',
  },
  stringParam(
    'sr_check_user',
    'nobody',
    sr('User for the replication delay check and primary detection.', 'RELOAD'),
  ),
  {
    ...stringParam(
      'sr_check_password',
      '',
      sr("Password of sr_check_user; '' looks it up in pool_passwd.", 'RELOAD'),
    ),
    secret: true,
  },
  stringParam('sr_check_database', 'postgres', sr('Database for the replication delay check.', 'RELOAD')),
  {
    ...intParam(
      'delay_threshold',
      0,
      0,
      Number.MAX_SAFE_INTEGER,
      sr('Do not balance to a standby lagging more than this many WAL bytes, 0 = off.', 'RELOAD'),
    ),
    unit: 'B',
  },
  {
    ...intParam(
      'delay_threshold_by_time',
      0,
      0,
      INT_MAX,
      sr('pgwarden: do not balance to a standby whose replay lags more than this, 0 = off.', 'RELOAD'),
    ),
    unit: 's',
    pgwarden: true,
  },
  boolParam(
    'prefer_lower_delay_standby',
    false,
    sr('When the chosen standby lags, pick the least lagging one instead of the primary.', 'RELOAD'),
  ),
  enumParam(
    'log_standby_delay',
    'if_over_threshold',
    ['if_over_threshold', 'always', 'none'],
    sr('When to log replication delay.', 'RELOAD'),
  ),
];
