/**
 * Finds, in one statement, the time functions that native replication must replace by a literal (reference §4.3,
 * pgpool `src/rewrite/pool_timestamp.c`), the non-deterministic calls that cannot be made safe, and the shape of an
 * INSERT (column list, VALUES rows, explicit DEFAULTs) so omitted columns with time defaults can be filled in.
 *
 * Positions come from libpg-query's parse tree (`location`) and its scanner (token start/end); both are byte offsets
 * into the UTF-8 text. The statement is then rewritten by splicing, not deparsed: the client's text is kept byte for
 * byte outside the replaced calls (libpg-query 18 has no deparser, and a deparse would reformat the statement).
 */
import { parseSync, scanSync } from 'libpg-query';

/** A byte range [start, end) of the statement and the cast its literal needs. */
export interface Site {
  start: number;
  end: number;
  /** `::timestamptz`, `::date`, `::timetz(3)`... appended to `'<now>'::text`. */
  cast: string;
}

/** An expression slot of an INSERT/UPDATE written `DEFAULT` (SetToDefault), for a column with a time default. */
export interface DefaultSlot {
  start: number;
  end: number;
  /** Column name, or its 1-based position when the INSERT has no column list. */
  column: string | number;
}

export interface InsertShape {
  /** Target table as written (schema-qualified when written so). */
  table: string;
  /** Column list as written, null when absent. */
  columns: string[] | null;
  /** Byte offset of the ')' closing the column list (null without one). */
  columnListEnd: number | null;
  /** Byte offsets of the ')' closing each VALUES row; empty for INSERT ... SELECT / DEFAULT VALUES. */
  rowEnds: number[];
  /** Items per VALUES row. */
  rowLength: number;
}

export interface StatementSites {
  statement: 'insert' | 'update' | 'delete' | 'select';
  sites: Site[];
  defaults: DefaultSlot[];
  insert: InsertShape | null;
  /** Non-deterministic calls (random(), gen_random_uuid()...) as written. */
  nondeterministic: string[];
  /** UPDATE target table. */
  table: string | null;
}

const TIME_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp']);
const NONDETERMINISTIC = /^(random|gen_random_uuid|clock_timestamp|timeofday|uuid_generate_.*|setseed)$/;

const SVF_CAST: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'date',
  SVFOP_CURRENT_TIME: 'timetz',
  SVFOP_CURRENT_TIME_N: 'timetz',
  SVFOP_CURRENT_TIMESTAMP: 'timestamptz',
  SVFOP_CURRENT_TIMESTAMP_N: 'timestamptz',
  SVFOP_LOCALTIME: 'time',
  SVFOP_LOCALTIME_N: 'time',
  SVFOP_LOCALTIMESTAMP: 'timestamp',
  SVFOP_LOCALTIMESTAMP_N: 'timestamp',
};

/** Cheap test before parsing: could the text contain a call this module rewrites or reports? */
export const TIME_WORDS =
  /now|current_(date|time)|localtime|transaction_timestamp|statement_timestamp|random|uuid|clock_timestamp|timeofday|setseed|default/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Token {
  start: number;
  end: number;
  text: string;
}

/** Index of the token closing the parenthesis opened at tokens[open]. */
function matching(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!.text;
    if (t === '(') depth++;
    else if (t === ')' && --depth === 0) return i;
  }
  return tokens.length - 1;
}

function tokenAt(tokens: Token[], byte: number): number {
  return tokens.findIndex((t) => t.start === byte);
}

function names(list: unknown): string[] {
  return Array.isArray(list)
    ? list.map((n) => (isObj(n) && isObj(n.String) ? String(n.String.sval) : '')).filter(Boolean)
    : [];
}

function relationName(rel: unknown): string {
  if (!isObj(rel)) return '';
  return [rel.schemaname, rel.relname].filter((p) => typeof p === 'string' && p !== '').join('.');
}

