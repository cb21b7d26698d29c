/**
 * Timestamp rewriting for native replication (reference §4.3, pgpool `pool_timestamp.c`): every node must store the
 * same time, so `now()`, `CURRENT_TIMESTAMP`, `CURRENT_DATE`... in a write are replaced by the main node's
 * `SELECT now()` as a literal, `'<now>'::text::timestamptz` (or `::date`, `::timetz`, `::time`, `::timestamp`, with
 * the precision when written `CURRENT_TIME(3)`). Omitted INSERT columns whose DEFAULT is such a call are added with
 * the literal, and `DEFAULT` written for such a column is replaced (table defaults come from an injected lookup on
 * pg_attrdef, cached per database and table).
 *
 * Not rewritten (documented in README.md): extended-protocol Parse/Bind, INSERT ... SELECT and DEFAULT VALUES
 * omitting time-default columns, and time calls inside functions or triggers.
 *
 * Non-deterministic calls that no literal can fix (`random()`, `gen_random_uuid()`, `clock_timestamp()`...) get a
 * WARNING naming the statement, or the statement is refused with `replication_nondeterministic_functions = refuse`.
 */
import { loadModule } from 'libpg-query';
import type { ErrorSpec } from '../protocol/backend-builders';
import { TIME_WORDS, findSites, type StatementSites } from './timestamp-sites';

export interface ColumnDefault {
  column: string;
  /** pg_get_expr(adbin, adrelid), e.g. `now()`, `CURRENT_TIMESTAMP`, `nextval('t_id_seq'::regclass)`. */
  defaultExpr: string;
  /** 1-based position among the table's live columns (for INSERTs without a column list). */
  position: number;
}

/**
 * Column defaults of a table as the session sees it (`to_regclass(table)`); [] when unknown. `via`: what the caller
 * of prepare() passed (the session connection to run the lookup on).
 */
export type ColumnDefaultsLookup = (
  table: string,
  database: string,
  via?: unknown,
) => Promise<ColumnDefault[]>;

export type NondeterministicPolicy = 'warn' | 'refuse';

/** What to do with one statement. */
export interface PreparedRewrite {
  /** The statement needs the main node's now() (then `rewrite(now)`). */
  needsNow: boolean;
  rewrite(now: string): string;
  /** WARNING to send before the statement's answer (non-deterministic calls, policy warn). */
  warning: ErrorSpec | null;
  /** The statement must not run (policy refuse). */
  refusal: ErrorSpec | null;
}

/** SQL for the lookup: time and other defaults of a table with the column positions among live columns. */
export const COLUMN_DEFAULTS_SQL = `SELECT a.attname AS column, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS "defaultExpr",
  (SELECT count(*) FROM pg_catalog.pg_attribute b WHERE b.attrelid = a.attrelid AND b.attnum > 0
     AND NOT b.attisdropped AND b.attnum <= a.attnum)::int AS position
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`;

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const literal = (now: string, cast: string): string => `'${now.replace(/'/g, "''")}'::text${cast}`;

interface Edit {
  start: number;
  end: number;
  text: string;
}

function splice(sql: string, edits: Edit[]): string {
  const buf = Buffer.from(sql, 'utf8');
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    parts.push(buf.subarray(at, e.start), Buffer.from(e.text, 'utf8'));
    at = e.end;
  }
  parts.push(buf.subarray(at));
  return Buffer.concat(parts).toString('utf8');
}

const timeDefaults = new Map<string, ((now: string) => string) | null>();

/** A default expression rewritten for `now`, or null when it calls no time function (memoised). */
function timeDefault(expr: string): ((now: string) => string) | null {
  let f = timeDefaults.get(expr);
  if (f === undefined) {
    f = analyseDefault(expr);
    if (timeDefaults.size > 10_000) timeDefaults.clear();
    timeDefaults.set(expr, f);
  }
  return f;
}

function analyseDefault(expr: string): ((now: string) => string) | null {
  const prefix = 'SELECT ';
  const s = findSites(prefix + expr);
  if (!s || s.sites.length === 0) return null;
  const off = Buffer.byteLength(prefix);
  return (now) =>
    splice(
      expr,
      s.sites.map((x) => ({ start: x.start - off, end: x.end - off, text: literal(now, x.cast) })),
    );
}

