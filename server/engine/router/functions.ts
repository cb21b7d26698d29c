/**
 * Writing functions (reference §4.4): `read_only_function_list` / `write_function_list` are comma-separated POSIX
 * regexes, anchored `^…$`, case-insensitive, matched against the function name as written (a schema-qualified name
 * is also tried without its schema, so `f1` matches `public.f1()`, while `public.f2` only matches the qualified call).
 * If read_only_function_list is non-empty, any function not in it is writing; else if write_function_list is non-empty,
 * a function in it is writing; when both are empty (4.3 default) `pg_proc.provolatile = 'v'` means writing.
 */
import type { Logger } from '../runtime/logger';
import type { FunctionVolatility } from './types';

export type Volatility = 'v' | 's' | 'i';

export interface FunctionPolicy {
  /** 'lists': decided by the configured lists; 'catalog': pg_proc volatility. */
  mode: 'read_only_list' | 'write_list' | 'catalog';
  /** true = writing, false = read-only, undefined = needs pg_proc (mode 'catalog' only). */
  isWriting(name: string, known?: Volatility | null): boolean | undefined;
}

/**
 * Used when no pg_proc lookup is injected: pg_catalog functions that change data or take locks, so that at least
 * `SELECT nextval('s')` never reaches a standby. The catalogue answer, when available, replaces this guess.
 */
export const BUILTIN_WRITING_FUNCTIONS = new Set([
  'nextval',
  'setval',
  'lo_create',
  'lo_creat',
  'lo_import',
  'lo_unlink',
  'lo_put',
  'lo_from_bytea',
  'lo_truncate',
  'lo_open',
  'lo_write',
  'pg_advisory_lock',
  'pg_advisory_xact_lock',
  'pg_try_advisory_lock',
  'pg_try_advisory_xact_lock',
  'pg_advisory_lock_shared',
  'pg_advisory_xact_lock_shared',
  'txid_current',
  'pg_current_xact_id',
  'pg_notify',
  'pg_create_restore_point',
  'pg_switch_wal',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_logical_emit_message',
  'pg_create_physical_replication_slot',
  'pg_create_logical_replication_slot',
  'pg_drop_replication_slot',
  'pg_sequence_last_value',
  'dblink_exec',
]);

export function compilePatterns(list: string[], param: string, logger?: Logger): RegExp[] {
  const out: RegExp[] = [];
  for (const raw of list) {
    const p = raw.trim();
    if (p === '') continue;
    try {
      out.push(new RegExp(`^(?:${p})$`, 'i'));
    } catch (e) {
      logger?.warn(`${param}: invalid regular expression "${p}" ignored`, { error: String(e) });
    }
  }
  return out;
}

function matchesAny(patterns: RegExp[], name: string): boolean {
  if (patterns.some((re) => re.test(name))) return true;
  const dot = name.lastIndexOf('.');
  return dot >= 0 && patterns.some((re) => re.test(name.slice(dot + 1)));
}

export function createFunctionPolicy(
  readOnlyList: string[],
  writeList: string[],
  logger?: Logger,
): FunctionPolicy {
  const readOnly = compilePatterns(readOnlyList, 'read_only_function_list', logger);
  const write = compilePatterns(writeList, 'write_function_list', logger);
  if (readOnly.length > 0) return { mode: 'read_only_list', isWriting: (n) => !matchesAny(readOnly, n) };
  if (write.length > 0) return { mode: 'write_list', isWriting: (n) => matchesAny(write, n) };
  return {
    mode: 'catalog',
    isWriting: (n, known) => (known === undefined ? undefined : known === 'v'),
  };
}

/** Minimal client shape (a node-postgres `Client` or pooled client fits). */
export interface CatalogClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  release?(): void;
  end?(): Promise<void>;
}

const RANK: Record<Volatility, number> = { i: 0, s: 1, v: 2 };
const PER_DATABASE_LIMIT = 10_000;

/**
 * pg_proc volatility through a connection to the primary, cached per database (pgpool keeps the same answers in its
 * relcache). Overloads: the most volatile one counts, as any of them may be the one called. A name that is not found
 * is absent from the result (pgpool then treats the call as read-only).
 */
export function createPgProcVolatility(
  connect: (database: string) => Promise<CatalogClient>,
): FunctionVolatility {
  const cache = new Map<string, Map<string, Volatility | null>>();
  const sql =
    'SELECT n.nspname, p.proname, p.provolatile, pg_catalog.pg_function_is_visible(p.oid) AS visible ' +
    'FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = ANY($1)';
  return {
    async lookup(names, database) {
      let db = cache.get(database);
      if (!db) cache.set(database, (db = new Map<string, Volatility | null>()));
      const missing = names.filter((n) => !db.has(n));
      if (missing.length > 0) {
        const bare = [...new Set(missing.map((n) => n.slice(n.lastIndexOf('.') + 1)))];
        const client = await connect(database);
        try {
          const { rows } = await client.query(sql, [bare]);
          if (db.size + missing.length > PER_DATABASE_LIMIT) db.clear();
          for (const name of missing) {
            const dot = name.lastIndexOf('.');
            const schema = dot >= 0 ? name.slice(0, dot) : null;
            const fn = name.slice(dot + 1);
            let best: Volatility | null = null;
            for (const r of rows) {
              if (r.proname !== fn) continue;
              if (schema !== null ? r.nspname !== schema : r.visible !== true) continue;
              const v = String(r.provolatile) as Volatility;
              if (v in RANK && (best === null || RANK[v] > RANK[best])) best = v;
            }
            db.set(name, best);
          }
        } finally {
          // A pooled client goes back to its pool; a plain Client is closed.
          if (client.release) client.release();
          else await client.end?.();
        }
      }
      const out = new Map<string, Volatility>();
      for (const n of names) {
        const v = db.get(n);
        if (v) out.set(n, v);
      }
      return out;
    },
    invalidate(database) {
      if (database === undefined) cache.clear();
      else cache.delete(database);
    },
  };
}
