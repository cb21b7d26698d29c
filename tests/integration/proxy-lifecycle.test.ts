import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailoverRequester, NodeDownRequest } from '../../server/engine/failover/types';
import * as fe from '../../server/engine/protocol/frontend-builders';
import { BackendMessageParser } from '../../server/engine/protocol/message-parser';
import { useCluster } from '../helpers/pg-cluster';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends bytes on a fresh connection and collects the answer until the server closes or `ms` pass. */
async function exchange(port: number, steps: Buffer[], ms = 3000): Promise<Buffer> {
  const s = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  s.on('error', () => undefined);
  await new Promise((r) => s.once('connect', r));
  for (const b of steps) {
    s.write(b);
    await sleep(150);
  }
  await Promise.race([new Promise((r) => s.once('close', r)), sleep(ms)]);
  s.destroy();
  return Buffer.concat(chunks);
}

function errorsIn(buf: Buffer): string[] {
  const p = new BackendMessageParser();
  return p
    .push(buf)
    .flatMap((m) => (m.name === 'errorResponse' ? [`${m.fields.code} ${m.fields.message}`] : []));
}

describe('proxy: start-up negotiation, idle limit, shutdown', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1 });
  let tp: TestProxy;
  beforeAll(async () => {
    tp = await startTestProxy(pgc.cluster, { client_idle_limit: 1 });
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('answers a 3.1 startup with NegotiateProtocolVersion and serves 3.0; refuses 2.0 with a clear FATAL', async () => {
    const v31 = await exchange(
      tp.port,
      [fe.startupMessage({ user: 'postgres', database: 'postgres', '_pq_.opt': '1' }, (3 << 16) | 1)],
      800,
    );
    const msgs = new BackendMessageParser().push(v31);
    expect(msgs[0]).toEqual({ name: 'negotiateProtocolVersion', minor: 0, options: ['_pq_.opt'] });
    expect(msgs.some((m) => m.name === 'readyForQuery')).toBe(true);
    const v2 = await exchange(tp.port, [fe.startupMessage({ user: 'postgres' }, 2 << 16)]);
    expect(errorsIn(v2)).toEqual(['0A000 unsupported frontend protocol 2.0: server supports 3.0 to 3.0']);
  });

  it('answers GSSENCRequest and SSLRequest (no TLS configured) with N, then serves the startup', async () => {
    const out = await exchange(
      tp.port,
      [fe.gssEncRequest(), fe.sslRequest(), fe.startupMessage({ user: 'postgres', database: 'postgres' })],
      800,
    );
    expect(out.subarray(0, 2).toString()).toBe('NN');
    const msgs = new BackendMessageParser().push(out.subarray(2));
    expect(msgs.at(-1)).toEqual({ name: 'readyForQuery', status: 'I' });
  });

  it('serves psql over the Unix socket', async () => {
    const r = await run('psql', [
      '-X',
      '-At',
      '-h',
      tp.socketDir,
      '-p',
      String(tp.port),
      '-U',
      'postgres',
      '-c',
      'SELECT 5',
      'postgres',
    ]);
    expect(r.stdout.trim()).toBe('5');
  });

  it('client_idle_limit disconnects an idle client with a message saying why', async () => {
    const c = await tp.client();
    const errors: (Error & { detail?: string })[] = [];
    c.on('error', (e) => errors.push(e));
    await c.query('SELECT 1');
    await sleep(3500); // idle for more than 1 s, counted by a 1 s tick as pgpool does
    expect(errors[0]?.detail).toContain('client_idle_limit:1 is reached');
  });

  it('shutdown: smart waits for clients, fast terminates them with 57P01', async () => {
    const smart = await startTestProxy(pgc.cluster);
    const c1 = await smart.client();
    let closed = false;
    const closing = smart.proxy.close('smart').then(() => (closed = true));
    await sleep(300);
    expect(closed).toBe(false);
    await expect(smart.client()).rejects.toThrow(); // listener is closed
    expect((await c1.query('SELECT 3 AS x')).rows[0].x).toBe(3);
    await c1.end();
    await closing;
    expect(closed).toBe(true);
    await smart.stop('immediate');

    const fast = await startTestProxy(pgc.cluster);
    const c2 = await fast.client();
    const errs: (Error & { code?: string })[] = [];
    c2.on('error', (e) => errs.push(e));
    await fast.proxy.close('fast');
    await sleep(200);
    expect(errs[0]?.code).toBe('57P01');
    expect(errs[0]?.message).toBe('terminating connection due to administrator command');
    await fast.stop('immediate');
  });
});

describe('proxy: failover_on_backend_error', () => {
  const pgc = useCluster({ mode: 'independent', nodes: 2 });
  const downs: NodeDownRequest[] = [];
  const failover: FailoverRequester = {
    busy: false,
    requestNodeDown: async (r) => {
      downs.push(r);
    },
    requestNodeUp: async () => undefined,
    requestPromote: async () => undefined,
  };
  let tp: TestProxy;
  beforeAll(async () => {
    tp = await startTestProxy(
      pgc.cluster,
      { backend_clustering_mode: 'raw', failover_on_backend_error: true },
      { failover },
    );
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('a node that dies under a session (and refuses a fresh connection) is reported down once, with the reason', async () => {
    const clients = await Promise.all([tp.client(), tp.client(), tp.client()]);
    for (const c of clients) c.on('error', () => undefined);
    await pgc.nodes[0]!.kill9();
    await Promise.all(clients.map((c) => c.query('SELECT 1').catch((e: Error) => e)));
    for (let i = 0; i < 50 && downs.length === 0; i++) await sleep(100);
    expect(downs).toHaveLength(1);
    expect(downs[0]!.nodeIds).toEqual([0]);
    expect(downs[0]!.reason.code).toBe('backend_error');
    expect(downs[0]!.switchover).toBe(true);
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  });
});
