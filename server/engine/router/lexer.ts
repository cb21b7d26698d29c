/**
 * Cheap lexical checks that run before (and often instead of) the PostgreSQL parser: pgpool admin statements, which
 * the parser rejects (`PGPOOL SHOW ...`, reference §2), and a fast path for statements whose class is certain from the
 * text alone. The fast path only answers when it is sure; anything unusual (comments, quotes it cannot follow,
 * parentheses, which may hide function calls or subqueries) falls through to the parser.
 */
import type { StatementClass } from './types';

/** SHOW names pgpool 4.3 answers itself (`SimpleQuery`, reference §2). */
export const POOL_SHOW_NAMES = new Set([
  'pool_nodes',
  'pool_processes',
  'pool_pools',
  'pool_status',
  'pool_version',
  'pool_health_check_stats',
  'pool_backend_stats',
  'pool_cache',
]);

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Skips whitespace, `-- ...` and (nested) `/* ... *\/` comments; returns the index of the first significant char. */
export function skipSpaceAndComments(sql: string, from = 0): number {
  let i = from;
  for (;;) {
    while (i < sql.length && isSpace(sql.charCodeAt(i))) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      }
    } else return i;
  }
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/""/g, '"');
  return v;
}

/** `SHOW pool_*`, `PGPOOL SHOW x|ALL`, `PGPOOL SET x = v` / `TO v`, `PGPOOL RESET x|ALL` → command and args. */
export function detectAdmin(sql: string): { command: string; args: string[] } | undefined {
  const start = skipSpaceAndComments(sql);
  const head = sql.slice(start, start + 7).toLowerCase();
  if (!head.startsWith('show') && !head.startsWith('pgpool')) return undefined;
  const text = sql.slice(start).replace(/[\s;]+$/, '');
  let m = /^show\s+(\w+)$/i.exec(text);
  if (m) {
    const name = m[1]!.toLowerCase();
    return POOL_SHOW_NAMES.has(name) ? { command: name, args: [] } : undefined;
  }
  m = /^pgpool\s+show\s+("[^"]+"|\w+)$/i.exec(text);
  if (m) return { command: 'pgpool_show', args: [unquote(m[1]!).toLowerCase()] };
  m = /^pgpool\s+set\s+(\w+)\s*(?:=|\s+to\s+)\s*('(?:[^']|'')*'|[\w.+-]+)$/i.exec(text);
  if (m) return { command: 'pgpool_set', args: [m[1]!.toLowerCase(), unquote(m[2]!)] };
  m = /^pgpool\s+reset\s+(\w+)$/i.exec(text);
  if (m) return { command: 'pgpool_reset', args: [m[1]!.toLowerCase()] };
  return undefined;
}

const TX_FAST: Array<[RegExp, StatementClass['txEffect'], string]> = [
  [
    /^(?:begin(?:\s+(?:work|transaction))?|start\s+transaction)$/i,
    'begin',
    'transaction start: primary and load-balance node',
  ],
  [/^(?:commit|end)(?:\s+(?:work|transaction))?$/i, 'commit', 'COMMIT: all session nodes'],
  [/^(?:rollback|abort)(?:\s+(?:work|transaction))?$/i, 'rollback', 'ROLLBACK: all session nodes'],
];

/** Words that make a paren-free SELECT something other than a plain read, or make table extraction uncertain. */
const SELECT_STOP = /\b(?:into|for|lateral|tablesample|only)\b|[()";&\\]|\$(?!\d)|--|\/\*|\bpg_/i;
const CLAUSE_END = new Set([
  'where',
  'group',
  'order',
  'limit',
  'offset',
  'having',
  'window',
  'union',
  'intersect',
  'except',
  'fetch',
]);
const JOIN_WORDS = new Set(['join', 'inner', 'left', 'right', 'full', 'outer', 'cross', 'natural']);

/** Replaces '...' literals by '' so keywords inside them are not seen; undefined when a quote form is unusual. */
function blankLiterals(sql: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const q = sql.indexOf("'", i);
    if (q < 0) return out + sql.slice(i);
    // E'...' strings use backslash escapes: leave them to the parser.
    if (q > 0 && /[eEbBxXuU\w]/.test(sql[q - 1]!) && !/\s/.test(sql[q - 1]!)) return undefined;
    out += sql.slice(i, q) + "''";
    let j = q + 1;
    for (;;) {
      const e = sql.indexOf("'", j);
      if (e < 0) return undefined;
      if (sql[e + 1] === "'") j = e + 2;
      else {
        i = e + 1;
        break;
      }
    }
  }
  return out;
}

/**
 * Relations of a SELECT that has no parentheses (so no subqueries or function calls): identifiers after FROM, after
 * commas of the FROM list and after JOIN, up to the next clause keyword.
 */
function fromTables(text: string): string[] | undefined {
  const words = text.toLowerCase().match(/[a-z_][\w$]*(?:\.[a-z_][\w$]*)*|,|\S/g) ?? [];
  const tables: string[] = [];
  let expectTable = false;
  let inFrom = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (expectTable) {
      if (!/^[a-z_]/.test(w) || CLAUSE_END.has(w) || JOIN_WORDS.has(w) || w === 'on') return undefined;
      if (!tables.includes(w)) tables.push(w);
      expectTable = false;
      continue;
    }
    if (w === 'from') {
      inFrom = true;
      expectTable = true;
    } else if (w === 'join' && inFrom) expectTable = true;
    else if (w === ',' && inFrom) expectTable = true;
    else if (CLAUSE_END.has(w)) inFrom = false;
    else if (w === 'on' || w === 'using') inFrom = inFrom && w === 'on';
  }
  // ON conditions may contain commas only inside parentheses, which SELECT_STOP already excluded.
  return expectTable ? undefined : tables;
}

/** The class of `sql` when certain without parsing, else undefined. */
export function fastClassify(sql: string): StatementClass | undefined {
  if (sql.length > 2000) return undefined;
  const text = sql.trim().replace(/\s*;$/, '');
  if (text.length === 0 || text.includes(';')) return undefined;
  const c0 = text.charCodeAt(0) | 0x20;
  if (
    c0 === 0x62 /* b */ ||
    c0 === 0x63 /* c */ ||
    c0 === 0x65 /* e */ ||
    c0 === 0x72 /* r */ ||
    c0 === 0x61 /* a */ ||
    c0 === 0x73 /* s */
  ) {
    for (const [re, txEffect, why] of TX_FAST) {
      if (re.test(text))
        return { kind: 'session', counter: 'other', txEffect, tables: [], functions: [], why };
    }
  }
  if (c0 !== 0x73 || !/^select\s/i.test(text)) return undefined;
  const blanked = blankLiterals(text);
  if (blanked === undefined || SELECT_STOP.test(blanked)) return undefined;
  const tables = fromTables(blanked);
  if (tables === undefined) return undefined;
  return {
    kind: 'read',
    counter: 'select',
    txEffect: 'none',
    tables,
    functions: [],
    why: 'SELECT: load-balanceable',
    facts: { selectStmt: true, systemCatalog: false },
  };
}
