import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSnapshot, EngineApi } from './engine/api';
import type { BackendConfig } from './engine/config/types';
import { EngineError, isEngineError } from './engine/errors';
import { ClusterState } from './engine/state/cluster-state';
import type { EngineEvent } from './engine/state/types';
import { createEngineClient, resolveWorkerEntry } from './engine-client';
import { serveEngineApi } from './engine/worker';

const backend = (id: number): BackendConfig => ({
  id,
  hostname: '127.0.0.1',
  port: 5432 + id,
  weight: 1,
  data_directory: `/data/${id}`,
  flag: { allowToFailover: true, alwaysPrimary: false },
  application_name: `node${id}`,
  health_check: {
    period: 0,
    timeout: 20,
    user: '',
    password: '',
    database: '',
    max_retries: 0,
    retry_delay: 1,
    connect_timeout: 10000,
  },
});

/** Test double of the engine's API surface over the real ClusterState: exercises the transport, not the engine. */
function apiOver(state: ClusterState): EngineApi {
  const notHere = (): Promise<never> =>
    Promise.reject(new EngineError('not_implemented', 'not in this test'));
  return {
    snapshot: async (): Promise<ClusterSnapshot> => ({
      mode: state.mode,
      primaryNodeId: state.primaryNodeId,
      mainNodeId: state.mainNodeId,
      nodes: state.nodes,
      failoverInProgress: false,
      recoveryInProgress: false,
      clientSessions: { active: 0, max: 32 },
      startedAt: new Date(0),
      version: 'test',
    }),
    events: async (opts) => state.events(opts),
    subscribe: (l) => state.subscribe(l),
    detachNode: async (id, req) => {
      if (!state.node(id))
        throw new EngineError('node_not_found', `node ${id} does not exist`, { details: { nodeId: id } });
      state.setStatus(id, 'down', { code: 'admin_detach', message: req.reason ?? 'detached' }, req.actor);
    },
    attachNode: notHere,
    promoteNode: notHere,
    setWeight: async (id, w, req) => state.setWeight(id, w, req.actor, req.reason),
    startRecovery: notHere,
    recoveryRun: notHere,
    recoveryRuns: notHere,
    cancelRecovery: notHere,
    sessions: notHere,
    pools: notHere,
    healthCheckStats: notHere,
    metrics: notHere,
    effectiveConfig: async () => ({ bad: () => 1 }),
    reload: notHere,
    shutdown: async () => undefined,
  };
}

describe('engine client over a MessagePort', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => channels.splice(0).forEach((c) => (c.port1.close(), c.port2.close())));

  const connect = () => {
    const state = new ClusterState('streaming_replication', [backend(0), backend(1)]);
    state.setPrimary(0, null);
    const ch = new MessageChannel();
    channels.push(ch);
    const stop = serveEngineApi(ch.port1, apiOver(state));
    return { state, client: createEngineClient(ch.port2), stop };
  };

  it('returns snapshots with Dates intact', async () => {
    const { client } = connect();
    const snap = await client.snapshot();
    expect(snap.primaryNodeId).toBe(0);
    expect(snap.nodes.map((n) => n.role)).toEqual(['primary', 'standby']);
    expect(snap.nodes[0]!.lastStatusChange).toBeInstanceOf(Date);
  });

  it('re-creates engine errors with their code, message and details', async () => {
    const { client } = connect();
    const err: unknown = await client
      .detachNode(7, { actor: { name: 'alice', interface: 'dashboard' } })
      .catch((e: unknown) => e);
    expect(isEngineError(err)).toBe(true);
    expect(err).toMatchObject({
      code: 'node_not_found',
      message: 'node 7 does not exist',
      details: { nodeId: 7 },
    });
  });

  it('reports a value that cannot cross the boundary as an internal error, not a hang', async () => {
    const { client } = connect();
    await expect(client.effectiveConfig()).rejects.toMatchObject({ code: 'internal' });
  });

  it('forwards the event stream to every subscriber and stops on unsubscribe', async () => {
    const { client } = connect();
    const a: EngineEvent[] = [];
    const b: EngineEvent[] = [];
    const offA = client.subscribe((e) => a.push(e));
    client.subscribe((e) => b.push(e));
    await client.detachNode(1, { actor: { name: 'alice', interface: 'dashboard' }, reason: 'maintenance' });
    await client.setWeight(0, 3, { actor: { name: 'alice', interface: 'dashboard' } });
    offA();
    await client.setWeight(0, 4, { actor: { name: 'alice', interface: 'dashboard' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(a.map((e) => e.kind)).toEqual(['node_status_changed', 'weight_changed']);
    expect(b.map((e) => e.kind)).toEqual(['node_status_changed', 'weight_changed', 'weight_changed']);
    expect(a[0]).toMatchObject({
      nodeId: 1,
      actor: { name: 'alice' },
      reason: { code: 'admin_detach', message: 'maintenance' },
    });
    expect(a[0]!.time).toBeInstanceOf(Date);
  });

  it('fails calls in flight when closed', async () => {
    const { client, stop } = connect();
    stop(); // the serving side goes away: nothing will answer
    const p = client.snapshot();
    client.close('test over');
    await expect(p).rejects.toMatchObject({ code: 'backend_unavailable' });
  });
});

describe('worker entry resolution', () => {
  it('uses the TypeScript worker from source and the bundled one from dist/', () => {
    expect(resolveWorkerEntry().pathname).toMatch(/server\/engine\/worker\.ts$/);
    expect(() => resolveWorkerEntry('file:///nonexistent/dist/cli.js')).toThrow(/engine worker not found/);
  });
});
