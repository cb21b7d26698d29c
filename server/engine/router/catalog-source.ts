/**
 * The router's own catalogue connections to the current primary (reference §4.4: pgpool asks pg_proc / pg_class
 * there). One small pg.Pool per database (at most 2 connections, closed after 10 s idle), as `sr_check_user` (its
 * password from `sr_check_password` or pool_passwd), so a lookup costs one query once a connection exists. Pools are
 * dropped when the primary changes and when the engine stops.
 *
 * Lookups are rare: function volatility is cached per database (pg_catalog functions are loaded once, `loadBuiltins`),
 * relation persistence per database (unlogged) or per session (temporary), so nothing here is on the hot path of a
 * statement whose facts are already known.
 */
import pg from 'pg';
import type { PgwardenConfig } from '../config/types';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import type { CatalogClient, Volatility } from './functions';
import { regclassText } from './relations';
import type { RelationLookup } from './types';

const POOL_MAX = 2;
const IDLE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** After a failed connection attempt, lookups fail at once for this long (no connection storm per statement). */
export const CATALOG_BACKOFF_MS = 10_000;

export interface CatalogSource {
  connect(database: string): Promise<CatalogClient>;
  /** Drop every connection (primary changed, engine stopping). */
  reset(): Promise<void>;
}

export interface CatalogSourceOptions {
  config: () => Pick<PgwardenConfig, 'sr_check_user' | 'sr_check_password'>;
  state: ClusterState;
  /** pool_passwd lookup for an empty sr_check_password. */
  password?: (user: string) => string | undefined;
  logger?: Logger;
}

export function createCatalogSource(opts: CatalogSourceOptions): CatalogSource {
  let pools = new Map<string, pg.Pool>();
  let poolsFor = -1;
  let failedUntil = 0;
  let lastError = '';
  const endAll = (old: Map<string, pg.Pool>): Promise<void> =>
    Promise.all([...old.values()].map((p) => p.end().catch(() => undefined))).then(() => undefined);
  return {
    async connect(database) {
      if (Date.now() < failedUntil) throw new Error(`catalogue connection failed recently: ${lastError}`);
      const primary = opts.state.effectivePrimaryId;
      const node = opts.state.node(primary);
      if (!node) throw new Error('no primary node for a catalogue lookup');
      if (primary !== poolsFor) {
        void endAll(pools);
        pools = new Map();
        poolsFor = primary;
      }
      let pool = pools.get(database);
      if (!pool) {
        const c = opts.config();
        pool = new pg.Pool({
          host: node.hostname === '' ? '/tmp' : node.hostname,
          port: node.port,
          user: c.sr_check_user,
          password: c.sr_check_password !== '' ? c.sr_check_password : opts.password?.(c.sr_check_user),
          database,
          max: POOL_MAX,
          idleTimeoutMillis: IDLE_MS,
          allowExitOnIdle: true,
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
          application_name: 'pgwarden catalog',
        });
        // A connection killed while idle (failover, pg_terminate_backend) must not crash the engine.
        pool.on('error', (e) => opts.logger?.debug(`catalogue connection error: ${e.message}`));
        pools.set(database, pool);
      }
      try {
        return await pool.connect();
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
        failedUntil = Date.now() + CATALOG_BACKOFF_MS;
        throw e;
      }
    },
    async reset() {
      failedUntil = 0;
      const old = pools;
      pools = new Map();
      poolsFor = -1;
      await endAll(old);
    },
  };
}

/** Every pg_catalog function name with its most volatile overload ('i' < 's' < 'v' also sorts so). */
export const BUILTIN_VOLATILITY_QUERY =
  'SELECT p.proname, max(p.provolatile::text) AS provolatile FROM pg_catalog.pg_proc p ' +
  "WHERE p.pronamespace = 'pg_catalog'::regnamespace GROUP BY p.proname";

export async function loadBuiltinVolatility(
  source: CatalogSource,
  database: string,
): Promise<Map<string, Volatility>> {
  const client = await source.connect(database);
  try {
    const { rows } = await client.query(BUILTIN_VOLATILITY_QUERY);
    const out = new Map<string, Volatility>();
    for (const r of rows) {
      const v = String(r.provolatile);
      if (typeof r.proname === 'string' && (v === 'v' || v === 's' || v === 'i')) out.set(r.proname, v);
    }
    return out;
  } finally {
    client.release?.();
  }
}

/**
 * relpersistence as seen from a catalogue connection (not the session's own): a schema-less or pg_temp name is 't'
 * when *any* session has a temporary table of that name (the session's own temp schema is not visible from here, so
 * this errs towards the primary, which is always correct), otherwise the persistence of what to_regclass finds.
 */
export const CATALOG_PERSISTENCE_QUERY =
  'SELECT n.name, CASE WHEN n.tempable AND EXISTS (SELECT 1 FROM pg_catalog.pg_class t ' +
  'JOIN pg_catalog.pg_namespace s ON s.oid = t.relnamespace ' +
  "WHERE t.relname = n.bare AND t.relpersistence = 't' AND s.nspname LIKE 'pg\\_temp\\_%') THEN 't' " +
  'ELSE (SELECT c.relpersistence::text FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(n.regname)) END ' +
  'AS relpersistence FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), ' +
  'pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::bool[])) AS n(name, regname, bare, tempable)';

export function createCatalogRelationLookup(source: CatalogSource, database: string): RelationLookup {
  return {
    async persistence(names) {
      const bare = names.map((n) => n.slice(n.lastIndexOf('.') + 1));
      const tempable = names.map((n) => {
        const dot = n.lastIndexOf('.');
        const schema = dot >= 0 ? n.slice(0, dot).toLowerCase() : '';
        return schema === '' || schema === 'pg_temp' || schema.startsWith('pg_temp_');
      });
      const client = await source.connect(database);
      try {
        const { rows } = await client.query(CATALOG_PERSISTENCE_QUERY, [
          names,
          names.map(regclassText),
          bare,
          tempable,
        ]);
        const out = new Map<string, 'p' | 'u' | 't'>();
        for (const r of rows) {
          const p = r.relpersistence;
          if (typeof r.name === 'string' && (p === 'p' || p === 'u' || p === 't')) out.set(r.name, p);
        }
        return out;
      } finally {
        client.release?.();
      }
    },
  };
}
