/**
 * REST and OpenAPI over the real router, store and HTTP server, with a recording engine (the engine is exercised by
 * tests/integration/control-plane-rest.test.ts on a real cluster): the document is well formed and every answer
 * matches it; bearer tokens only; viewer 403 on mutations; path/query/body inputs; errors as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, releasePort } from '../../../tests/helpers/pg-cluster/ports';
import type { ClusterSnapshot, EngineApi } from '../../engine/api';
import { EngineError } from '../../engine/errors';
import { ClusterState } from '../../engine/state/cluster-state';
import { metricsOf } from '../../engine/runtime/metrics';
import { createApiToken } from '../../services/auth/users';
import { loadSessionSecret } from '../../services/auth/sessions';
import { createControlPlane } from '../../services/control-plane';
import { openStore, resolveStoreLocation, type Store } from '../../services/store/client';
import { migrateStore } from '../../services/store/migrate';
import { setHandle } from '../handle';
import { handleControlRequest } from '../http/control-routes';
import { parsePrometheusText, promSum } from '../http/prom-parse';
import { checkOpenApi, checkSchema, responseSchema } from './schema-check';
import type { JsonSchema } from './json-schema';

const backend = (id: number) => ({
  id,
  hostname: '127.0.0.1',
  port: 5432 + id,
  weight: 1,
  data_directory: `/data/${id}`,
  flag: { allowToFailover: true, alwaysPrimary: false },
  application_name: `node${id}`,
});

const state = new ClusterState('streaming_replication', [backend(0), backend(1)] as never);
state.setPrimary(0, null);
const calls: string[] = [];
const engine = {
  snapshot: async (): Promise<ClusterSnapshot> => ({
    mode: state.mode,
    primaryNodeId: state.primaryNodeId,
    mainNodeId: state.mainNodeId,
    nodes: structuredClone(state.nodes),
    failoverInProgress: false,
    recoveryInProgress: false,
    clientSessions: { active: 1, max: 32 },
    startedAt: new Date(0),
    version: 'test',
  }),
  events: async () => state.events(),
  subscribe: (l: never) => state.subscribe(l),
  detachNode: async (id: number, req: { actor: { name: string; interface: string }; reason?: string }) => {
    calls.push(`detach ${id} by ${req.actor.name} via ${req.actor.interface}: ${req.reason ?? ''}`);
    if (!state.node(id)) throw new EngineError('node_not_found', `node ${id} does not exist`);
    if (state.node(id)!.status === 'down')
      throw new EngineError('node_already_down', `node ${id} is already down`);
    state.setStatus(id, 'down', { code: 'admin_detach', message: req.reason ?? '' }, req.actor as never);
  },
  recoveryRun: async () => null,
  pools: async () => [],
  metrics: async () => metricsOf(state).snapshot(),
} as unknown as EngineApi;

let store: Store;
let server: Server;
let base = '';
let port = 0;
let viewer = '';
let operator = '';
let doc: JsonSchema;
const dir = mkdtempSync(join(tmpdir(), 'pgwarden-rest-'));

async function req(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<{ status: number; json: unknown; text: string; type: string | null }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') };
}

function matches(method: string, docPath: string, value: unknown, status = '200'): void {
  const schema = responseSchema(doc, method, docPath, status);
  expect(schema, `${method} ${docPath} ${status} has a schema`).toBeDefined();
  expect(checkSchema(schema, value, doc)).toEqual([]);
}

beforeAll(async () => {
  store = await openStore(resolveStoreLocation('', dir));
  await migrateStore(store);
  viewer = await createApiToken(store.client, 'monitoring', 'viewer');
  operator = await createApiToken(store.client, 'runbook', 'operator');
  setHandle({
    engine,
    proxyPort: 0,
    services: createControlPlane({
      db: store.client,
      pcpUsers: () => [],
      sessionSecret: loadSessionSecret(dir),
    }),
  });
  server = createServer((rq, rs) => {
    void handleControlRequest(rq, rs).then((done) => {
      if (!done) rs.writeHead(404).end();
    });
  });
  port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  setHandle(undefined);
  await new Promise((r) => server.close(r));
  releasePort(port);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('REST /api/v1', () => {
  it('serves a well-formed OpenAPI 3.1 document generated from the router', async () => {
    const r = await req('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    doc = r.json as JsonSchema;
    expect(checkOpenApi(doc)).toEqual([]);
    const paths = doc.paths as Record<string, Record<string, { operationId: string }>>;
    expect(paths['/nodes/{nodeId}/detach']?.post?.operationId).toBe('nodes.detach');
    expect(paths['/recovery/{runId}']?.get?.operationId).toBe('recovery.get');
    expect(paths['/primary']?.get).toBeDefined();
    expect(Object.keys(paths).length).toBeGreaterThanOrEqual(20);
  });

  it('needs a bearer token (401), an operator token for actions (403), and audits the token name', async () => {
    const none = await req('GET', '/api/v1/nodes');
    expect(none.status).toBe(401);
    matches('GET', '/nodes', none.json, '401');
    expect((await req('GET', '/api/v1/nodes', { token: 'not-a-token' })).status).toBe(401);

    const nodes = await req('GET', '/api/v1/nodes', { token: viewer });
    expect(nodes.status).toBe(200);
    matches('GET', '/nodes', nodes.json);

    const refused = await req('POST', '/api/v1/nodes/1/detach', { token: viewer, body: { reason: 'try' } });
    expect(refused.status).toBe(403);
    expect((refused.json as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect(calls).toEqual([]);

    const done = await req('POST', '/api/v1/nodes/1/detach', {
      token: operator,
      body: { reason: 'maintenance' },
    });
    expect(done.status).toBe(200);
    matches('POST', '/nodes/{nodeId}/detach', done.json);
    expect(calls).toEqual(['detach 1 by runbook via rest: maintenance']);

    const again = await req('POST', '/api/v1/nodes/1/detach', { token: operator, body: {} });
    expect(again.status).toBe(409);
    expect((again.json as { error: { engineCode: string } }).error.engineCode).toBe('node_already_down');
    const missing = await req('POST', '/api/v1/nodes/9/detach', { token: operator });
    expect([missing.status, (missing.json as { error: { engineCode: string } }).error.engineCode]).toEqual([
      404,
      'node_not_found',
    ]);
  });

  it('validates input from the path, query and body with the same zod schemas', async () => {
    const bad = await req('POST', '/api/v1/nodes/abc/detach', { token: operator });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('nodeId');
    const extra = await req('PUT', '/api/v1/nodes/0/weight', { token: operator, body: { weight: -1 } });
    expect(extra.status).toBe(400);
    expect((await req('POST', '/api/v1/nodes/0/detach', { token: operator, body: '[' })).status).toBe(400);
    expect((await req('GET', '/api/v1/nope', { token: viewer })).status).toBe(404);
    expect((await req('DELETE', '/api/v1/nodes', { token: viewer })).status).toBe(405);
    const gone = await req('GET', '/api/v1/recovery/r-404', { token: viewer });
    expect(gone.status).toBe(404);
  });
});

describe('API tokens', () => {
  it('operators issue and revoke tokens; both are audited; a revoked token is refused', async () => {
    expect((await req('GET', '/api/v1/tokens', { token: viewer })).status).toBe(403);
    const issued = await req('POST', '/api/v1/tokens', {
      token: operator,
      body: { name: 'grafana', role: 'viewer', reason: 'dashboards' },
    });
    expect(issued.status, issued.text).toBe(200);
    matches('POST', '/tokens', issued.json);
    const token = (issued.json as { token: string }).token;
    expect((await req('GET', '/api/v1/cluster', { token })).status).toBe(200);
    expect(
      (await req('POST', '/api/v1/tokens', { token, body: { name: 'x', role: 'operator' } })).status,
    ).toBe(403);
    const list = await req('GET', '/api/v1/tokens', { token: operator });
    matches('GET', '/tokens', list.json);
    expect((list.json as { name: string }[]).map((t) => t.name)).toEqual([
      'grafana',
      'monitoring',
      'runbook',
    ]);
    expect(list.text).not.toContain(token);
    expect((await req('DELETE', '/api/v1/tokens/grafana?reason=rotated', { token: operator })).status).toBe(
      200,
    );
    expect((await req('GET', '/api/v1/cluster', { token })).status).toBe(401);
    expect((await req('DELETE', '/api/v1/tokens/grafana', { token: operator })).status).toBe(404);
    const audit = await req('GET', '/api/v1/events?interface=rest&actor=runbook&kind=admin_action', {
      token: viewer,
    });
    matches('GET', '/events', audit.json);
    expect((audit.json as { summary: string }[]).map((e) => e.summary)).toEqual([
      'API token grafana revoked by runbook',
      'API token grafana (viewer) issued by runbook',
    ]);
  });
});

describe('health and metrics', () => {
  it('answers /health, /primary, /replica from the engine state, with reasons', async () => {
    const h = await req('GET', '/health');
    expect(h.status).toBe(200);
    expect((h.json as { reason: string }).reason).toMatch(/backends up/);
    expect((await req('GET', '/primary')).status).toBe(200);
    // node 1 was detached above: no standby up
    const rep = await req('GET', '/replica');
    expect([rep.status, (rep.json as { reason: string }).reason]).toEqual([503, 'no standby is up']);
    expect((await req('GET', '/replica?lag=10x')).status).toBe(503);
    expect((await req('GET', '/liveness')).status).toBe(200);
    expect((await req('GET', '/readiness')).status).toBe(200);
  });

  it('/replica?lag= compares the standby delay in bytes or seconds', async () => {
    const n1 = state.node(1)!;
    n1.status = 'up';
    n1.replicationDelayBytes = 20 * 1024 * 1024;
    n1.replicationDelaySeconds = 3;
    await new Promise((r) => setTimeout(r, 250)); // past the health snapshot cache
    const status = async (q: string): Promise<number> => (await req('GET', `/replica?lag=${q}`)).status;
    expect(await status('16MB')).toBe(503);
    expect(await status('32MB')).toBe(200);
    expect(await status(String(21 * 1024 * 1024))).toBe(200);
    expect(await status('5s')).toBe(200);
    expect(await status('1s')).toBe(503);
    expect(await status('2500ms')).toBe(503);
    expect(await status('1min')).toBe(200);
    const why = (await req('GET', '/replica?lag=1kB')).json as { reason: string };
    expect(why.reason).toBe('no standby within 1024 bytes: node 1 20971520 bytes / 3 s');
    n1.status = 'down';
    await new Promise((r) => setTimeout(r, 250));
  });

  it('serves /metrics in the Prometheus text format', async () => {
    metricsOf(state).observeQuery(3000); // ms
    const r = await req('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheusText(r.text);
    expect(promSum(m, 'pgwarden_node_up', { node: '0' })).toBe(1);
    expect(promSum(m, 'pgwarden_node_up', { node: '1' })).toBe(0);
    expect(promSum(m, 'pgwarden_node_role', { node: '0', role: 'primary' })).toBe(1);
    expect(promSum(m, 'pgwarden_query_duration_seconds', {}, 'pgwarden_query_duration_seconds_count')).toBe(
      1,
    );
    expect(
      promSum(m, 'pgwarden_query_duration_seconds', { le: '2.5' }, 'pgwarden_query_duration_seconds_bucket'),
    ).toBe(0);
    expect(
      promSum(m, 'pgwarden_query_duration_seconds', { le: '5' }, 'pgwarden_query_duration_seconds_bucket'),
    ).toBe(1);
  });
});
