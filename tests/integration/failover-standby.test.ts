/**
 * Standby failures on a real 3-node streaming cluster: failover_command runs but the primary stays; auto_failback
 * re-attaches the standby once it streams again; DISALLOW_TO_FAILOVER keeps the node attached and says why; a health
 * check that fails once and then succeeds within max_retries detaches nothing; a failover_command that exits 1 or
 * hangs past failover_command_timeout is recorded with its output and the engine keeps running.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import type { PgwardenConfig } from '../../server/engine/config/types';
import { testConfig, type TestNode } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { createCluster, freePort, type PgCluster, type PgNode } from '../helpers/pg-cluster';

const SCRIPTS = path.resolve(__dirname, '../fixtures/scripts');
const actor = { name: 'test', interface: 'cli' as const };

/** A TCP relay in front of a node that can drop the next N connections, or accept and never answer (hung server). */
async function relay(target: number): Promise<{
  port: number;
  dropNext(n: number): void;
  blackhole(on: boolean): void;
  close(): Promise<void>;
}> {
  let drop = 0;
  let hang = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (hang) {
      // Accept and never answer: a hung server, only health_check_timeout ends the attempt.
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => undefined);
      return;
    }
    if (drop > 0) {
      drop--;
      client.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    dropNext: (n) => (drop = n),
    blackhole: (on) => (hang = on),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('standby failures (3 nodes)', () => {
  let cluster: PgCluster;
  let dir: string;
  let engine: Engine | null = null;
  let node2: PgNode;

  const nodes = (over: Partial<TestNode>[] = []): TestNode[] =>
    cluster.nodes.map((n, i) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name, ...over[i] }));
  const start = async (config: PgwardenConfig) => {
    const { logger, lines } = recordingLogger();
    engine = await startEngine({ config, logger, discardStatus: true });
    return { e: engine, lines };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-standby-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 3 });
    node2 = cluster.nodes[2]!;
  }, 120_000);

  afterEach(async () => {
    await engine?.stop('fast');
    engine = null;
    if (!(await node2.isRunning())) await node2.start();
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('standby stop: failover_command runs and does nothing, primary unchanged; auto_failback re-attaches it', async () => {
    const flog = path.join(dir, 'failover-standby.log');
    const { e } = await start(
      testConfig(nodes(), {
        logdir: dir,
        failover_command: `${SCRIPTS}/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S ${flog}`,
        auto_failback: true,
        auto_failback_interval: 1,
      }),
    );
    expect(e.state.primaryNodeId).toBe(0);
    await waitFor('node 2 streaming', () => e.state.node(2)?.replicationState === 'streaming', 15_000);
    await node2.stop('immediate');
    await waitFor('node 2 down', () => e.state.node(2)?.status === 'down', 20_000);
    await e.failover.idle();
    const n0 = cluster.nodes[0]!;
    const log = await readFile(flog, 'utf8');
    expect(log).toContain(
      `failover.sh 2 127.0.0.1 ${node2.port} ${node2.dataDir} 0 127.0.0.1 0 0 ${n0.port} ${n0.dataDir} 127.0.0.1 ${n0.port}`,
    );
    expect(log).toContain('failover.sh: standby 2 failed, nothing to do');
    expect(e.state.primaryNodeId).toBe(0);
    const finished = (await e.events()).find((ev) => ev.kind === 'failover_finished');
    expect(finished?.details).toMatchObject({ partial: true, newPrimary: 0, follow: false });

    await node2.start();
    await waitFor('auto failback of node 2', () => e.state.node(2)?.status === 'waiting', 30_000);
    expect(e.state.node(2)?.reason?.code).toBe('auto_failback');
    expect(e.state.primaryNodeId).toBe(0);
  }, 90_000);

  it('DISALLOW_TO_FAILOVER: the health check failure does not detach, and says so', async () => {
    const { e, lines } = await start(
      testConfig(nodes([{}, {}, { allowToFailover: false }]), { logdir: dir }),
    );
    await node2.stop('immediate');
    const ev = await waitFor(
      'refused health check event',
      async () => (await e.events()).find((x) => x.kind === 'health_check_failed' && x.nodeId === 2),
      20_000,
    );
    expect(ev.outcome).toBe('refused');
    expect(ev.summary).toBe('health check failed on node 2 but failover is disallowed for the node');
    expect(
      lines.some((l) => l.includes('health check failed on node 2 but failover is disallowed for the node')),
    ).toBe(true);
    expect(e.state.node(2)?.status).toBe('waiting');
    expect(e.state.node(2)?.pgStatus).toBe('down');
    expect(e.state.node(2)?.reason?.code).toBe('failover_disallowed');
    await expect(e.detachNode(2, { actor })).rejects.toMatchObject({ code: 'failover_disallowed' });
    const refused = (await e.events()).find((x) => x.kind === 'admin_action' && x.outcome === 'refused');
    expect(refused?.actor).toEqual(actor);
  }, 60_000);

  it('a health check that fails once then succeeds within max_retries does not detach', async () => {
    const r = await relay(node2.port);
    try {
      const { e, lines } = await start(
        testConfig(nodes([{}, {}, { port: r.port, healthCheck: { max_retries: 2, retry_delay: 1 } }]), {
          logdir: dir,
          sr_check_period: 0, // only the health check connects through the relay
        }),
      );
      await waitFor(
        'a first health check of node 2',
        async () => (await e.healthCheckStats())[2]!.successCount >= 1,
        10_000,
      );
      r.dropNext(1);
      await waitFor('a retry', async () => (await e.healthCheckStats())[2]!.retryCount >= 1, 10_000);
      await waitFor(
        'success after the retry',
        async () => (await e.healthCheckStats())[2]!.successCount >= 2,
        10_000,
      );
      expect(lines.some((l) => l.includes('health check retrying on DB node: 2 (round:1)'))).toBe(true);
      expect(e.state.node(2)?.status).toBe('waiting');
      const stats = (await e.healthCheckStats())[2]!;
      expect(stats.failCount).toBe(0);
      expect(stats.maxRetryCount).toBe(1);
      expect((await e.events()).some((x) => x.kind === 'failover_started')).toBe(false);
    } finally {
      await r.close();
    }
  }, 60_000);

  it('a health check timeout (hung server) detaches the node with a full restart (no switchover)', async () => {
    const r = await relay(node2.port);
    try {
      const { e } = await start(
        testConfig(
          nodes([{}, {}, { port: r.port, healthCheck: { timeout: 1, connect_timeout: 0, max_retries: 0 } }]),
          {
            logdir: dir,
            sr_check_period: 0,
          },
        ),
      );
      await waitFor(
        'a first health check of node 2',
        async () => (await e.healthCheckStats())[2]!.successCount >= 1,
        10_000,
      );
      r.blackhole(true);
      await waitFor('node 2 down', () => e.state.node(2)?.status === 'down', 15_000);
      await e.failover.idle();
      expect(e.state.node(2)?.reason?.details).toMatchObject({ timedOut: true, attempts: 1 });
      expect(e.state.node(2)?.reason?.message).toMatch(/timed out after 1000 ms/);
      const finished = (await e.events()).find((ev) => ev.kind === 'failover_finished');
      expect(finished?.details).toMatchObject({ partial: false, newPrimary: 0 });
    } finally {
      await r.close();
    }
  }, 60_000);

  it('a failover_command exiting 1 is recorded with its output; the engine keeps running', async () => {
    const { e } = await start(
      testConfig(nodes(), { logdir: dir, failover_command: 'echo out-text %d; echo err-text >&2; exit 1' }),
    );
    await e.detachNode(2, { actor, reason: 'maintenance' });
    const cmd = (await e.events()).find((x) => x.kind === 'command_executed');
    expect(cmd).toMatchObject({ outcome: 'failed', nodeId: 2 });
    expect(cmd?.details).toMatchObject({
      exitCode: 1,
      timedOut: false,
      command: 'echo out-text 2; echo err-text >&2; exit 1',
    });
    expect(cmd?.details?.output).toContain('out-text 2');
    expect(cmd?.details?.output).toContain('err-text');
    expect(e.state.node(2)?.status).toBe('down');
    expect(e.state.node(2)?.reason).toMatchObject({ code: 'admin_detach' });
    expect(e.state.node(2)?.reason?.message).toContain('maintenance');
    await e.attachNode(2, { actor });
    expect(e.state.node(2)?.status).toBe('waiting');
  }, 30_000);

  it('a failover_command hanging past failover_command_timeout is killed and recorded', async () => {
    const { e } = await start(
      testConfig(nodes(), {
        logdir: dir,
        failover_command: 'echo started; sleep 30; echo never',
        failover_command_timeout: 1,
      }),
    );
    const t0 = Date.now();
    await e.detachNode(2, { actor });
    expect(Date.now() - t0).toBeLessThan(5000);
    const cmd = (await e.events()).find((x) => x.kind === 'command_executed');
    expect(cmd?.outcome).toBe('failed');
    expect(cmd?.details).toMatchObject({ timedOut: true });
    expect(cmd?.details?.output).toContain('started');
    expect(cmd?.details?.output).not.toContain('never');
    expect(cmd?.reason?.code).toBe('command_timeout');
    await e.attachNode(2, { actor });
    expect((await e.snapshot()).nodes[2]?.status).toBe('waiting');
  }, 30_000);
});
