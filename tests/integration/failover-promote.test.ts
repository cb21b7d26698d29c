/**
 * pcp_promote_node semantics and detach_false_primary on real 3-node streaming clusters:
 * - promote with switchover (pcp_promote_node -s 1): failover_command for the old primary with %m = 1 promotes
 *   node 1, node 2 follows it (follow_primary_command) and is attached again;
 * - detach_false_primary: a standby promoted by hand is detached by sr_check, node 0 stays primary (regression 018).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { createCluster, type PgCluster } from '../helpers/pg-cluster';

const SCRIPTS = path.resolve(__dirname, '../fixtures/scripts');
const actor = { name: 'dba', interface: 'pcp' as const };

describe('promote and false primaries (3 nodes)', () => {
  let cluster: PgCluster | null = null;
  let engine: Engine | null = null;
  let dir = '';

  afterEach(async () => {
    await engine?.stop('fast');
    engine = null;
    await cluster?.destroy();
    cluster = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('promote with switchover: node 1 becomes primary, node 2 follows it', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-promote-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 3 });
    const [n0, n1] = cluster.nodes as [PgCluster['nodes'][0], PgCluster['nodes'][0]];
    const flog = path.join(dir, 'failover.log');
    const attach = path.join(dir, 'attach-requests');
    const config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      {
        logdir: dir,
        failover_command: `${SCRIPTS}/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S ${flog}`,
        follow_primary_command: `${SCRIPTS}/follow_primary.sh %d %h %p %D %m %H %M %P %r %R ${path.join(dir, 'follow.log')} ${attach}`,
      },
    );
    const { logger } = recordingLogger();
    engine = await startEngine({ config, logger });
    const e = engine;
    await expect(e.promoteNode(0, { actor })).rejects.toMatchObject({ code: 'node_is_primary' });
    const t0 = Date.now();
    await e.promoteNode(1, { actor, switchover: true, reason: 'planned switchover' });
    expect(e.state.primaryNodeId).toBe(1);
    console.log(`[switchover timing] promoteNode(1, switchover) -> node 1 primary: ${Date.now() - t0} ms`);
    // Same shape as the captured `pcp_promote_node -s 1` line of reference §3.5.
    expect(await readFile(flog, 'utf8')).toContain(
      `failover.sh 0 127.0.0.1 ${n0.port} ${n0.dataDir} 1 127.0.0.1 0 0 ${n1.port} ${n1.dataDir} 127.0.0.1 ${n0.port}`,
    );
    expect(e.state.node(0)?.status).toBe('down');
    await waitFor(
      'node 2 follow attach request',
      async () => (await readFile(attach, 'utf8').catch(() => '')).includes('2'),
      60_000,
    ).catch(async (err: unknown) => {
      console.log(await readFile(path.join(dir, 'follow.log'), 'utf8').catch(() => ''));
      console.log((await readFile(cluster!.nodes[2]!.logFile, 'utf8')).slice(-3000));
      throw err;
    });
    await e.attachNode(2, { actor });
    expect(e.state.node(2)?.status).toBe('waiting');
    const rep = await n1.query("SELECT state FROM pg_stat_replication WHERE application_name = 'node2'");
    expect(rep).toEqual([{ state: 'streaming' }]);
    const adminEvents = (await e.events()).filter((x) => x.kind === 'admin_action');
    expect(adminEvents.map((x) => x.outcome)).toEqual(['refused', 'ok', 'ok']);
  }, 120_000);

  it('promote without switchover: recorded as primary, others set down, PostgreSQL untouched', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-promote-n-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 3 });
    const config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      { logdir: dir, failover_command: 'echo must-not-run', search_primary_node_timeout: 2 },
    );
    const { logger } = recordingLogger();
    engine = await startEngine({ config, logger });
    const e = engine;
    await e.promoteNode(2, { actor });
    expect(e.state.primaryNodeId).toBe(2);
    expect(e.state.nodes.map((n) => n.status)).toEqual(['down', 'down', 'waiting']);
    expect((await e.events()).some((x) => x.kind === 'command_executed')).toBe(false);
    expect(await cluster.nodes[2]!.query('SELECT pg_is_in_recovery() AS r')).toEqual([{ r: true }]);
  }, 120_000);

  it('detach_false_primary: a standby promoted by hand is detached, node 0 stays primary', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-false-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 3 });
    const config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      { logdir: dir, detach_false_primary: true, sr_check_period: 1 },
    );
    const { logger, lines } = recordingLogger();
    engine = await startEngine({ config, logger });
    const e = engine;
    expect(e.state.primaryNodeId).toBe(0);
    await cluster.nodes[2]!.promote();
    await waitFor('node 2 detached', () => e.state.node(2)?.status === 'down', 30_000);
    expect(e.state.node(2)?.reason?.code).toBe('false_primary');
    expect(e.state.primaryNodeId).toBe(0);
    expect(e.state.node(1)?.status).toBe('waiting');
    expect(lines.some((l) => l.includes('node 2 is a false primary'))).toBe(true);
  }, 120_000);
});
