/**
 * Opens the control plane's store: SQLite (better-sqlite3 driver adapter) under data_directory by default, or
 * PostgreSQL (pg driver adapter) when store_url is a postgres:// URL. Prisma 7 compiles a client per provider, so each
 * provider has its generated client (prisma/generated/{sqlite,postgresql}); both are built from the same models and
 * are used through one type, StoreClient.
 *
 * Only the process entry (server/main.ts) opens the store. Next route code receives the services through the handle on
 * globalThis and never imports this file, so Next never bundles Prisma (ARCHITECTURE.md rule 1).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '../../../prisma/generated/sqlite/client';

export type StoreClient = PrismaClient;

export type StoreProvider = 'sqlite' | 'postgresql';

export interface StoreLocation {
  provider: StoreProvider;
  /** SQLite file path, or the PostgreSQL connection string. */
  url: string;
}

export interface Store {
  provider: StoreProvider;
  client: StoreClient;
  close(): Promise<void>;
}

/**
 * store_url: '' (default: <data_directory>/pgwarden.db), 'file:<path>' or a bare path (SQLite; relative paths are
 * taken from data_directory), 'postgres://' or 'postgresql://' (PostgreSQL), ':memory:' (tests).
 */
export function resolveStoreLocation(storeUrl: string, dataDirectory: string): StoreLocation {
  const url = storeUrl.trim();
  if (/^postgres(ql)?:\/\//i.test(url)) return { provider: 'postgresql', url };
  if (url === ':memory:') return { provider: 'sqlite', url };
  const path = url === '' ? 'pgwarden.db' : url.replace(/^file:/i, '');
  return { provider: 'sqlite', url: isAbsolute(path) ? path : resolve(dataDirectory || '.', path) };
}

export async function openStore(location: StoreLocation): Promise<Store> {
  if (location.provider === 'postgresql') {
    const [{ PrismaClient: PgClient }, { PrismaPg }] = await Promise.all([
      import('../../../prisma/generated/postgresql/client'),
      import('@prisma/adapter-pg'),
    ]);
    const client = new PgClient({ adapter: new PrismaPg({ connectionString: location.url, max: 4 }) });
    // Same models, other provider: the PostgreSQL client is a structural superset of the SQLite one.
    return wrap('postgresql', client as unknown as StoreClient);
  }
  if (location.url !== ':memory:') mkdirSync(dirname(location.url), { recursive: true, mode: 0o700 });
  const [{ PrismaClient: SqliteClient }, { PrismaBetterSqlite3 }] = await Promise.all([
    import('../../../prisma/generated/sqlite/client'),
    import('@prisma/adapter-better-sqlite3'),
  ]);
  const client = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: location.url, timeout: 5000 }) });
  return wrap('sqlite', client);
}

function wrap(provider: StoreProvider, client: StoreClient): Store {
  return { provider, client, close: () => client.$disconnect() };
}

/** prisma/ holds the migrations; found by walking up from this module (server/services/store/ or dist/). */
export function prismaDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'prisma', 'migrations'))) return join(dir, 'prisma');
    dir = dirname(dir);
  }
  throw new Error(`prisma/migrations not found above ${from}`);
}
