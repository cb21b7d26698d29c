import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents, recordEvent } from '../events/events';
import { openStore, resolveStoreLocation, type Store } from './client';
import { migrateStore, splitStatements } from './migrate';

describe('store (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-store-'));
  let store: Store;
  beforeAll(async () => {
    store = await openStore(resolveStoreLocation('', dir));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves store_url', () => {
    expect(resolveStoreLocation('', '/var/lib/pgwarden')).toEqual({
      provider: 'sqlite',
      url: '/var/lib/pgwarden/pgwarden.db',
    });
    expect(resolveStoreLocation('file:store.db', '/d')).toEqual({ provider: 'sqlite', url: '/d/store.db' });
    expect(resolveStoreLocation('postgresql://u@h/db', '/d').provider).toBe('postgresql');
  });

  it('applies migrations once', async () => {
    expect(await migrateStore(store)).toEqual(['20261122000000_init']);
    expect(await migrateStore(store)).toEqual([]);
  });

  it('records and lists events newest first with filters', async () => {
    const base = {
      reason: null,
      outcome: 'info' as const,
      actor: { name: 'pgwarden', interface: 'engine' as const },
    };
    await recordEvent(store.client, {
      ...base,
      id: 1,
      time: new Date('2026-01-01T00:00:00Z'),
      kind: 'engine_started',
      nodeId: null,
      summary: 'started',
    });
    await recordEvent(store.client, {
      ...base,
      id: 2,
      time: new Date('2026-01-01T00:01:00Z'),
      kind: 'node_status_changed',
      nodeId: 1,
      summary: 'node 1 up -> down',
      reason: { code: 'health_check_failed', message: 'connection refused', details: { attempts: 3 } },
      details: { from: 'up', to: 'down' },
    });
    const all = await listEvents(store.client);
    expect(all.map((e) => e.engineEventId)).toEqual([2, 1]);
    expect(all[0]).toMatchObject({
      kind: 'node_status_changed',
      nodeId: 1,
      reason: { code: 'health_check_failed', message: 'connection refused' },
      details: { from: 'up', to: 'down', reason: { attempts: 3 } },
    });
    expect(all[0]!.time.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect((await listEvents(store.client, { nodeId: 1 })).length).toBe(1);
    expect((await listEvents(store.client, { kind: ['engine_started'] })).length).toBe(1);
    expect((await listEvents(store.client, { since: new Date('2026-01-01T00:00:30Z') })).length).toBe(1);
  });

  it('splits statements on line-ending semicolons, skipping comments', () => {
    expect(splitStatements('-- c\nCREATE TABLE a (x TEXT);\nCREATE INDEX i ON a(x);\n')).toEqual([
      'CREATE TABLE a (x TEXT)',
      'CREATE INDEX i ON a(x)',
    ]);
  });
});
