import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createHash } from 'node:crypto';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi } from '../engine/api';
import { EngineError } from '../engine/errors';
import type { EngineEvent } from '../engine/state/types';
import { createApiToken, upsertUser } from '../services/auth/users';
import { loadSessionSecret } from '../services/auth/sessions';
import { createControlPlane } from '../services/control-plane';
import { openStore, resolveStoreLocation, type Store } from '../services/store/client';
import { migrateStore } from '../services/store/migrate';
import { createContext } from './context';
import { setHandle } from './handle';
import { appRouter } from './root';

const calls: string[] = [];
/** The engine side is not under test here: a recording EngineApi whose detach fails like the engine does. */
const engine = {
  snapshot: async () => ({
    mode: 'streaming_replication',
    primaryNodeId: -1,
    mainNodeId: -1,
    nodes: [],
    failoverInProgress: false,
    recoveryInProgress: false,
    clientSessions: { active: 0, max: 32 },
    startedAt: new Date(),
    version: 'test',
  }),
  events: async (): Promise<EngineEvent[]> => [],
  subscribe: () => () => undefined,
  detachNode: async (id: number, req: { actor: { name: string } }) => {
    calls.push(`detach ${id} by ${req.actor.name}`);
    if (id > 2) throw new EngineError('node_not_found', `node ${id} does not exist`);
  },
} as unknown as EngineApi;

let store: Store;
const dir = mkdtempSync(join(tmpdir(), 'pgwarden-api-'));
let viewerToken = '';

async function call(
  path: string,
  opts: { input?: unknown; mutation?: boolean; cookie?: string; csrf?: boolean; bearer?: string } = {},
): Promise<{
  status: number;
  body: {
    result?: { data: unknown };
    error?: { json: { data: { code: string; engineCode: string | null } } };
  };
  setCookie: string | null;
}> {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (opts.cookie) headers.set('cookie', opts.cookie);
  if (opts.csrf) headers.set('x-pgwarden-csrf', '1');
  if (opts.bearer) headers.set('authorization', `Bearer ${opts.bearer}`);
  const input = opts.input === undefined ? undefined : JSON.stringify(superjson.serialize(opts.input));
  const url = `http://localhost/api/trpc/${path}${!opts.mutation && input ? `?input=${encodeURIComponent(input)}` : ''}`;
  const req = new Request(url, {
    method: opts.mutation ? 'POST' : 'GET',
    headers,
    body: opts.mutation ? (input ?? '{}') : undefined,
  });
  const res = await fetchRequestHandler({ endpoint: '/api/trpc', req, router: appRouter, createContext });
  return { status: res.status, body: (await res.json()) as never, setCookie: res.headers.get('set-cookie') };
}

beforeAll(async () => {
  store = await openStore(resolveStoreLocation('', dir));
  await migrateStore(store);
  await upsertUser(store.client, 'vera', 'viewer-pass', 'viewer');
  viewerToken = await createApiToken(store.client, 'monitoring', 'viewer');
  const md5 = createHash('md5').update('s3cret').digest('hex');
  setHandle({
    engine,
    proxyPort: 0,
    services: createControlPlane({
      db: store.client,
      pcpUsers: () => [{ user: 'admin', md5 }],
      sessionSecret: loadSessionSecret(dir),
    }),
  });
});

afterAll(async () => {
  setHandle(undefined);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const cookieOf = (setCookie: string | null): string => setCookie!.split(';')[0]!;

describe('tRPC control plane', () => {
  it('refuses reads without a session', async () => {
    const r = await call('cluster.snapshot');
    expect(r.status).toBe(401);
  });

  it('needs the CSRF header to sign in, then sets an HttpOnly SameSite=Strict cookie', async () => {
    expect(
      (await call('auth.login', { mutation: true, input: { name: 'admin', password: 's3cret' } })).status,
    ).toBe(403);
    const bad = await call('auth.login', {
      mutation: true,
      csrf: true,
      input: { name: 'admin', password: 'nope' },
    });
    expect(bad.status).toBe(401);
    const ok = await call('auth.login', {
      mutation: true,
      csrf: true,
      input: { name: 'admin', password: 's3cret' },
    });
    expect(ok.status).toBe(200);
    expect(ok.setCookie).toMatch(/^pgwarden_session=.+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const me = await call('auth.me', { cookie: cookieOf(ok.setCookie) });
    expect(superjson.deserialize(me.body.result!.data as never)).toEqual({ name: 'admin', role: 'operator' });
  });

  it('lets operators detach, maps engine errors through the table, and requires CSRF on mutations', async () => {
    const login = await call('auth.login', {
      mutation: true,
      csrf: true,
      input: { name: 'admin', password: 's3cret' },
    });
    const cookie = cookieOf(login.setCookie);
    expect((await call('nodes.detach', { mutation: true, cookie, input: { nodeId: 1 } })).status).toBe(403);
    expect(
      (await call('nodes.detach', { mutation: true, cookie, csrf: true, input: { nodeId: 1 } })).status,
    ).toBe(200);
    const missing = await call('nodes.detach', { mutation: true, cookie, csrf: true, input: { nodeId: 9 } });
    expect(missing.status).toBe(404);
    expect(missing.body.error!.json.data).toMatchObject({ code: 'NOT_FOUND', engineCode: 'node_not_found' });
    expect(calls).toEqual(['detach 1 by admin', 'detach 9 by admin']);
  });

  it('keeps viewers to reads', async () => {
    const login = await call('auth.login', {
      mutation: true,
      csrf: true,
      input: { name: 'vera', password: 'viewer-pass' },
    });
    const cookie = cookieOf(login.setCookie);
    expect((await call('cluster.snapshot', { cookie })).status).toBe(200);
    expect(
      (await call('nodes.detach', { mutation: true, cookie, csrf: true, input: { nodeId: 1 } })).status,
    ).toBe(403);
  });

  it('accepts bearer API tokens without the CSRF header, and rejects forged cookies', async () => {
    expect((await call('cluster.snapshot', { bearer: viewerToken })).status).toBe(200);
    expect((await call('cluster.snapshot', { bearer: 'pgw_wrong' })).status).toBe(401);
    expect(
      (await call('nodes.detach', { mutation: true, bearer: viewerToken, input: { nodeId: 1 } })).status,
    ).toBe(403);
    const forged = Buffer.from(
      JSON.stringify({ n: 'x', r: 'operator', s: 'pcp', e: Date.now() + 1e6 }),
    ).toString('base64url');
    expect(
      (await call('cluster.snapshot', { cookie: `pgwarden_session=${forged}.${'0'.repeat(64)}` })).status,
    ).toBe(401);
  });
});