/** Walks every node, calling visit(type, body); the walk does not enter nodes visit() returns false for. */
function walk(node: unknown, visit: (type: string, body: Obj) => boolean | void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  if (!isObj(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (/^[A-Z]/.test(k) && isObj(v)) {
      if (visit(k, v) === false) continue;
      walk(v, visit);
    } else walk(v, visit);
  }
}

function collect(stmt: Obj, tokens: Token[], out: StatementSites, text: Buffer): void {
  walk(stmt, (type, body) => {
    const loc = typeof body.location === 'number' ? body.location : -1;
    if (type === 'SQLValueFunction') {
      const base = SVF_CAST[String(body.op)];
      const i = tokenAt(tokens, loc);
      if (!base || i < 0) return;
      const withN = String(body.op).endsWith('_N');
      const last = withN && tokens[i + 1]?.text === '(' ? matching(tokens, i + 1) : i;
      const cast = withN ? `::${base}(${typeof body.typmod === 'number' ? body.typmod : 0})` : `::${base}`;
      out.sites.push({ start: loc, end: tokens[last]!.end, cast });
    } else if (type === 'FuncCall') {
      const fn = names(body.funcname);
      const name = fn.at(-1)?.toLowerCase() ?? '';
      const schemaOk = fn.length === 1 || fn[0]?.toLowerCase() === 'pg_catalog';
      const i = tokenAt(tokens, loc);
      if (i < 0) return;
      let open = i;
      while (open < tokens.length && tokens[open]!.text !== '(') open++;
      const close = matching(tokens, open);
      if (schemaOk && TIME_FUNCTIONS.has(name) && !body.args)
        out.sites.push({ start: loc, end: tokens[close]!.end, cast: '::timestamptz' });
      else if (NONDETERMINISTIC.test(name))
        out.nondeterministic.push(text.subarray(loc, tokens[close]!.end).toString('utf8'));
    }
  });
}

function insertShape(ins: Obj, tokens: Token[], out: StatementSites): void {
  const cols = Array.isArray(ins.cols)
    ? ins.cols.map((c) => (isObj(c) && isObj(c.ResTarget) ? String(c.ResTarget.name) : ''))
    : null;
  let columnListEnd: number | null = null;
  if (cols && Array.isArray(ins.cols)) {
    const first: unknown = ins.cols[0];
    const loc = isObj(first) && isObj(first.ResTarget) ? Number(first.ResTarget.location) : -1;
    const i = tokenAt(tokens, loc);
    if (i > 0 && tokens[i - 1]!.text === '(') columnListEnd = tokens[matching(tokens, i - 1)]!.start;
  }
  const sel = isObj(ins.selectStmt) && isObj(ins.selectStmt.SelectStmt) ? ins.selectStmt.SelectStmt : null;
  const rows = sel && Array.isArray(sel.valuesLists) ? sel.valuesLists : [];
  const rowEnds: number[] = [];
  let rowLength = 0;
  if (rows.length > 0) {
    // The VALUES keyword at the top level (after the column list): rows are `( ... )` separated by commas.
    let depth = 0;
    let i = 0;
    for (; i < tokens.length; i++) {
      const t = tokens[i]!.text;
      if (t === '(') depth++;
      else if (t === ')') depth--;
      else if (depth === 0 && t.toUpperCase() === 'VALUES') break;
    }
    i++;
    while (tokens[i]?.text === '(') {
      const close = matching(tokens, i);
      rowEnds.push(tokens[close]!.start);
      i = tokens[close + 1]?.text === ',' ? close + 2 : tokens.length;
    }
    rows.forEach((r) => {
      const items = isObj(r) && isObj(r.List) && Array.isArray(r.List.items) ? r.List.items : [];
      rowLength = items.length;
      items.forEach((it, k) => {
        if (isObj(it) && isObj(it.SetToDefault)) {
          const loc = Number(it.SetToDefault.location);
          const tok = tokens[tokenAt(tokens, loc)];
          if (tok) out.defaults.push({ start: loc, end: tok.end, column: cols ? cols[k]! : k + 1 });
        }
      });
    });
  }
  out.insert = {
    table: relationName(ins.relation),
    columns: cols,
    columnListEnd,
    rowEnds: rowEnds.length === rows.length ? rowEnds : [],
    rowLength,
  };
}

function updateDefaults(upd: Obj, tokens: Token[], out: StatementSites): void {
  out.table = relationName(upd.relation);
  for (const t of Array.isArray(upd.targetList) ? upd.targetList : []) {
    const rt = isObj(t) && isObj(t.ResTarget) ? t.ResTarget : null;
    if (!rt || !isObj(rt.val) || !isObj(rt.val.SetToDefault)) continue;
    const loc = Number(rt.val.SetToDefault.location);
    const tok = tokens[tokenAt(tokens, loc)];
    if (tok) out.defaults.push({ start: loc, end: tok.end, column: String(rt.name) });
  }
}

/**
 * Sites of a single INSERT/UPDATE/DELETE/SELECT statement; null for anything else (multi-statement strings, DDL,
 * unparseable text), which is left untouched. The parser must be loaded (`loadModule()`).
 */
export function findSites(sql: string): StatementSites | null {
  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch {
    return null;
  }
  const stmts = isObj(tree) && Array.isArray(tree.stmts) ? tree.stmts : [];
  if (stmts.length !== 1 || !isObj(stmts[0]) || !isObj(stmts[0].stmt)) return null;
  const node = stmts[0].stmt;
  const kinds = {
    InsertStmt: 'insert',
    UpdateStmt: 'update',
    DeleteStmt: 'delete',
    SelectStmt: 'select',
  } as const;
  const type = Object.keys(node)[0] as keyof typeof kinds;
  if (!(type in kinds) || !isObj(node[type])) return null;
  const text = Buffer.from(sql, 'utf8');
  const tokens = scanSync(sql).tokens as Token[];
  const out: StatementSites = {
    statement: kinds[type],
    sites: [],
    defaults: [],
    insert: null,
    nondeterministic: [],
    table: null,
  };
  collect(node, tokens, out, text);
  if (type === 'InsertStmt') insertShape(node[type] as Obj, tokens, out);
  if (type === 'UpdateStmt') updateDefaults(node[type] as Obj, tokens, out);
  out.sites.sort((a, b) => a.start - b.start);
  return out;
}
