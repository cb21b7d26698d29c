/**
 * Reload on a real 3-node streaming cluster: the engine starts from the config files writePgwardenConfig writes
 * (startEngineFromData with configPaths, the path SIGHUP / pcp_reload_config / the dashboard use), the test edits
 * pgpool.conf / pool_hba.conf and reloads, then checks that new sessions, the router, SHOW pool_nodes and the health
 * checks follow, that start-up-only parameters (pgpool's INIT context) keep their running value with a warning, and
 * that a session opened before the reload keeps its settings (as in pgpool).
 */
import { execFile } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine';
import { loadConfig } from '../../server/engine/config/index';
import { waitFor } from '../../server/engine/failover/testing/wait';
import { startEngineFromData } from '../../server/engine/worker';
import { createCluster, type PgCluster } from '../helpers/pg-cluster';
import {
  formatConfValue,
  writePgwardenConfig,
  type ConfValue,
  type PgwardenConfig as Files,
} from '../helpers/pgwarden-process';

const run = promisify(execFile);
const APP = { name: 'app', password: 'app-pw' };

describe('config reload', () => {
  let cluster: PgCluster;
  let files: Files;
  let engine: Engine;
  const open: pg.Client[] = [];

  const connect = async (user = 'postgres', password = ''): Promise<pg.Client> => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port: files.port,
      user,
      password,
      database: 'postgres',
      connectionTimeoutMillis: 10_000,
    });
    c.on('error', () => undefined);
    await c.connect();
    open.push(c);
    return c;
  };
  /** pgpool.conf: the last assignment wins, so appending changes a parameter. */
  const setConf = (settings: Record<string, ConfValue>): Promise<void> =>
    appendFile(
      files.pgpoolConf,
      Object.entries(settings)
        .map(([k, v]) => `${k} = ${formatConfValue(v)}\n`)
        .join(''),
    );
  const reload = () => engine.reload({ actor: { name: 'test', interface: 'cli' }, reason: 'test' });
  /** In how many of `n` new sessions a plain read ran on a standby. */
  const readsOnStandby = async (n: number): Promise<number> => {
    let standby = 0;
    for (let i = 0; i < n; i++) {
      const c = await connect();
      // current_setting is stable (pg_is_in_recovery is volatile: routed to the primary, as in pgpool).
      const r = await c.query<{ p: string }>("SELECT current_setting('port') AS p");
      if (Number(r.rows[0]!.p) !== cluster.primary.port) standby++;
      await c.end();
    }
    return standby;
  };
  const totalChecks = async (): Promise<number> =>
    (await engine.healthCheckStats()).find((s) => s.nodeId === 0)!.totalCount;

  beforeAll(async () => {
    cluster = await createCluster({ mode: 'streaming', nodes: 3, users: [APP] });
    files = await writePgwardenConfig(cluster, {
      healthCheck: { period: 30, timeout: 2 },
    });
    const loaded = loadConfig({
      pgpoolConf: files.pgpoolConf,
      pcpConf: files.pcpConf,
      hbaConf: files.hbaConf,
    });
    expect(loaded.errors).toEqual([]);
    engine = await startEngineFromData({
      config: loaded.config!,
      discardStatus: true,
      pcpUsers: loaded.pcpUsers,
      hba: loaded.hbaRules,
      poolPasswd: loaded.poolPasswd,
      configPaths: { pgpoolConf: files.pgpoolConf, pcpConf: files.pcpConf, hbaConf: files.hbaConf },
      logLevel: 'warning',
    });
    await waitFor(
      'node 0 primary, no node down',
      async () => {
        const s = await engine.snapshot();
        return s.primaryNodeId === 0 && s.nodes.every((n) => n.status !== 'down');
      },
      30_000,
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(open.map((c) => c.end().catch(() => undefined)));
    await engine?.stop('immediate');
    files?.release();
    await cluster?.destroy();
  }, 90_000);

  // From 30 s to 1 s: without waking the sleeping checker the first new check would come up to 30 s later.
  it('health_check_period: the new period applies at once', async () => {
    const t0 = Date.now();
    const a = await totalChecks();
    await new Promise((r) => setTimeout(r, 6000));
    const before = (await totalChecks()) - a;
    await setConf({ health_check_period: 1 });
    const r = await reload();
    expect(r.warnings.filter((w) => /health_check/.test(w))).toEqual([]);
    const b = await totalChecks();
    await new Promise((r) => setTimeout(r, 6000));
    const after = (await totalChecks()) - b;
    console.log(`health checks of node 0 in 6 s: period 30 -> ${before}, period 1 -> ${after}`);
    expect(before).toBeLessThanOrEqual(1);
    expect(after).toBeGreaterThanOrEqual(4);
    expect(Date.now() - t0).toBeLessThan(60_000);
  }, 60_000);

  it('load_balance_mode is start-only (warning, still balanced); a redirect list sends new reads to the primary', async () => {
    expect(await readsOnStandby(12)).toBeGreaterThan(0);
    await setConf({ load_balance_mode: false });
    const r = await reload();
    expect(r.warnings.some((w) => w.startsWith('load_balance_mode cannot be changed by reload'))).toBe(true);
    expect(await readsOnStandby(12)).toBeGreaterThan(0);

    await setConf({ load_balance_mode: true, database_redirect_preference_list: 'postgres:primary' });
    const t0 = Date.now();
    expect((await reload()).warnings.filter((w) => /redirect/.test(w))).toEqual([]);
    console.log(`reload with a router rebuild took ${Date.now() - t0} ms`);
    expect(await readsOnStandby(12)).toBe(0);
    await setConf({ database_redirect_preference_list: '' });
    await reload();
    expect(await readsOnStandby(12)).toBeGreaterThan(0);
  }, 120_000);

  it('client_idle_limit: new sessions get it, a session opened before the reload keeps none', async () => {
    const old = await connect();
    await setConf({ client_idle_limit: 2 });
    await reload();
    const fresh = await connect();
    let error: (Error & { code?: string; detail?: string }) | undefined;
    fresh.on('error', (e) => (error ??= e));
    const t0 = Date.now();
    await waitFor('the idle session closed', () => error !== undefined, 15_000);
    console.log(
      `client_idle_limit=2 after reload: new idle session closed after ${(Date.now() - t0) / 1000} s`,
    );
    expect(error?.message).toBe('unable to read data');
    expect(error?.detail).toBe('child connection forced to terminate due to client_idle_limit:2 is reached');
    // The old session (idle as long) still answers.
    expect((await old.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    await setConf({ client_idle_limit: 0 });
    await reload();
  }, 60_000);

  it('pool_hba.conf is re-read (pcp_reload_config): a reject line refuses new connections of that user', async () => {
    const before = await connect(APP.name, APP.password);
    await writeFile(
      files.hbaConf,
      [
        `host all ${APP.name} 127.0.0.1/32 reject`,
        'local all all trust',
        'host all all 127.0.0.1/32 trust',
      ].join('\n') + '\n',
    );
    const out = await run(
      'pcp_reload_config',
      ['-h', '127.0.0.1', '-p', String(engine.pcpPort), '-U', files.pcpUser.name, '-w'],
      { env: { ...process.env, ...files.pcpEnv }, timeout: 30_000 },
    );
    expect(out.stdout).toBe('pcp_reload_config -- Command Successful\n');
    await expect(connect(APP.name, APP.password)).rejects.toThrow(/pool_hba|reject/i);
    await (await connect()).end(); // others still connect
    expect((await before.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u).toBe(APP.name);
  }, 60_000);

  it('pool_passwd is re-read: md5 for the user checks the new password', async () => {
    await writeFile(
      files.hbaConf,
      [
        `host all ${APP.name} 127.0.0.1/32 md5`,
        'local all all trust',
        'host all all 127.0.0.1/32 trust',
      ].join('\n') + '\n',
    );
    await writeFile(files.poolPasswd, `${APP.name}:TEXTapp-new-pw\n`, { mode: 0o600 });
    await reload();
    await expect(connect(APP.name, APP.password)).rejects.toThrow(/password|authentication/i);
    const c = await connect(APP.name, 'app-new-pw');
    expect((await c.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u).toBe(APP.name);
  }, 60_000);

  it('backend_weight: SHOW pool_nodes lb_weight follows', async () => {
    const weights = async (): Promise<string[]> => {
      const c = await connect();
      const r = await c.query<{ lb_weight: string }>('SHOW pool_nodes');
      await c.end();
      return r.rows.map((x) => x.lb_weight);
    };
    expect(await weights()).toEqual(['0.333333', '0.333333', '0.333333']);
    await setConf({ backend_weight2: 0 });
    await reload();
    expect(await weights()).toEqual(['0.500000', '0.500000', '0.000000']);
  }, 30_000);

  it('port is start-only: a warning, and the old port still serves', async () => {
    await setConf({ port: files.port + 1 });
    const r = await reload();
    expect(r.warnings).toContain(
      `port cannot be changed by reload (restart required): keeping ${files.port}`,
    );
    const c = await connect();
    expect((await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    const shown = await c.query<Record<string, string>>('PGPOOL SHOW port');
    expect(Object.values(shown.rows[0]!)).toContain(String(files.port));
  }, 30_000);
});
