import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailoverRequester, NodeDownRequest } from '../../server/engine/failover/types';
import * as fe from '../../server/engine/protocol/frontend-builders';
import { useCluster } from '../helpers/pg-cluster';
import { RawClient } from '../helpers/proxy-raw-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

/** Records requests instead of failing over (the failover engine is tested elsewhere). */
function recordingFailover(): FailoverRequester & { downs: NodeDownRequest[] } {
  const downs: NodeDownRequest[] = [];
  return {
    downs,
    busy: false,
    requestNodeDown: async (r) => {
      downs.push(r);
    },
    requestNodeUp: async () => undefined,
    requestPromote: async () => undefined,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

async function backendPid(tp: TestProxy): Promise<number> {
  const c = await tp.client();
  const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await c.end();
  return r.rows[0]!.pid;
}

describe('proxy: connection pool and session limits', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1 });
  const failover = recordingFailover();
  let tp: TestProxy;
  beforeAll(async () => {
    tp = await startTestProxy(pgc.cluster, { failover_on_backend_error: true }, { failover });
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('reconnecting reuses the cached backend, and DISCARD ALL removed temp tables and settings', async () => {
    const c = await tp.client();
    await c.query('CREATE TEMP TABLE tmp_x (a int)');
    await c.query("SET application_name = 'changed'");
    const pid1 = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await c.end();
    await waitFor(() => tp.proxy.stats().cachedConnections >= 1);
    const c2 = await tp.client();
    const pid2 = (await c2.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    expect(pid2).toBe(pid1);
    const t = await c2.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'tmp_x'");
    expect(t.rows[0].n).toBe(0);
    await c2.end();
  });

  it("start-up ParameterStatus of a reused backend shows the reset values, not the previous client's SET", async () => {
    const params = { user: 'postgres', database: 'postgres', application_name: 'app1' };
    const a = await RawClient.connect(tp.port, params);
    a.send(fe.query("SET application_name = 'changed'"));
    await a.untilReady();
    const cached = tp.proxy.stats().cachedConnections;
    a.close();
    await waitFor(() => tp.proxy.stats().cachedConnections > cached);
    const hits = tp.proxy.stats().poolHits;
    const b = await RawClient.connect(tp.port, params);
    expect(tp.proxy.stats().poolHits).toBe(hits + 1);
    const app = b.startup.find((m) => m.name === 'parameterStatus' && m.key === 'application_name');
    expect(app).toMatchObject({ value: 'app1' });
    b.close();
    await waitFor(() => tp.proxy.stats().sessions === 0);
  });

  it('a pooled backend killed by pg_terminate_backend is dropped silently, no failover, next session works', async () => {
    const pid = await backendPid(tp);
    await waitFor(() => tp.proxy.pools().some((p) => p.backendPid === pid && p.status === 'cached'));
    const cached = tp.proxy.stats().cachedConnections;
    await pgc.primary.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(() => tp.proxy.stats().cachedConnections === cached - 1);
    const next = await backendPid(tp);
    expect(next).not.toBe(pid);
    expect(failover.downs).toEqual([]);
  });

  it('pg_terminate_backend of an in-use backend ends that session with the server error, no failover', async () => {
    const c = await tp.client();
    c.on('error', () => undefined);
    const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await pgc.primary.query('SELECT pg_terminate_backend($1)', [pid]);
    await expect(c.query('SELECT 1')).rejects.toThrow();
    await sleep(500); // let the probe run
    expect(failover.downs).toEqual([]);
    expect(await backendPid(tp)).toBeGreaterThan(0);
  });

  it('terminateSessions closes sessions using a node with an ErrorResponse that says why', async () => {
    const c = await tp.client();
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    await c.query('SELECT 1');
    expect(
      tp.proxy.terminateSessions({ nodeIds: [0], message: 'node 0 was detached by failover' }),
    ).toBeGreaterThanOrEqual(1);
    await waitFor(() => errors.length > 0);
    expect(errors[0]!.message).toContain('node 0 was detached by failover');
  });

  it("when every node is down new clients get pgpool's FATAL", async () => {
    tp.state.setStatus(0, 'down', { code: 'test', message: 'test' });
    try {
      await expect(tp.client()).rejects.toThrow('pgpool is not accepting any new connections');
    } finally {
      tp.state.setStatus(0, 'up', null);
    }
  });
});

describe('proxy: num_init_children and reserved_connections', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1 });
  let reserved: TestProxy;
  let queued: TestProxy;
  beforeAll(async () => {
    reserved = await startTestProxy(pgc.cluster, { num_init_children: 2, reserved_connections: 1 });
    queued = await startTestProxy(pgc.cluster, { num_init_children: 1, reserved_connections: 0 });
  });
  afterAll(async () => {
    await reserved?.stop();
    await queued?.stop();
  });

  it('reserved_connections > 0: the client over the limit gets 53300', async () => {
    const a = await reserved.client();
    await expect(reserved.client()).rejects.toMatchObject({
      code: '53300',
      message: 'Sorry, too many clients already',
    });
    await a.end();
  });

  it('reserved_connections = 0: the extra client waits and gets in when a slot frees', async () => {
    const a = await queued.client();
    let connected = false;
    const b = new pg.Client({ host: '127.0.0.1', port: queued.port, user: 'postgres', database: 'postgres' });
    const pending = b.connect().then(() => (connected = true));
    await sleep(500);
    expect(connected).toBe(false);
    expect(queued.proxy.stats().waitingClients).toBe(1);
    await a.end();
    await pending;
    expect((await b.query('SELECT 1 AS x')).rows[0].x).toBe(1);
    await b.end();
  });
});

describe('proxy: raw mode moves to the next valid node', () => {
  const pgc = useCluster({ mode: 'independent', nodes: 2 });
  let tp: TestProxy;
  beforeAll(async () => {
    tp = await startTestProxy(pgc.cluster, { backend_clustering_mode: 'raw' });
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('sessions go to the main node, then to node 1 once node 0 is marked down', async () => {
    const port = async (): Promise<number> => {
      const c = await tp.client();
      const r = await c.query<{ port: string }>('SHOW port');
      await c.end();
      return Number(r.rows[0]!.port);
    };
    expect(await port()).toBe(pgc.nodes[0]!.port);
    await pgc.nodes[0]!.kill9();
    tp.state.setStatus(0, 'down', { code: 'test', message: 'killed by the test' });
    expect(await port()).toBe(pgc.nodes[1]!.port);
  });
});
