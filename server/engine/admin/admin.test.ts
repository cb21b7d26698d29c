import { describe, expect, it } from 'vitest';
import type { HealthCheckStats, PoolEntry, SessionEntry } from '../api';
import type { PgwardenConfig } from '../config/types';
import { testBackend, testConfig, testState } from '../router/test-config';
import type { ClusterState } from '../state/cluster-state';
import { createAdminHandler } from './handler';
import { routeOverrides } from './params';
import {
  isAdminError,
  type AdminContext,
  type AdminResult,
  type AdminRows,
  type AdminSession,
} from './types';

const T0 = new Date(2026, 10, 21, 23, 56, 44);
const T1 = new Date(2026, 10, 21, 23, 57, 27);

function handlerFor(config: PgwardenConfig, state: ClusterState, extra: Partial<AdminContext> = {}) {
  const handler = createAdminHandler((session) => ({
    state,
    config,
    session,
    sessions: () => [],
    pools: () => [],
    healthCheckStats: () => [],
    version: '0.1.0',
    ...extra,
  }));
  const session: AdminSession = { loadBalanceNode: 1, overrides: new Map() };
  const run = (command: string, args: string[] = []): AdminResult => {
    const r = handler.handle(command, args, session);
    if (isAdminError(r)) throw new Error(r.error.message);
    return r;
  };
  const rows = (command: string, args: string[] = []) => run(command, args) as AdminRows;
  return { handler, session, run, rows };
}

/** The 2-node pgpool_setup cluster of reference §2. */
function sampleCluster(mode: PgwardenConfig['backend_clustering_mode'] = 'streaming_replication') {
  const config = testConfig({ backend_clustering_mode: mode, backends: [testBackend(0), testBackend(1)] });
  let now = T0;
  const state = testState(config, () => now);
  now = T1;
  state.setStatus(1, 'waiting', null);
  state.setStatus(1, 'up', null);
  for (const n of state.nodes) {
    n.pgStatus = 'up';
    n.pgRole = n.id === 0 ? 'primary' : 'standby';
  }
  Object.assign(state.nodes[1]!, { replicationState: 'streaming', replicationSyncState: 'async' });
  return { config, state };
}

describe('SHOW pool_nodes (reference §2)', () => {
  it('has the 4.3 columns and reproduces the pgpool_setup sample rows', () => {
    const { config, state } = sampleCluster();
    const r = handlerFor(config, state).rows('pool_nodes');
    expect(r.columns.join('|')).toBe(
      'node_id|hostname|port|status|pg_status|lb_weight|role|pg_role|select_cnt|load_balance_node|replication_delay|replication_state|replication_sync_state|last_status_change',
    );
    expect(r.rows.map((row) => row.join('|'))).toEqual([
      '0|localhost|11002|up|up|0.500000|primary|primary|0|false|0|||2026-11-21 23:56:44',
      '1|localhost|11003|up|up|0.500000|standby|standby|0|true|0|streaming|async|2026-11-21 23:57:27',
    ]);
  });

  it('regression 003: a stopped standby with sr_check_period = 0', () => {
    const { state } = sampleCluster();
    const config = testConfig({ sr_check_period: 0, backends: [testBackend(0), testBackend(1)] });
    state.setStatus(1, 'down', null);
    const row = handlerFor(config, state).rows('pool_nodes').rows[1]!;
    expect(row.slice(0, 13).join('|')).toBe(
      '1|localhost|11003|down|down|0.500000|standby|unknown|0|true|0||',
    );
  });

  it('a detached standby that still streams: the view of PostgreSQL, as pgpool 4.3.5 shows it', () => {
    const { config, state } = sampleCluster();
    state.setStatus(1, 'down', null);
    state.nodes[1]!.pgStatus = 'up'; // sr_check samples detached nodes too
    const row = handlerFor(config, state).rows('pool_nodes').rows[1]!;
    expect(row.slice(3, 13).join('|')).toBe('down|up|0.500000|standby|standby|0|true|0|streaming|async');
  });

  it('native replication: main/replica roles, pg_role = role', () => {
    const { config, state } = sampleCluster('native_replication');
    state.setStatus(1, 'down', null);
    const rows = handlerFor(config, state)
      .rows('pool_nodes')
      .rows.map((r) => r.slice(0, 8).join('|'));
    expect(rows).toEqual([
      '0|localhost|11002|up|up|0.500000|main|main',
      '1|localhost|11003|down|down|0.500000|replica|replica',
    ]);
  });

  it('3 nodes: lb_weight %f, quarantine status, delay and select counts', () => {
    const config = testConfig();
    const state = testState(config);
    state.nodes[2]!.quarantined = true;
    state.nodes[1]!.replicationDelayBytes = 1234;
    state.nodes[1]!.counters.select = 7;
    const rows = handlerFor(config, state).rows('pool_nodes').rows;
    expect(rows.map((r) => r[5])).toEqual(['0.333333', '0.333333', '0.333333']);
    expect(rows[2]![3]).toBe('quarantine');
    expect(rows[1]![8]).toBe('7');
    expect(rows[1]![10]).toBe('1234');
    expect(rows.map((r) => r[9])).toEqual(['false', 'true', 'false']);
    expect(rows.every((r) => r.length === 14)).toBe(true);
  });
});

