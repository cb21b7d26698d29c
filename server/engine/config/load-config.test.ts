import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig, type LoadConfigOptions } from './index';

const FIXTURES = resolve(__dirname, '../../../tests/fixtures/configs');

/** Writes files into a fresh directory and loads its pgpool.conf (no pcp.conf / pool_passwd noise). */
function load(conf: string, extra: Record<string, string> = {}, opts: Partial<LoadConfigOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-conf-'));
  const file = join(dir, 'pgpool.conf');
  writeFileSync(file, conf);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  const r = loadConfig({ pgpoolConf: file, pcpConf: null, hbaConf: null, ...opts });
  return { ...r, file, dir, errs: r.errors.map((d) => d.format()), warns: r.warnings.map((d) => d.format()) };
}
const BACKEND = "backend_hostname0 = 'db0'\nbackend_port0 = 5432\npool_passwd = ''\n";

describe('the issue configs', () => {
  it('(a) replication mode, three nodes: loads with no error, replication_mode mapped with a warning', () => {
    const r = loadConfig({ pgpoolConf: join(FIXTURES, 'replication-3nodes/pgpool.conf') });
    expect(r.errors.map((d) => d.format())).toEqual([]);
    const c = r.config!;
    expect(c.backend_clustering_mode).toBe('native_replication');
    expect(c.port).toBe(5432);
    expect(c.listen_addresses).toBe('*');
    expect(
      c.backends.map((b) => [b.id, b.hostname, b.port, b.weight, b.data_directory, b.flag.allowToFailover]),
    ).toEqual([
      [0, '192.168.0.10', 5432, 1, '/usr/local/pgsql/data', true],
      [1, '192.168.0.11', 5432, 1, '/usr/local/pgsql/data', true],
      [2, '192.168.0.12', 5432, 1, '/usr/local/pgsql/data', true],
    ]);
    expect([
      c.replication_stop_on_mismatch,
      c.failover_if_affected_tuples_mismatch,
      c.load_balance_mode,
    ]).toEqual([true, true, true]);
    expect([
      c.recovery_user,
      c.recovery_1st_stage_command,
      c.recovery_2nd_stage_command,
      c.recovery_timeout,
    ]).toEqual(['postgres', 'recovery_1st_stage.sh', 'recovery_2nd_stage.sh', 600]);
    expect(r.hbaRules).toHaveLength(4);
    expect(r.pcpUsers.map((u) => u.user)).toEqual(['pgpool2']);
    expect(r.warnings.map((d) => d.format())).toContain(
      `${join(FIXTURES, 'replication-3nodes/pgpool.conf')}:30: replication_mode: deprecated (pgpool-II 4.2 replaced it): use backend_clustering_mode = 'native_replication'; applied`,
    );
  });

  it('(b) streaming replication + 3.x watchdog: loads with no error, names converted', () => {
    const r = loadConfig({ pgpoolConf: join(FIXTURES, 'streaming-watchdog/pgpool.conf') });
    expect(r.errors.map((d) => d.format())).toEqual([]);
    const c = r.config!;
    expect(c.backend_clustering_mode).toBe('streaming_replication');
    expect(c.failover_command).toBe('/var/lib/pgsql/9.5/data/pgpool_failover %d %P %H %R');
    expect(c.recovery_1st_stage_command).toBe('recovery_1st_stage');
    expect(c.write_function_list).toEqual(['nextval', 'setval']);
    expect(c.failover_on_backend_error).toBe(true);
    expect(c.use_watchdog).toBe(true);
    expect(c.backends[1]!.health_check).toMatchObject({ period: 10, max_retries: 3, user: 'postgres' });
    expect(c.watchdog).toEqual({
      nodes: [
        { hostname: '10.155.92.101', wd_port: 9000, pgpool_port: 9999 },
        { hostname: '10.155.92.102', wd_port: 9000, pgpool_port: 9999 },
      ],
      heartbeats: [
        { hostname: '10.155.92.101', port: 9694, device: '' },
        { hostname: '10.155.92.102', port: 9694, device: 'eth0' },
      ],
      local_node_id: 0,
      converted_from_3x: true,
    });
    const w = r.warnings.map((d) => d.format()).join('\n');
    expect(w).toMatch(/:66: master_slave_mode: deprecated .*'streaming_replication'/);
    expect(w).toMatch(/:76: follow_master_command: deprecated name \(renamed follow_primary_command/);
    expect(w).toMatch(/:103: use_watchdog: accepted but not implemented by pgwarden yet/);
    expect(w).toMatch(/:133: other_pgpool_hostname0: pgpool-II 3.x watchdog parameter/);
  });

  it('(b) with pgpool 4.3 watchdog names loads the same topology', () => {
    const r = load(
      `${BACKEND}use_watchdog = on\nhostname0 = 'a'\nwd_port0 = 9000\npgpool_port0 = 9999\nhostname1 = 'b'\nwd_port1 = 9001\npgpool_port1 = 9998\nheartbeat_hostname0 = 'a'\nheartbeat_port0 = 9694\nheartbeat_hostname1 = 'b'\nheartbeat_port1 = 9695\n`,
      { pgpool_node_id: '1\n' },
    );
    expect(r.errs).toEqual([]);
    expect(r.config!.watchdog).toEqual({
      nodes: [
        { hostname: 'a', wd_port: 9000, pgpool_port: 9999 },
        { hostname: 'b', wd_port: 9001, pgpool_port: 9998 },
      ],
      heartbeats: [
        { hostname: 'a', port: 9694, device: '' },
        { hostname: 'b', port: 9695, device: '' },
      ],
      local_node_id: 1,
      converted_from_3x: false,
    });
  });

  it("Debian's shipped sample loads with warnings only", () => {
    const r = loadConfig({ pgpoolConf: '/usr/share/doc/pgpool2/examples/pgpool.conf.sample', pcpConf: null });
    expect(r.errors.map((d) => d.format())).toEqual([]);
    expect(r.config).not.toBeNull();
    expect(r.warnings.map((d) => d.message)).toContain(
      'no backend is configured (backend_hostname0, backend_port0, ...): every client will be refused',
    );
  });
});

describe('error messages are file:line: key: reason', () => {
  it('wrong type', () => {
    const r = load("listen_addresses = '*'\nport = 'abc'\n");
    expect(r.errs).toEqual([
      `${r.file}:2: port: invalid value 'abc': expected an integer between 1 and 65535`,
    ]);
    expect(r.config).toBeNull();
  });

  it('out of range, bad boolean, bad enum, bad unit', () => {
    const r = load(
      `${BACKEND}port = 70000\nload_balance_mode = maybe\nbackend_clustering_mode = 'mirror'\nhealth_check_period = 5 parsecs\n`,
    );
    expect(r.errs).toEqual([
      `${r.file}:4: port: invalid value '70000': expected an integer between 1 and 65535`,
      `${r.file}:5: load_balance_mode: invalid value 'maybe': expected a boolean (on/off, true/false, yes/no, 1/0)`,
      `${r.file}:6: backend_clustering_mode: invalid value 'mirror': expected one of streaming_replication, native_replication, logical_replication, slony, raw, snapshot_isolation`,
      `${r.file}:7: health_check_period: syntax error: unexpected 'parsecs' after the value (quote the value)`,
    ]);
  });

  it('units are applied: 5min is 300 s, 1min of connect_timeout is 60000 ms', () => {
    const r = load(
      `${BACKEND}child_life_time = 5min\nconnect_timeout = '1min'\nauthentication_timeout = 2\n`,
    );
    expect(r.errs).toEqual([]);
    expect(r.config!.child_life_time).toBe(300);
    expect(r.config!.backends[0]!.health_check.connect_timeout).toBe(60000);
    expect(r.config!.authentication_timeout).toBe(2);
  });

  it('later assignment wins and sources remember file:line', () => {
    const r = load(`${BACKEND}port = 1111\nport = 2222\n`);
    expect(r.config!.port).toBe(2222);
    expect(r.config!.sources.port).toBe(`${r.file}:5`);
  });

  it('include: relative to the including file; errors name the included file and line', () => {
    const r = load(`${BACKEND}include 'conf.d/extra.conf'\n`);
    expect(r.errs).toEqual([
      expect.stringMatching(/:4: include: could not open '.*conf\.d\/extra\.conf': ENOENT/),
    ]);
    writeFileSync(join(r.dir, 'extra.conf'), "# extra\nport = 'x'\npcp_port = 7000\n");
    const ok = load(`${BACKEND}include '${join(r.dir, 'extra.conf')}'\n`);
    expect(ok.errs).toEqual([
      `${join(r.dir, 'extra.conf')}:2: port: invalid value 'x': expected an integer between 1 and 65535`,
    ]);
  });

  it('overrides apply after the file and report as <override>', () => {
    const r = load(`${BACKEND}port = 1111\n`, {}, { overrides: { port: 3333, load_balance_mode: false } });
    expect([r.config!.port, r.config!.load_balance_mode]).toEqual([3333, false]);
    const bad = load(BACKEND, {}, { overrides: { port: 'x' } });
    expect(bad.errs).toEqual([
      "<override>: port: invalid value 'x': expected an integer between 1 and 65535",
    ]);
  });
});

describe('unknown and unimplemented keys are never silent', () => {
  it('unknown key: warning with the closest known key', () => {
    const r = load(`${BACKEND}helth_check_period = 10\nfrobnicate = 1\nbackend_hostnme1 = 'x'\n`);
    expect(r.errs).toEqual([]);
    expect(r.warns).toEqual([
      `${r.file}:4: helth_check_period: unrecognized configuration parameter, ignored; did you mean 'health_check_period'?`,
      `${r.file}:5: frobnicate: unrecognized configuration parameter, ignored`,
      `${r.file}:6: backend_hostnme1: unrecognized configuration parameter, ignored; did you mean 'backend_hostname'?`,
    ]);
  });

  it('known but unimplemented key set to a non-default value', () => {
    const r = load(`${BACKEND}memory_cache_enabled = on\nmemqcache_total_size = 64MB\nparallel_mode = on\n`);
    expect(r.warns).toEqual([
      `${r.file}:4: memory_cache_enabled: accepted but not implemented by pgwarden yet`,
      `${r.file}:6: parallel_mode: obsolete parameter, ignored: parallel query was removed in pgpool-II 3.5`,
    ]);
  });

  it('an array parameter without its node number is an error', () => {
    expect(load(`${BACKEND}backend_weight = 1\n`).errs).toEqual([
      expect.stringMatching(
        /:4: backend_weight: needs a node number suffix \(backend_weight0, backend_weight1, \.\.\.\)$/,
      ),
    ]);
  });
});

describe('aliases', () => {
  it.each([
    ['white_function_list', "'f1,f2'", 'read_only_function_list', ['f1', 'f2']],
    ['black_function_list', "'nextval'", 'write_function_list', ['nextval']],
    [
      'black_query_pattern_list',
      "'SELECT .* FOR UPDATE;x'",
      'primary_routing_query_pattern_list',
      ['SELECT .* FOR UPDATE', 'x'],
    ],
    ['follow_master_command', "'/bin/follow %d'", 'follow_primary_command', '/bin/follow %d'],
    ['fail_over_on_backend_error', 'off', 'failover_on_backend_error', false],
  ])('%s → %s with a deprecation warning', (old, value, neu, expected) => {
    const r = load(`${BACKEND}${old} = ${value}\n`);
    expect(r.errs).toEqual([]);
    expect((r.config as unknown as Record<string, unknown>)[neu]).toEqual(expected);
    expect(r.warns[0]).toMatch(new RegExp(`:4: ${old}: deprecated name \\(renamed ${neu} in pgpool-II`));
  });

  it.each([
    ['replication_mode = on', 'native_replication'],
    ["master_slave_mode = on\nmaster_slave_sub_mode = 'stream'", 'streaming_replication'],
    ["master_slave_mode = on\nmaster_slave_sub_mode = 'logical'", 'logical_replication'],
    ["master_slave_mode = on\nmaster_slave_sub_mode = 'slony'", 'slony'],
    ['master_slave_mode = yes', 'slony'],
    ['replication_mode = off\nmaster_slave_mode = off', 'raw'],
  ])('%j → backend_clustering_mode %s', (lines, mode) => {
    const r = load(`${BACKEND}${lines}\n`);
    expect(r.errs).toEqual([]);
    expect(r.config!.backend_clustering_mode).toBe(mode);
    expect(r.warns.length).toBeGreaterThan(0);
  });

  it('explicit backend_clustering_mode wins over old switches; both switches on is an error', () => {
    const r = load(`${BACKEND}replication_mode = on\nbackend_clustering_mode = raw\n`);
    expect(r.config!.backend_clustering_mode).toBe('raw');
    expect(r.warns[0]).toMatch(/:4: replication_mode: ignored: backend_clustering_mode is set at .*:5$/);
    expect(load(`${BACKEND}replication_mode = on\nmaster_slave_mode = on\n`).errs).toEqual([
      expect.stringMatching(
        /:5: master_slave_mode: replication_mode \(.*:4\) and master_slave_mode cannot both be on$/,
      ),
    ]);
  });
});

describe('backends and per-node parameters', () => {
  it('health_check_* global with per-node override', () => {
    const r = load(
      "backend_hostname0 = 'a'\nbackend_port0 = 1\nbackend_hostname1 = 'b'\nbackend_port1 = 2\npool_passwd = ''\n" +
        "health_check_period = 10\nhealth_check_user = 'hc'\nhealth_check_period1 = 3\nhealth_check_database1 = 'other'\n",
    );
    expect(r.errs).toEqual([]);
    const [a, b] = r.config!.backends;
    expect([
      a!.health_check.period,
      a!.health_check.user,
      a!.health_check.database,
      a!.health_check.timeout,
    ]).toEqual([10, 'hc', 'postgres', 20]);
    expect([b!.health_check.period, b!.health_check.user, b!.health_check.database]).toEqual([
      3,
      'hc',
      'other',
    ]);
  });

  it('missing backend_port is an error; a gap in node numbers is an error', () => {
    expect(load("backend_hostname0 = 'a'\n").errs).toEqual([
      expect.stringMatching(
        /:1: backend_port0: missing: node 0 is configured \(backend_hostname0 at .*:1\) but has no port$/,
      ),
    ]);
    expect(
      load("backend_hostname0 = 'a'\nbackend_port0 = 1\nbackend_hostname2 = 'c'\nbackend_port2 = 3\n").errs,
    ).toEqual([
      expect.stringMatching(
        /:3: backend_hostname2: node 1 is not configured: pgwarden needs node numbers 0\.\.2 without gaps$/,
      ),
    ]);
  });

  it('backend_flag: | lists, DISALLOW, ALWAYS_PRIMARY; ALLOW|DISALLOW and unknown flags are errors', () => {
    const r = load(`${BACKEND}backend_flag0 = 'DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY'\n`);
    expect(r.config!.backends[0]!.flag).toEqual({ allowToFailover: false, alwaysPrimary: true });
    expect(load(`${BACKEND}backend_flag0 = 'ALLOW_TO_FAILOVER|DISALLOW_TO_FAILOVER'\n`).errs).toEqual([
      expect.stringMatching(
        /:4: backend_flag0: invalid value 'ALLOW_TO_FAILOVER\|DISALLOW_TO_FAILOVER': ALLOW_TO_FAILOVER and DISALLOW_TO_FAILOVER are mutually exclusive$/,
      ),
    ]);
    expect(load(`${BACKEND}backend_flag0 = 'ALLOW_TO_FALLOVER'\n`).errs[0]).toMatch(
      /unknown flag 'ALLOW_TO_FALLOVER'/,
    );
  });

  it('weights are kept raw', () => {
    const r = load(
      "backend_hostname0 = 'a'\nbackend_port0 = 1\nbackend_weight0 = 3\nbackend_hostname1 = 'b'\nbackend_port1 = 2\nbackend_weight1 = 0.5\n",
    );
    expect(r.config!.backends.map((b) => b.weight)).toEqual([3, 0.5]);
  });

  it('lists: reset_query_list on ;, function lists on ,', () => {
    const r = load(
      `${BACKEND}reset_query_list = 'ABORT; RESET ALL; SET SESSION AUTHORIZATION DEFAULT'\nread_only_function_list = 'now, f_.*'\n`,
    );
    expect(r.config!.reset_query_list).toEqual(['ABORT', 'RESET ALL', 'SET SESSION AUTHORIZATION DEFAULT']);
    expect(r.config!.read_only_function_list).toEqual(['now', 'f_.*']);
  });
});

describe('paths and cross-field checks', () => {
  it("resolves relative paths against pgpool.conf's directory and defaults data_directory", () => {
    const r = load(`${BACKEND}pid_file_name = 'run/p.pid'\nlogdir = 'log'\n`);
    expect(r.config!.pid_file_name).toBe(join(r.dir, 'run/p.pid'));
    expect(r.config!.logdir).toBe(join(r.dir, 'log'));
    expect(r.config!.data_directory).toBe(join(r.dir, 'pgwarden-data'));
    expect(r.config!.store_url).toBe(`file:${join(r.dir, 'pgwarden-data/pgwarden.db')}`);
    expect(r.config!.files.pool_passwd).toBeNull();
  });

  it('reserved_connections must be below num_init_children; ssl needs existing cert and key', () => {
    expect(load(`${BACKEND}num_init_children = 2\nreserved_connections = 2\n`).errs).toEqual([
      expect.stringMatching(/:5: reserved_connections: must be less than num_init_children \(2\)$/),
    ]);
    const ssl = load(`${BACKEND}ssl = on\nssl_cert = 'server.crt'\n`, { 'server.crt': 'x' });
    expect(ssl.errs).toEqual([
      expect.stringMatching(/pgpool\.conf: ssl_key: ssl = on needs ssl_cert and ssl_key$/),
    ]);
    const missing = load(`${BACKEND}ssl = on\nssl_cert = 'server.crt'\nssl_key = 'server.key'\n`, {
      'server.crt': 'x',
    });
    expect(missing.errs).toEqual([
      expect.stringMatching(/:6: ssl_key: file '.*server\.key' does not exist$/),
    ]);
  });

  it('recovery commands without backend_data_directory warn; enable_pool_hba without the file is an error', () => {
    expect(load(`${BACKEND}recovery_1st_stage_command = 'r1'\n`).warns).toEqual([
      expect.stringMatching(
        /:4: recovery_1st_stage_command: node 0 has no backend_data_directory0: online recovery of or from it will fail$/,
      ),
    ]);
    const r = load(`${BACKEND}enable_pool_hba = on\n`, {}, { hbaConf: undefined });
    expect(r.errs).toEqual([
      expect.stringMatching(/pool_hba\.conf: could not read pool_hba\.conf: file not found$/),
    ]);
  });
});

describe('defaultConfig', () => {
  it('builds a valid config from defaults and backends', () => {
    const c = defaultConfig({ port: 6432, backends: [{ port: 5432 }, { port: 5433, weight: 2 }] });
    expect(c.port).toBe(6432);
    expect(c.backend_clustering_mode).toBe('streaming_replication');
    expect(c.backends.map((b) => [b.id, b.port, b.weight, b.health_check.timeout])).toEqual([
      [0, 5432, 1, 20],
      [1, 5433, 2, 20],
    ]);
    expect(() => defaultConfig({ port: 0 })).toThrow();
  });
});
