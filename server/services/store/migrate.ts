/**
 * Applies prisma/migrations/<name>/migration.sql (SQLite) or prisma/postgresql/migrations/<name>/migration.sql
 * (PostgreSQL) at start-up, in name order, each once: applied names are kept in _pgwarden_migrations. Plain SQL
 * instead of `prisma migrate deploy` because the Prisma schema engine binary is not shipped where pgwarden runs.
 * Each file runs in one transaction (DDL is transactional in both SQLite and PostgreSQL).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prismaDir, type Store } from './client';

export interface MigrationFile {
  name: string;
  sql: string;
}

export function migrationsDir(provider: Store['provider'], root: string = prismaDir()): string {
  return provider === 'postgresql' ? join(root, 'postgresql', 'migrations') : join(root, 'migrations');
}

export function readMigrations(dir: string): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name, 'migration.sql'), 'utf8') }));
}

/** Splits a migration into statements: our files hold no procedural bodies, so `;` at a line end ends one. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Returns the names of the migrations applied now (empty when the store was up to date). */
export async function migrateStore(
  store: Store,
  dir: string = migrationsDir(store.provider),
): Promise<string[]> {
  const db = store.client;
  const ts = store.provider === 'postgresql' ? 'TIMESTAMP(3)' : 'DATETIME';
  await db.$executeRawUnsafe(
    `CREATE TABLE IF NOT EXISTS "_pgwarden_migrations" ("name" TEXT NOT NULL PRIMARY KEY, "applied_at" ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
  );
  const rows = await db.$queryRawUnsafe<{ name: string }[]>('SELECT "name" FROM "_pgwarden_migrations"');
  const done = new Set(rows.map((r) => r.name));
  const applied: string[] = [];
  for (const m of readMigrations(dir)) {
    if (done.has(m.name)) continue;
    await db.$transaction(async (tx) => {
      for (const statement of splitStatements(m.sql)) await tx.$executeRawUnsafe(statement);
      const param = store.provider === 'postgresql' ? '$1' : '?';
      await tx.$executeRawUnsafe(`INSERT INTO "_pgwarden_migrations" ("name") VALUES (${param})`, m.name);
    });
    applied.push(m.name);
  }
  return applied;
}
