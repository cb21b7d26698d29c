/**
 * Primary failure on a real 3-node streaming cluster: health check detects it, failover_command (test script) gets
 * every placeholder and promotes the new main node, the primary search finds it, follow_primary_command re-points
 * the remaining standby which attaches itself again with the real pcp_attach_node; then pgpool_status keeps the failed node down across a restart,
 * unless discarded (-D).
 */
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { failoverTimeline, formatTimeline } from '../../server/engine/failover/testing/timeline';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import type { PgwardenConfig } from '../../server/engine/config/types';
import { createCluster, freePort, type PgCluster } from '../helpers/pg-cluster';

const SCRIPTS = path.resolve(__dirname, '../fixtures/scripts');

/** One write through the proxy on a fresh connection; resolves true on success. */
async function writeThroughProxy(port: number, sql: string, marks?: WriteMarks): Promise<boolean> {
  const c = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 2000,
  });
  c.on('error', () => undefined);
  const start = Date.now();
  try {
    await c.connect();
    const ready = Date.now();
    await c.query(sql);
    if (marks) Object.assign(marks, { start, ready, done: Date.now() });
    return true;
  } catch (e) {
    marks?.failures.push(`+${start - marks.t0}..+${Date.now() - marks.t0}: ${(e as Error).message}`);
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** connect + one statement straight to a node (no pgwarden), in ms: the comparison for the proxy's figures. */
async function directWrite(port: number, sql: string): Promise<{ connect: number; insert: number }> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  c.on('error', () => undefined);
  const start = Date.now();
  try {
    await c.connect();
    const ready = Date.now();
    await c.query(sql);
    return { connect: ready - start, insert: Date.now() - ready };
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The successful attempt's client marks and the failed attempts before it (failover timing breakdown). */
interface WriteMarks {
  t0: number;
  start?: number;
  ready?: number;
  done?: number;
  failures: string[];
}

describe('failover of the primary (3 nodes)', () => {
  let cluster: PgCluster;
  let dir: string;
  let config: PgwardenConfig;
  let engine: Engine | null = null;
  let logLines: string[] = [];
  const failoverLog = () => path.join(dir, 'failover.log');
  const followLog = () => path.join(dir, 'follow.log');
  const pcpUsers = [{ user: 'pgwarden', md5: createHash('md5').update('pcp-secret').digest('hex') }];
  const read = (f: string) => readFile(f, 'utf8').catch(() => '');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-failover-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 3 });
    const pcpPort = await freePort();
    const pcppass = path.join(dir, 'pcppass');
    await writeFile(pcppass, `localhost:${pcpPort}:pgwarden:pcp-secret\n`);
    await chmod(pcppass, 0o600);
    config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      {
        logdir: dir,
        healthCheck: { period: 1, timeout: 2, max_retries: 1, retry_delay: 1, connect_timeout: 1000 },
        failover_command: `${SCRIPTS}/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S ${path.join(dir, 'failover.log')}`,
        follow_primary_command: `${SCRIPTS}/follow_primary.sh %d %h %p %D %m %H %M %P %r %R ${path.join(dir, 'follow.log')} pcp:${pcpPort}:pgwarden:${pcppass}`,
        pcp_port: pcpPort,
        search_primary_node_timeout: 30,
      },
    );
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('detects node 0 as primary at start-up', async () => {
    const rec = recordingLogger();
    logLines = rec.lines;
    engine = await startEngine({ config, logger: rec.logger, pcpUsers });
    expect(engine.state.primaryNodeId).toBe(0);
    expect(engine.pcpPort).toBe(config.pcp_port);
    expect(engine.proxyPort).toBeGreaterThan(0);
    expect(await writeThroughProxy(engine.proxyPort, 'CREATE TABLE failover_probe (t timestamptz)')).toBe(
      true,
    );
    // The session that wrote used the primary (and its load-balance node): those are 'up', the others 'waiting'.
    expect(engine.state.node(0)?.status).toBe('up');
    for (const n of engine.state.nodes) expect(['up', 'waiting']).toContain(n.status);
  });

  it('kill of the primary: failover_command promotes node 1, node 2 follows and attaches itself (pcp_attach_node)', async () => {
    const e = engine!;
    const [n0, n1, n2] = cluster.nodes as [
      PgCluster['nodes'][0],
      PgCluster['nodes'][0],
      PgCluster['nodes'][0],
    ];
    const t0 = Date.now();
    await n0.stop('immediate');
    const tStopped = Date.now();
    await waitFor('node 0 down', () => e.state.node(0)?.status === 'down', 30_000, 10);
    const tDown = Date.now();
    // The application retries every 50 ms from the detach on (as a client that lost its connection would): held
    // by primarySettled until node 1 is writable, then connected to it.
    const marks: WriteMarks = { t0, failures: [] };
    const writing = waitFor(
      'a write through the proxy',
      () => writeThroughProxy(e.proxyPort, 'INSERT INTO failover_probe VALUES (now())', marks),
      30_000,
      50,
    );
    await waitFor('node 1 primary', () => e.state.primaryNodeId === 1, 60_000, 10);
    const tPrimary = Date.now();
    await writing;
    const tWrite = marks.done ?? Date.now();
    // A session that starts only now (right after primary_changed, while follow_primary_command, sr_check and the
    // router's catalogue reload run): what an application with a slower retry sees.
    const late: WriteMarks = { t0, failures: [] };
    await writeThroughProxy(e.proxyPort, 'INSERT INTO failover_probe VALUES (now())', late);
    // The same connect + INSERT straight to node 1 now: what the backend costs on this machine at this moment.
    const direct = await directWrite(n1.port, 'INSERT INTO failover_probe VALUES (now())');
    console.log(
      `[failover timing] kill -> node 0 detached: ${tDown - t0} ms; kill -> new primary found: ${tPrimary - t0} ms; ` +
        `kill -> first write through the proxy: ${tWrite - t0} ms`,
    );
    console.log(
      `[failover timing] breakdown (ms after the kill): ${formatTimeline(
        failoverTimeline({
          t0,
          nodeId: 0,
          events: e.state.events(),
          logLines,
          marks: {
            'pg_ctl stop returned': tStopped,
            'client: connect start': marks.start,
            'client: ready': marks.ready,
            'client: INSERT done': marks.done,
          },
        }),
      )}${marks.failures.length ? `; failed attempts: ${marks.failures.join('; ')}` : ''}`,
    );
    console.log(
      `[failover timing] through pgwarden: connect ${marks.ready! - marks.start!} ms + INSERT ${marks.done! - marks.ready!} ms; ` +
        `straight to node 1 afterwards: connect ${direct.connect} ms + INSERT ${direct.insert} ms; ` +
        `a session started after primary_changed (+${late.start! - t0}): connect ${late.ready! - late.start!} ms + INSERT ${late.done! - late.ready!} ms`,
    );

    // failover_command got every placeholder of §3.5, exactly.
    const log = await read(failoverLog());
    expect(log).toContain(
      `failover.sh 0 127.0.0.1 ${n0.port} ${n0.dataDir} 1 127.0.0.1 0 0 ${n1.port} ${n1.dataDir} 127.0.0.1 ${n0.port}`,
    );
    // Detected through the idle pooled connection of the first test's session (probe: refused), long before the
    // health check (period 1 s, 1 retry after 1 s) would have.
    expect(e.state.node(0)?.reason?.code).toBe('backend_error');
    expect(e.state.node(0)?.reason?.message).toMatch(
      /idle pooled connection closed.*a fresh connection failed too/,
    );
    const cmd = (await e.events()).find((ev) => ev.kind === 'command_executed' && ev.nodeId === 0);
    expect(cmd?.outcome).toBe('ok');
    expect(cmd?.details?.output).toContain('failover.sh: node 0 failed');

    // follow primary: node 2 set down, re-pointed by the script, which attaches it with pcp_attach_node.
    const tFollow = await waitFor(
      'node 2 attached by pcp_attach_node',
      // Attach makes it 'waiting'; a session using it may already have made it 'up' (backend_connected).
      () =>
        e.state.events().some((ev) => ev.nodeId === 2 && ev.reason?.code === 'admin_attach') &&
        e.state.isValid(2) &&
        Date.now(),
      60_000,
    );
    console.log(
      `[failover timing] kill -> node 2 following the new primary and attached: ${tFollow - t0} ms`,
    );
    await e.failover.idle(); // the follow_primary_command run has finished
    const follow = await read(followLog());
    expect(follow).toContain(
      `follow_primary.sh 2 127.0.0.1 ${n2.port} ${n2.dataDir} 1 127.0.0.1 0 0 ${n1.port} ${n1.dataDir}`,
    );
    expect(follow).toMatch(/follow_primary.sh: node 0 is not running, skipped/);
    expect(follow).toContain('follow_primary.sh: pcp_attach_node -n 2 rc=0');
    const statuses = (await e.events()).filter(
      (ev) => ev.kind === 'node_status_changed' && ev.nodeId === 2 && ev.reason?.code !== 'backend_connected',
    );
    expect(statuses.map((ev) => ev.reason?.code)).toEqual(['follow_primary', 'admin_attach']);
    expect(statuses[1]?.actor).toEqual({ name: 'pgwarden', interface: 'pcp' });
    expect(e.state.primaryNodeId).toBe(1);
    const rep = await n1.query(
      "SELECT application_name, state FROM pg_stat_replication WHERE application_name = 'node2'",
    );
    expect(rep).toEqual([{ application_name: 'node2', state: 'streaming' }]);
    const kinds = (await e.events()).map((ev) => ev.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'failover_started',
        'failover_finished',
        'follow_primary',
        'failback',
        'admin_action',
      ]),
    );
    // sr_check sees node 2 streaming from the new primary.
    await waitFor(
      'node 2 streaming in sr_check',
      () => e.state.node(2)?.replicationState === 'streaming',
      15_000,
    );
  }, 120_000);

  it('restart after the failover: node 0 stays down (pgpool_status)', async () => {
    await engine!.stop('fast');
    engine = null;
    expect(await read(path.join(dir, 'pgpool_status'))).toBe('down\nup\nup\n');
    const { logger } = recordingLogger();
    engine = await startEngine({ config, logger });
    expect(engine.state.node(0)?.status).toBe('down');
    expect(engine.state.node(0)?.reason).toEqual({
      code: 'status_file',
      message: 'down in pgpool_status at start-up',
    });
    expect(engine.state.primaryNodeId).toBe(1);
  });

  it('restart with discardStatus: node 0 is probed again and detached by the health check', async () => {
    await engine!.stop('fast');
    const { logger } = recordingLogger();
    engine = await startEngine({
      config: { ...config, failover_command: '', follow_primary_command: '' },
      logger,
      discardStatus: true,
    });
    expect(engine.state.node(0)?.status).toBe('waiting');
    expect(engine.state.primaryNodeId).toBe(1);
    const e = engine;
    await waitFor('node 0 detached by health check', () => e.state.node(0)?.status === 'down', 30_000);
    expect(e.state.node(0)?.reason?.code).toBe('health_check_failed');
    expect(e.state.primaryNodeId).toBe(1);
    const stats = await e.healthCheckStats();
    expect(stats[0]?.failCount).toBeGreaterThanOrEqual(1);
    expect(stats[1]?.successCount).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
