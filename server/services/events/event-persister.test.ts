import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../engine/runtime/logger';
import { ClusterState } from '../../engine/state/cluster-state';
import { openStore, resolveStoreLocation, type Store } from '../store/client';
import { migrateStore } from '../store/migrate';
import { startEventPersister } from './event-persister';
import { listEvents } from './events';

describe('event persister', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-persist-'));
  let store: Store;
  beforeAll(async () => {
    store = await openStore(resolveStoreLocation('', dir));
    await migrateStore(store);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the events emitted before it started, then the live ones, each once and in order', async () => {
    const state = new ClusterState('streaming_replication', []);
    const emit = (summary: string) =>
      state.emit({ kind: 'admin_action', nodeId: null, summary, reason: null, outcome: 'ok' });
    emit('before 1');
    emit('before 2');
    const persister = startEventPersister(
      { subscribe: (l) => state.subscribe(l), events: async (o) => state.events(o) },
      store.client,
      silentLogger,
    );
    emit('live 3'); // arrives while the backfill is being read
    await new Promise((r) => setTimeout(r, 50));
    emit('live 4');
    await new Promise((r) => setTimeout(r, 200));
    await persister.stop();
    const stored = (await listEvents(store.client)).reverse();
    expect(stored.map((e) => e.summary)).toEqual(['before 1', 'before 2', 'live 3', 'live 4']);
    expect(persister.stats()).toMatchObject({ written: 4, failed: 0, dropped: 0, queued: 0 });
  });
});