describe('other SHOW pool_* commands: exact 4.3 columns', () => {
  const config = testConfig();
  const state = testState(config);
  const when = new Date(2026, 0, 2, 3, 4, 5);
  const sessions: SessionEntry[] = [
    {
      poolPid: 1,
      startTime: when,
      clientConnectionCount: 3,
      database: 'db',
      username: 'bob',
      clientAddress: '127.0.0.1',
      applicationName: 'psql',
      backendConnectionTime: when,
      poolCounter: 2,
      status: 'Idle',
      loadBalanceNode: 1,
    },
  ];
  const pools: PoolEntry[] = [
    {
      poolPid: 1,
      startTime: when,
      poolId: 0,
      backendId: 1,
      database: 'db',
      username: 'bob',
      backendConnectionTime: when,
      clientConnectionTime: when,
      clientDisconnectionTime: null,
      clientIdleDuration: 12.7,
      majorVersion: 3,
      minorVersion: 0,
      poolCounter: 2,
      backendPid: 4242,
      connected: true,
      status: 'Idle',
    },
  ];
  const hc: HealthCheckStats[] = [
    {
      nodeId: 0,
      totalCount: 10,
      successCount: 9,
      failCount: 1,
      skipCount: 0,
      retryCount: 2,
      averageRetryCount: 0.2,
      maxRetryCount: 1,
      maxDurationMs: 15,
      minDurationMs: 3,
      averageDurationMs: 5.5,
      lastHealthCheck: when,
      lastSuccessfulHealthCheck: when,
      lastSkipHealthCheck: null,
      lastFailedHealthCheck: when,
    },
  ];
  const h = handlerFor(config, state, {
    sessions: () => sessions,
    pools: () => pools,
    healthCheckStats: () => hc,
  });

  it('pool_processes', () => {
    const r = h.rows('pool_processes');
    expect(r.columns).toEqual([
      'pool_pid',
      'start_time',
      'client_connection_count',
      'database',
      'username',
      'backend_connection_time',
      'pool_counter',
      'status',
    ]);
    // Every slot up to num_init_children, free ones waiting (pgpool lists every pre-forked child).
    expect(r.rows.length).toBe(config.num_init_children);
    expect(r.rows[0]).toEqual([
      '1',
      '2026-01-02 03:04:05',
      '3',
      'db',
      'bob',
      '2026-01-02 03:04:05',
      '2',
      'Idle',
    ]);
    h.session.poolPid = 1;
    expect(h.rows('pool_processes').rows[0]![7]).toBe('Execute command');
    expect(h.rows('pool_pools').rows[0]![16]).toBe('Execute command');
    delete h.session.poolPid;
    expect(r.rows[1]).toEqual([
      '2',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      '0',
      '',
      '',
      '',
      '',
      'Wait for connection',
    ]);
  });

  it('pool_pools', () => {
    const r = h.rows('pool_pools');
    expect(r.columns.join(',')).toBe(
      'pool_pid,start_time,client_connection_count,pool_id,backend_id,database,username,backend_connection_time,client_connection_time,client_disconnection_time,client_idle_duration,majorversion,minorversion,pool_counter,pool_backendpid,pool_connected,status',
    );
    expect(r.rows[0]).toEqual([
      '1',
      '2026-01-02 03:04:05',
      '3',
      '0',
      '1',
      'db',
      'bob',
      '2026-01-02 03:04:05',
      '2026-01-02 03:04:05',
      '',
      '12',
      '3',
      '0',
      '2',
      '4242',
      '1',
      'Idle',
    ]);
  });

  it('pool_health_check_stats', () => {
    const r = h.rows('pool_health_check_stats');
    expect(r.columns.join(',')).toBe(
      'node_id,hostname,port,status,role,last_status_change,total_count,success_count,fail_count,skip_count,retry_count,average_retry_count,max_retry_count,max_duration,min_duration,average_duration,last_health_check,last_successful_health_check,last_skip_health_check,last_failed_health_check',
    );
    expect(r.rows[0]!.slice(6)).toEqual([
      '10',
      '9',
      '1',
      '0',
      '2',
      '0.200000',
      '1',
      '15',
      '3',
      '5.500000',
      '2026-01-02 03:04:05',
      '2026-01-02 03:04:05',
      '',
      '2026-01-02 03:04:05',
    ]);
    expect(r.rows[1]!.slice(0, 7)).toEqual([
      '1',
      'localhost',
      '11003',
      'up',
      'standby',
      '2026-11-21 23:56:44',
      '0',
    ]);
  });

  it('pool_backend_stats', () => {
    state.nodes[0]!.counters.insert = 4;
    const r = h.rows('pool_backend_stats');
    expect(r.columns.join(',')).toBe(
      'node_id,hostname,port,status,role,select_cnt,insert_cnt,update_cnt,delete_cnt,ddl_cnt,other_cnt,panic_cnt,fatal_cnt,error_cnt',
    );
    expect(r.rows[0]).toEqual([
      '0',
      'localhost',
      '11002',
      'up',
      'primary',
      '0',
      '4',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
    ]);
  });

  it('pool_cache and pool_version', () => {
    expect(h.rows('pool_cache')).toEqual({
      columns: [
        'num_cache_hits',
        'num_selects',
        'cache_hit_ratio',
        'num_hash_entries',
        'used_hash_entries',
        'num_cache_entries',
        'used_cache_entries_size',
        'free_cache_entries_size',
        'fragment_cache_entries_size',
      ],
      rows: [['0', '0', '0.00', '0', '0', '0', '0', '0', '0']],
    });
    const v = h.rows('pool_version');
    expect(v.columns).toEqual(['pool_version']);
    expect(v.rows[0]![0]).toMatch(/^4\.3\.5 \(tamahomeboshi\) pgwarden\/0\.1\.0$/);
  });
});

