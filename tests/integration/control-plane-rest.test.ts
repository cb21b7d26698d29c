/**
 * The control plane's HTTP surface on the real product (runServer: engine worker, store, dashboard server) over a
 * real 3-node streaming cluster: the OpenAPI document is well formed and answers match it; REST detach/attach with
 * an operator token change the node and are audited with the token name and interface 'rest'; 401 without a token,
 * 403 with a viewer token; Prometheus /metrics parses and its counters move under pgbench; /primary turns 503 when
 * the primary is killed and 200 again after the failover; the old primary comes back by an online recovery started
 * over REST and followed by polling its run id.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOpenApi, checkSchema, responseSchema } from '../../server/api/rest/schema-check';
import type { JsonSchema } from '../../server/api/rest/json-schema';
import { parsePrometheusText, promSum, type PromFamily } from '../../server/api/http/prom-parse';
import { loadConfig } from '../../server/engine/config/index';
import { waitFor } from '../../server/engine/failover/testing/wait';
import { createLogger } from '../../server/engine/runtime/logger';
import { runServer } from '../../server/main';
import { createApiToken } from '../../server/services/auth/users';
import { openStore, resolveStoreLocation } from '../../server/services/store/client';
import { migrateStore } from '../../server/services/store/migrate';
import { createCluster, freePort, releasePort, type PgCluster } from '../helpers/pg-cluster';
import {
  formatConfValue,
  writePgwardenConfig,
  type PgwardenConfig as FilesConfig,
} from '../helpers/pgwarden-process';
import { pgbench } from '../helpers/proxy-pgbench';

interface Answer {
  status: number;
  json: unknown;
  text: string;
  type: string | null;
}

describe('control plane over HTTP on a real cluster', () => {
  let cluster: PgCluster;
  let files: FilesConfig;
  let dir: string;
  let base = '';
  let proxyPort = 0;
  let dashboardPort = 0;
  let viewer = '';
  let operator = '';
  let doc: JsonSchema;
  let running: Promise<void> | null = null;
  const stop = new AbortController();

  const http = async (
    method: string,
    p: string,
    opts: { token?: string; body?: unknown } = {},
  ): Promise<Answer> => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON (metrics) */
    }
    return { status: res.status, json, text, type: res.headers.get('content-type') };
  };
  const matches = (method: string, docPath: string, a: Answer): void => {
    const schema = responseSchema(doc, method, docPath, String(a.status));
    expect(schema, `${method} ${docPath} ${a.status} is documented`).toBeDefined();
    expect(checkSchema(schema, a.json, doc), `${method} ${docPath}`).toEqual([]);
  };
  type Node = { id: number; status: string; role: string };
  const nodes = async (): Promise<Node[]> =>
    (await http('GET', '/api/v1/nodes', { token: viewer })).json as Node[];
  const metrics = async (): Promise<Map<string, PromFamily>> => {
    const r = await http('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(r.text);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-cp-rest-'));
    cluster = await createCluster({ mode: 'streaming', nodes: 3, pgpoolRecovery: true });
    dashboardPort = await freePort();
    files = await writePgwardenConfig(cluster, {
      exampleScripts: true,
      healthCheck: { period: 1, timeout: 2, maxRetries: 0, retryDelay: 1 },
      settings: {
        dashboard_port: dashboardPort,
        dashboard_listen_address: '127.0.0.1',
        data_directory: path.join(dir, 'data'),
        pid_file_name: path.join(dir, 'pgwarden.pid'),
        logdir: dir,
        search_primary_node_timeout: 60,
      },
    });
    proxyPort = files.port;
    // A failover that takes a visible moment, so /primary can be seen answering 503 during it. In the file (the
    // last assignment wins), not as an override: the REST config reload below re-reads the file.
    await appendFile(
      files.pgpoolConf,
      `failover_command = ${formatConfValue(`sleep 2; ${String(files.settings.failover_command)}`)}\n`,
    );
    const loaded = loadConfig({
      pgpoolConf: files.pgpoolConf,
      pcpConf: files.pcpConf,
      hbaConf: files.hbaConf,
    });
    expect(loaded.errors).toEqual([]);
    const config = loaded.config!;

    // API tokens, in the store runServer opens (SQLite under data_directory).
    const store = await openStore(resolveStoreLocation(config.store_url, config.data_directory));
    await migrateStore(store);
    viewer = await createApiToken(store.client, 'monitoring', 'viewer');
    operator = await createApiToken(store.client, 'runbook', 'operator');
    await store.close();

    let ready!: (url: string | null) => void;
    const readyP = new Promise<string | null>((r) => (ready = r));
    running = runServer({
      config,
      configPaths: { pgpoolConf: files.pgpoolConf, pcpConf: files.pcpConf, hbaConf: files.hbaConf },
      discardStatus: true,
      dashboard: true,
      logLevel: 'warning',
      logger: createLogger({ level: 'warning' }),
      pcpUsers: loaded.pcpUsers,
      hbaRules: loaded.hbaRules,
      poolPasswd: loaded.poolPasswd,
      stopSignal: stop.signal,
      handleSignals: false,
      onReady: (i) => ready(i.dashboardUrl),
    });
    running.catch(() => ready(null));
    const url = await readyP;
    expect(url).not.toBeNull();
    base = `http://127.0.0.1:${dashboardPort}`;
  }, 180_000);

  afterAll(async () => {
    stop.abort();
    await running?.catch(() => undefined);
    files?.release();
    releasePort(dashboardPort);
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 90_000);

  it('serves a valid OpenAPI document, and answers match it', async () => {
    const r = await http('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    doc = r.json as JsonSchema;
    expect(checkOpenApi(doc)).toEqual([]);
    const cluster = await http('GET', '/api/v1/cluster', { token: viewer });
    expect(cluster.status).toBe(200);
    matches('GET', '/cluster', cluster);
    const list = await http('GET', '/api/v1/nodes', { token: viewer });
    matches('GET', '/nodes', list);
    expect((list.json as Node[]).map((n) => n.role)).toEqual(['primary', 'standby', 'standby']);
    for (const p of ['/api/v1/pools', '/api/v1/pools/sessions', '/api/v1/watchdog', '/api/v1/recovery']) {
      const a = await http('GET', p, { token: viewer });
      expect(a.status, p).toBe(200);
      matches('GET', p.slice('/api/v1'.length), a);
    }
  });

  it('refuses without a token (401) and viewer tokens on actions (403)', async () => {
    const none = await http('GET', '/api/v1/nodes');
    expect(none.status).toBe(401);
    matches('GET', '/nodes', none);
    const noneAction = await http('POST', '/api/v1/nodes/2/detach', { body: { reason: 'x' } });
    expect(noneAction.status).toBe(401);
    const asViewer = await http('POST', '/api/v1/nodes/2/detach', { token: viewer, body: { reason: 'x' } });
    expect(asViewer.status).toBe(403);
    matches('POST', '/nodes/{nodeId}/detach', asViewer);
    expect((await nodes())[2]!.status).not.toBe('down');
  });

  it('detaches and attaches node 2 with an operator token, audited as the token over rest', async () => {
    const since = new Date().toISOString();
    const d = await http('POST', '/api/v1/nodes/2/detach', {
      token: operator,
      body: { reason: 'disk replacement' },
    });
    expect(d.status, d.text).toBe(200);
    matches('POST', '/nodes/{nodeId}/detach', d);
    expect((await nodes())[2]!.status).toBe('down');
    const again = await http('POST', '/api/v1/nodes/2/detach', { token: operator, body: {} });
    expect([again.status, (again.json as { error: { engineCode: string } }).error.engineCode]).toEqual([
      409,
      'node_already_down',
    ]);

    type Ev = { kind: string; nodeId: number; actor: { name: string; interface: string }; summary: string };
    const audit = async (): Promise<Ev[]> => {
      const r = await http(
        'GET',
        `/api/v1/events?interface=rest&nodeId=2&since=${encodeURIComponent(since)}`,
        {
          token: viewer,
        },
      );
      expect(r.status, r.text).toBe(200);
      matches('GET', '/events', r);
      return r.json as Ev[];
    };
    // The event persister writes the store asynchronously.
    await waitFor(
      'detach audited',
      async () => (await audit()).some((e) => e.kind === 'admin_action'),
      10_000,
    );
    const detachEvents = await audit();
    expect(detachEvents.every((e) => e.actor.name === 'runbook' && e.actor.interface === 'rest')).toBe(true);
    expect(JSON.stringify(detachEvents)).toContain('disk replacement');

    const a = await http('POST', '/api/v1/nodes/2/attach', {
      token: operator,
      body: { reason: 'disk replaced' },
    });
    expect(a.status, a.text).toBe(200);
    await waitFor('node 2 back', async () => (await nodes())[2]!.status !== 'down', 10_000);
    await waitFor(
      'attach audited',
      async () => JSON.stringify(await audit()).includes('disk replaced'),
      10_000,
    );
    const cfg = await http('GET', '/api/v1/config', { token: viewer });
    expect(cfg.status).toBe(200);
    const secrets = Object.entries(cfg.json as Record<string, unknown>).filter(([k]) => /password$/.test(k));
    expect(secrets.length).toBeGreaterThan(0);
    for (const [k, v] of secrets) expect(['', '*****'], k).toContain(v);
    const reload = await http('POST', '/api/v1/config/reload', {
      token: operator,
      body: { reason: 'new hba' },
    });
    expect(reload.status, reload.text).toBe(200);
    matches('POST', '/config/reload', reload);
    await waitFor(
      'reload audited',
      async () => {
        const r = await http('GET', '/api/v1/events?kind=config_reloaded&actor=runbook', { token: viewer });
        return (r.json as { actor: { interface: string } }[]).some((e) => e.actor.interface === 'rest');
      },
      10_000,
    );
    const weight = await http('PUT', '/api/v1/nodes/2/weight', {
      token: operator,
      body: { weight: 3, reason: 'more reads' },
    });
    expect(weight.status, weight.text).toBe(200);
    expect(
      ((await http('GET', '/api/v1/nodes', { token: viewer })).json as { weight: number }[])[2]!.weight,
    ).toBe(3);
  });

  it('answers health endpoints from the engine state', async () => {
    for (const p of [
      '/health',
      '/primary',
      '/liveness',
      '/readiness',
      '/replica',
      '/replica?lag=16MB',
      '/replica?lag=30s',
    ]) {
      await waitFor(`${p} 200`, async () => (await http('GET', p)).status === 200, 15_000);
    }
    // Cheap enough for tight probe intervals: time a burst of each (logged, not asserted: the CPU is shared).
    for (const p of ['/health', '/metrics']) {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) expect((await http('GET', p)).status).toBe(200);
      console.log(
        `[latency] GET ${p}: ${((performance.now() - t0) / 20).toFixed(1)} ms per request (20 sequential)`,
      );
    }
    const bad = await http('GET', '/replica?lag=soon');
    expect(bad.status).toBe(503);
    expect((bad.json as { reason: string }).reason).toMatch(/cannot read lag/);
  });

  it('exposes Prometheus metrics whose counters move under pgbench', async () => {
    const conn = ['-h', '127.0.0.1', '-p', String(proxyPort), '-U', 'postgres', 'postgres'];
    const init = await pgbench(['-i', '-s', '1', '-q', ...conn]);
    expect(init.code, init.stderr).toBe(0);
    const before = await metrics();
    const stmts = (m: Map<string, PromFamily>, type: string): number =>
      promSum(m, 'pgwarden_node_statements_total', { type });
    const queries = (m: Map<string, PromFamily>): number =>
      promSum(m, 'pgwarden_query_duration_seconds', {}, 'pgwarden_query_duration_seconds_count');
    const t0 = Date.now();
    const run = await pgbench(['-c', '4', '-j', '2', '-T', '4', ...conn]);
    const ms = Date.now() - t0;
    expect(run.code, run.stderr).toBe(0);
    const after = await metrics();
    const txns = Number(/number of transactions actually processed: (\d+)/.exec(run.stdout)?.[1] ?? 0);
    console.log(
      `[metrics] pgbench ${txns} transactions in ${ms} ms (tps ${run.tps}); select +${stmts(after, 'select') - stmts(before, 'select')}, ` +
        `update +${stmts(after, 'update') - stmts(before, 'update')}, insert +${stmts(after, 'insert') - stmts(before, 'insert')}, ` +
        `query histogram +${queries(after) - queries(before)}`,
    );
    expect(txns).toBeGreaterThan(0);
    // TPC-B: per transaction 3 UPDATEs, 1 SELECT, 1 INSERT.
    expect(stmts(after, 'update') - stmts(before, 'update')).toBeGreaterThanOrEqual(3 * txns);
    expect(stmts(after, 'insert') - stmts(before, 'insert')).toBeGreaterThanOrEqual(txns);
    expect(stmts(after, 'select') - stmts(before, 'select')).toBeGreaterThanOrEqual(txns);
    expect(queries(after) - queries(before)).toBeGreaterThanOrEqual(txns);
    expect(promSum(after, 'pgwarden_node_up')).toBe(3);
    expect(promSum(after, 'pgwarden_node_role', { role: 'primary', node: '0' })).toBe(1);
    const hc = promSum(
      after,
      'pgwarden_health_check_duration_seconds',
      { outcome: 'ok' },
      'pgwarden_health_check_duration_seconds_count',
    );
    expect(hc).toBeGreaterThan(0);
    // The REST detach of node 2 above was a failover (a standby degenerated), the attach a failback.
    expect(promSum(after, 'pgwarden_failovers_total')).toBeGreaterThanOrEqual(1);
    expect(promSum(after, 'pgwarden_failbacks_total')).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('/primary answers 503 once the primary is killed and 200 after the failover', async () => {
    const primaryStatus = async (): Promise<number> => (await http('GET', '/primary')).status;
    expect(await primaryStatus()).toBe(200);
    const failoversBefore = promSum(await metrics(), 'pgwarden_failovers_total');
    const t0 = Date.now();
    await cluster.nodes[0]!.stop('immediate');
    await waitFor('/primary 503', async () => (await primaryStatus()) === 503, 30_000, 50);
    const t503 = Date.now();
    const during = (await http('GET', '/primary')).json as { reason: string };
    await waitFor('/primary 200 again', async () => (await primaryStatus()) === 200, 90_000, 100);
    const t200 = Date.now();
    console.log(
      `[health] kill -> /primary 503: ${t503 - t0} ms; kill -> /primary 200: ${t200 - t0} ms (${during.reason})`,
    );
    const body = (await http('GET', '/primary')).json as { primaryNodeId: number };
    expect(body.primaryNodeId).toBe(1);
    expect(promSum(await metrics(), 'pgwarden_failovers_total')).toBeGreaterThan(failoversBefore);
    // follow_primary re-points node 2 after the promotion; readiness says when the failover has ended.
    await waitFor(
      '/readiness 200',
      async () => (await http('GET', '/readiness')).status === 200,
      60_000,
      200,
    );
  }, 150_000);

  it('recovers the old primary through REST: a run id, polled until it ends', async () => {
    // The progress stream (SSE), opened before the run starts.
    type Ev = { id: number; kind: string; details?: { runId?: string; stage?: string; phase?: string } };
    const streamed: Ev[] = [];
    const sse = new AbortController();
    const res = await fetch(`${base}/api/v1/recovery/events`, {
      headers: { authorization: `Bearer ${viewer}` },
      signal: sse.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = (async () => {
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const data = buf
            .slice(0, i)
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          buf = buf.slice(i + 2);
          if (!data) continue;
          const e = JSON.parse(data) as Ev;
          streamed.push(e);
          if (e.kind === 'recovery_finished') return;
        }
      }
    })().catch(() => undefined);

    // follow_primary ends with node 2 attaching itself (a failback): retry while the engine says a failover runs.
    let start!: Answer;
    await waitFor(
      'recovery accepted',
      async () => {
        start = await http('POST', '/api/v1/recovery', {
          token: operator,
          body: { nodeId: 0, reason: 'rebuild' },
        });
        const code = (start.json as { error?: { engineCode: string } }).error?.engineCode;
        return start.status === 200 || code !== 'failover_in_progress';
      },
      60_000,
      500,
    );
    expect(start.status, start.text).toBe(200);
    matches('POST', '/recovery', start);
    const { runId } = start.json as { runId: string };
    let run: { outcome: string; stages: { name: string; outcome: string }[]; error: string | null } | null =
      null;
    await waitFor(
      'recovery ended',
      async () => {
        const r = await http('GET', `/api/v1/recovery/${encodeURIComponent(runId)}`, { token: viewer });
        expect(r.status).toBe(200);
        matches('GET', '/recovery/{runId}', r);
        run = r.json as typeof run;
        return run!.outcome !== 'running';
      },
      120_000,
      500,
    );
    console.log(
      `[recovery] ${JSON.stringify(run!.stages.map((s) => `${s.name}:${s.outcome}`))} ${run!.error ?? ''}`,
    );
    expect(run!.outcome).toBe('ok');
    await Promise.race([reading, new Promise((r) => setTimeout(r, 10_000))]);
    sse.abort();
    const mine = streamed.filter((e) => e.details?.runId === runId);
    expect(mine[0]?.kind).toBe('recovery_started');
    expect(mine[mine.length - 1]?.kind).toBe('recovery_finished');
    const stageEnds = mine.filter((e) => e.kind === 'recovery_stage' && e.details?.phase === 'end');
    expect(stageEnds.map((e) => e.details?.stage)).toEqual(run!.stages.map((s) => s.name));
    expect(streamed.every((e) => e.kind.startsWith('recovery_'))).toBe(true);
    await waitFor(
      'node 0 back as standby',
      async () => {
        const n = (await nodes())[0]!;
        return n.status !== 'down' && n.role === 'standby';
      },
      30_000,
    );
    expect(promSum(await metrics(), 'pgwarden_recoveries_total', { outcome: 'ok' })).toBe(1);
  }, 180_000);
});
