/**
 * insert_lock (reference §4.3): concurrent INSERTs into a table with a `nextval` default must take their sequence
 * values in the same order on every node, so they are serialised. Inside the internal transaction, before the
 * INSERT: with `pgpool_catalog.insert_lock` present, a row lock on the table's row there, on the main node only;
 * otherwise `LOCK TABLE <t> IN SHARE ROW EXCLUSIVE MODE` on every node.
 *
 * A comment at the start of the statement overrides the setting: `/*INSERT LOCK*\/` locks (the table lock, as
 * pgpool), `/*NO INSERT LOCK*\/` does not.
 */
import { parseSync } from 'libpg-query';

/** pgpool's SERIAL detection (relcache), with the table as a parameter. */
export const NEXTVAL_DEFAULT_SQL =
  "SELECT count(*) FROM pg_catalog.pg_attrdef AS d, pg_catalog.pg_class AS c WHERE d.adrelid = c.oid AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) ~ 'nextval' AND c.oid = pg_catalog.to_regclass($1)";
export const INSERT_LOCK_TABLE_SQL =
  "SELECT pg_catalog.to_regclass('pgpool_catalog.insert_lock') IS NOT NULL";

/** `via`: what the caller of decide() passed (the session connection to run the lookup on). */
export interface InsertLockLookups {
  /** NEXTVAL_DEFAULT_SQL > 0 for the table (quoted name as for to_regclass) in this database. */
  hasNextvalDefault(table: string, database: string, via?: unknown): Promise<boolean>;
  /** INSERT_LOCK_TABLE_SQL in this database. */
  hasInsertLockTable(database: string, via?: unknown): Promise<boolean>;
}

export interface LockStatement {
  sql: string;
  /** Every node (LOCK TABLE) or the main node only (row lock). */
  allNodes: boolean;
  /** Run on the main node when `sql` returned no row (the table has no row in pgpool_catalog.insert_lock yet). */
  whenNoRows?: LockStatement[];
}

export interface InsertLockDecision {
  lock: boolean;
  /** e.g. "insert_lock: table t has a nextval default", "/*NO INSERT LOCK*\/ comment". */
  why: string;
  statements: LockStatement[];
}

const SIMPLE_IDENT = /^[a-z_][a-z0-9_$]*$/;
const quoteIdent = (s: string): string => (SIMPLE_IDENT.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The comment override at the start of the statement. */
export function insertLockComment(sql: string): 'lock' | 'no_lock' | null {
  const m = /^\s*\/\*\s*(NO\s+)?INSERT\s+LOCK\s*\*\//i.exec(sql);
  if (!m) return null;
  return m[1] ? 'no_lock' : 'lock';
}

/**
 * `INSERT INTO name` or `schema.name` with unquoted identifiers, and no `;` before the end: the target without a
 * parse (a parse costs more than the rest of the decision; every replicated INSERT asks).
 */
const PLAIN_INSERT = /^\s*insert\s+into\s+([a-z_][a-z0-9_$]*)(?:\s*\.\s*([a-z_][a-z0-9_$]*))?(?=[\s(])/i;

/** The INSERT's target as a quoted, possibly qualified name (`s."T"`); null when not a single INSERT. */
export function insertTarget(sql: string): string | null {
  const plain = PLAIN_INSERT.exec(sql);
  const semi = sql.indexOf(';');
  if (plain && (semi < 0 || /^;\s*$/.test(sql.slice(semi))))
    return (plain[2] ? [plain[1]!, plain[2]] : [plain[1]!]).map((p) => p.toLowerCase()).join('.');
  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch {
    return null;
  }
  const t = tree as {
    stmts?: { stmt?: { InsertStmt?: { relation?: { schemaname?: string; relname?: string } } } }[];
  };
  if (t.stmts?.length !== 1) return null;
  const rel = t.stmts[0]?.stmt?.InsertStmt?.relation;
  if (!rel?.relname) return null;
  return [rel.schemaname, rel.relname]
    .filter((p): p is string => !!p)
    .map(quoteIdent)
    .join('.');
}

/** The statements that take the lock for `table` (a quoted name). */
export function lockStatements(table: string, insertLockTable: boolean): LockStatement[] {
  if (!insertLockTable) return [{ sql: `LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`, allNodes: true }];
  const reloid = `pg_catalog.to_regclass(${quoteLiteral(table)})`;
  const rowLock = `SELECT 1 FROM pgpool_catalog.insert_lock WHERE reloid = ${reloid} FOR UPDATE`;
  return [
    {
      sql: rowLock,
      allNodes: false,
      whenNoRows: [
        { sql: 'LOCK TABLE pgpool_catalog.insert_lock IN SHARE ROW EXCLUSIVE MODE', allNodes: false },
        {
          sql: `INSERT INTO pgpool_catalog.insert_lock SELECT ${reloid} WHERE NOT EXISTS (SELECT reloid FROM pgpool_catalog.insert_lock WHERE reloid = ${reloid})`,
          allNodes: false,
        },
        { sql: rowLock, allNodes: false },
      ],
    },
  ];
}

export interface InsertLockOptions {
  /** The insert_lock parameter (pgpool code default on). */
  insertLock: boolean;
  lookups: InsertLockLookups;
  cacheSize?: number;
}

export interface InsertLocker {
  /** Decision for a statement already known to be an INSERT replicated to several nodes (`via`: for lookups). */
  decide(sql: string, database: string, via?: unknown): Promise<InsertLockDecision>;
  /** Forget cached answers (DDL on a table, CREATE/DROP of pgpool_catalog.insert_lock). */
  invalidate(database?: string): void;
}

const NO_LOCK = (why: string): InsertLockDecision => ({ lock: false, why, statements: [] });

export function createInsertLocker(opts: InsertLockOptions): InsertLocker {
  const serial = new Map<string, Promise<boolean>>();
  const lockTable = new Map<string, Promise<boolean>>();
  const max = opts.cacheSize ?? 1000;
  const cached = (m: Map<string, Promise<boolean>>, key: string, load: () => Promise<boolean>) => {
    let p = m.get(key);
    if (!p) {
      p = load().catch((e: unknown) => {
        m.delete(key);
        throw e;
      });
      if (m.size >= max) m.delete(m.keys().next().value!);
      m.set(key, p);
    }
    return p;
  };
  const tableLockKind = (database: string, via: unknown) =>
    cached(lockTable, database, () => opts.lookups.hasInsertLockTable(database, via));
  return {
    async decide(sql, database, via) {
      const comment = insertLockComment(sql);
      if (comment === 'no_lock') return NO_LOCK('/*NO INSERT LOCK*/ comment');
      const table = insertTarget(sql);
      if (!table) return NO_LOCK('not a single INSERT');
      if (comment === 'lock')
        return { lock: true, why: '/*INSERT LOCK*/ comment', statements: lockStatements(table, false) };
      if (!opts.insertLock) return NO_LOCK('insert_lock = off');
      const hasSerial = await cached(serial, `${database}\0${table}`, () =>
        opts.lookups.hasNextvalDefault(table, database, via),
      );
      if (!hasSerial) return NO_LOCK(`insert_lock: table ${table} has no nextval default`);
      return {
        lock: true,
        why: `insert_lock: table ${table} has a nextval default`,
        statements: lockStatements(table, await tableLockKind(database, via)),
      };
    },
    invalidate(database) {
      if (database === undefined) {
        serial.clear();
        lockTable.clear();
        return;
      }
      lockTable.delete(database);
      for (const k of [...serial.keys()]) if (k.startsWith(`${database}\0`)) serial.delete(k);
    },
  };
}