describe('SHOW pool_status', () => {
  it('items in pgpool order, booleans 0/1, mode number, per-backend items', () => {
    const config = testConfig({ load_balance_mode: true, replicate_select: false });
    const state = testState(config);
    const r = handlerFor(config, state).rows('pool_status');
    expect(r.columns).toEqual(['item', 'value', 'description']);
    const items = r.rows.map((x) => x[0]);
    const value = (k: string) => r.rows.find((x) => x[0] === k)?.[1];
    expect(items[0]).toBe('backend_clustering_mode');
    expect(value('backend_clustering_mode')).toBe('1');
    expect(items.slice(1, 4)).toEqual(['listen_addresses', 'port', 'socket_dir']);
    expect(value('load_balance_mode')).toBe('1');
    expect(value('replicate_select')).toBe('0');
    expect(value('port')).toBe('9999');
    expect(items.indexOf('num_init_children')).toBeLessThan(items.indexOf('connection_cache'));
    expect(items.indexOf('load_balance_mode')).toBeLessThan(items.indexOf('sr_check_period'));
    expect(items.filter((i) => i?.startsWith('backend_data')).length).toBe(3);
    expect(items.slice(-8)).toEqual([
      'backend_hostname2',
      'backend_port2',
      'backend_weight2',
      'backend_data_directory2',
      'backend_status2',
      'standby_delay2',
      'backend_flag2',
      'backend_application_name2',
    ]);
    expect(value('backend_weight0')).toBe('0.333333');
    expect(value('backend_status1')).toBe('up');
    expect(value('backend_flag0')).toBe('ALLOW_TO_FAILOVER');
    expect(items.some((i) => i?.includes('password'))).toBe(false);
    // pgpool 4.3.5: enums as their C values, unset lists as (null), its own descriptions, ctime() with newline.
    expect(value('disable_load_balance_on_write')).toBe('2');
    expect(value('check_temp_table')).toBe('1');
    expect(value('log_min_messages')).toBe('19');
    expect(value('app_name_redirect_preference_list')).toBe('(null)');
    expect(value('reset_query_list')).toBe('ABORT; DISCARD ALL');
    expect(value('memqcache_stats_start_time')).toMatch(
      /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\n$/,
    );
    expect(r.rows.find((x) => x[0] === 'port')?.[2]).toBe('pgpool accepting port number');
    expect(items).not.toContain('logging_collector');
  });
});