/** Edits that fill omitted time-default columns and replace `DEFAULT` of such columns. */
function defaultEdits(s: StatementSites, defaults: ColumnDefault[], now: string): Edit[] {
  const timed = defaults
    .map((d) => ({ ...d, value: timeDefault(d.defaultExpr) }))
    .filter((d): d is ColumnDefault & { value: (now: string) => string } => d.value !== null);
  if (timed.length === 0) return [];
  const edits: Edit[] = [];
  for (const slot of s.defaults) {
    const d = timed.find((t) => (typeof slot.column === 'number' ? t.position : t.column) === slot.column);
    if (d) edits.push({ start: slot.start, end: slot.end, text: d.value(now) });
  }
  const ins = s.insert;
  if (!ins || ins.rowEnds.length === 0) return edits;
  if (ins.columns) {
    if (ins.columnListEnd === null) return edits;
    const missing = timed.filter((t) => !ins.columns!.includes(t.column));
    if (missing.length === 0) return edits;
    const names = missing.map((t) => `, ${quoteIdent(t.column)}`).join('');
    edits.push({ start: ins.columnListEnd, end: ins.columnListEnd, text: names });
    const values = missing.map((t) => `, ${t.value(now)}`).join('');
    for (const end of ins.rowEnds) edits.push({ start: end, end, text: values });
    return edits;
  }
  // No column list: VALUES fills positions 1..rowLength; extend the rows up to the last time default.
  const last = Math.max(...timed.map((t) => t.position));
  if (last <= ins.rowLength) return edits;
  const extra: string[] = [];
  for (let p = ins.rowLength + 1; p <= last; p++)
    extra.push(timed.find((t) => t.position === p)?.value(now) ?? 'DEFAULT');
  const text = extra.map((v) => `, ${v}`).join('');
  for (const end of ins.rowEnds) edits.push({ start: end, end, text });
  return edits;
}

/** Rewrites one statement's time calls (and time defaults) for the main node's `now`. */
export function rewriteTimestamps(
  sql: string,
  sites: StatementSites,
  now: string,
  defaults: ColumnDefault[] = [],
): string {
  const edits: Edit[] = sites.sites.map((x) => ({ start: x.start, end: x.end, text: literal(now, x.cast) }));
  edits.push(...defaultEdits(sites, defaults, now));
  return edits.length === 0 ? sql : splice(sql, edits);
}

export interface TimestampRewriterOptions {
  /** pg_attrdef lookup (COLUMN_DEFAULTS_SQL on the session's main connection); without it defaults are not filled. */
  columnDefaults?: ColumnDefaultsLookup;
  /** replication_nondeterministic_functions (default warn). */
  nondeterministic?: NondeterministicPolicy;
  /** Tables whose defaults are cached (per database), oldest dropped first. */
  cacheSize?: number;
}

export interface TimestampRewriter {
  /** Resolves once the parser is loaded. */
  readonly ready: Promise<void>;
  /**
   * Analyses a write about to be replicated; null when it needs nothing (the common case, decided cheaply). `via` is
   * handed to the column-defaults lookup.
   */
  prepare(sql: string, database: string, via?: unknown): Promise<PreparedRewrite | null>;
  /** Forget cached defaults (after DDL): of one table, of a database, or all. */
  invalidate(database?: string, table?: string): void;
}

const START_INSERT = /^\s*(\/\*[\s\S]*?\*\/\s*)*insert\b/i;

export function createTimestampRewriter(opts: TimestampRewriterOptions = {}): TimestampRewriter {
  const cache = new Map<string, Promise<ColumnDefault[]>>();
  const max = opts.cacheSize ?? 1000;
  const defaultsOf = (table: string, database: string, via: unknown): Promise<ColumnDefault[]> => {
    if (!opts.columnDefaults) return Promise.resolve([]);
    const key = `${database}\0${table}`;
    let p = cache.get(key);
    if (!p) {
      p = opts.columnDefaults(table, database, via).catch(() => {
        cache.delete(key);
        return [];
      });
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(key, p);
    }
    return p;
  };
  return {
    ready: loadModule(),
    async prepare(sql, database, via) {
      const insert = START_INSERT.test(sql) && !!opts.columnDefaults;
      if (!insert && !TIME_WORDS.test(sql)) return null;
      // A SELECT reaches here only when it writes (writing function): its calls are rewritten, no defaults.
      const sites = findSites(sql);
      if (!sites) return null;
      let warning: ErrorSpec | null = null;
      let refusal: ErrorSpec | null = null;
      if (sites.nondeterministic.length > 0) {
        const calls = [...new Set(sites.nondeterministic)].join(', ');
        if (opts.nondeterministic === 'refuse')
          refusal = {
            severity: 'ERROR',
            code: '0A000',
            message: `native replication refuses statement "${sql}": non-deterministic call(s) ${calls} would store different values on each node`,
            hint: 'compute the value in the client, or set replication_nondeterministic_functions = warn',
          };
        else
          warning = {
            severity: 'WARNING',
            code: '01000',
            message: `statement "${sql}" calls non-deterministic function(s) ${calls}: the nodes may store different values`,
          };
      }
      const table = sites.insert?.table ?? (sites.defaults.length > 0 ? sites.table : null);
      const defaults = table ? await defaultsOf(table, database, via) : [];
      const timedDefaults = defaults.some((d) => timeDefault(d.defaultExpr) !== null);
      const needsNow = sites.sites.length > 0 || timedDefaults;
      if (!needsNow && !warning && !refusal) return null;
      return {
        needsNow,
        rewrite: (now) => rewriteTimestamps(sql, sites, now, defaults),
        warning,
        refusal,
      };
    },
    invalidate(database, table) {
      if (database === undefined) cache.clear();
      else
        for (const k of [...cache.keys()])
          if (k.startsWith(`${database}\0`) && (table === undefined || k === `${database}\0${table}`))
            cache.delete(k);
    },
  };
}