describe('PGPOOL SHOW / SET / RESET', () => {
  const config = testConfig({ client_idle_limit: 0, allow_sql_comments: false });
  const state = testState(config);

  it('SHOW one parameter: a column named after it', () => {
    const h = handlerFor(config, state);
    expect(h.rows('pgpool_show', ['client_idle_limit'])).toEqual({
      columns: ['client_idle_limit'],
      rows: [['0']],
    });
    expect(h.rows('pgpool_show', ['allow_sql_comments']).rows).toEqual([['off']]);
    expect(h.rows('pgpool_show', ['all']).columns).toEqual(['item', 'value', 'description']);
    expect(h.rows('pgpool_show', ['backend']).rows.length).toBe(24);
  });

  it('SET a session parameter, SHOW sees it, RESET drops it; route overrides follow', () => {
    const h = handlerFor(config, state);
    expect(h.run('pgpool_set', ['client_idle_limit', '10'])).toEqual({ tag: 'SET' });
    expect(h.run('pgpool_set', ['allow_sql_comments', 'true'])).toEqual({ tag: 'SET' });
    expect(h.rows('pgpool_show', ['client_idle_limit']).rows).toEqual([['10']]);
    expect(h.rows('pgpool_show', ['allow_sql_comments']).rows).toEqual([['on']]);
    expect(routeOverrides(h.session.overrides)).toEqual({ allow_sql_comments: true });
    expect(h.run('pgpool_reset', ['client_idle_limit'])).toEqual({ tag: 'SET' });
    expect(h.rows('pgpool_show', ['client_idle_limit']).rows).toEqual([['0']]);
    expect(h.run('pgpool_reset', ['all'])).toEqual({ tag: 'SET' });
    expect(h.session.overrides.size).toBe(0);
  });

  it('errors: non-session parameter, unknown parameter, bad value', () => {
    const h = handlerFor(config, state);
    expect(h.handler.handle('pgpool_set', ['port', '1'], h.session)).toEqual({
      error: { sqlstate: '55P02', message: 'invalid Context, value for parameter "port" cannot be changed' },
    });
    expect(h.handler.handle('pgpool_show', ['nosuch'], h.session)).toMatchObject({
      error: { sqlstate: '42704' },
    });
    expect(h.handler.handle('pgpool_set', ['client_idle_limit', 'abc'], h.session)).toMatchObject({
      error: { sqlstate: '22023' },
    });
    expect(h.handler.handle('frobnicate', [], h.session)).toMatchObject({ error: { sqlstate: '42601' } });
  });
});
