/**
 * Cache key for statement classes: the statement text with its literals replaced by `?`, so that
 * `UPDATE pgbench_accounts SET abalance = abalance + 42 WHERE aid = 7` and the same statement with other values share
 * one cache entry and one parse. Applications that do not use bind parameters (pgbench -M simple, most ORMs'
 * "simple" modes) would otherwise miss the cache on every statement and pay for the parser each time.
 *
 * Only for statements whose class cannot depend on a literal's value: DML and queries. SET/RESET keep their text
 * (`SET default_transaction_isolation = 'serializable'` routes differently from other values), and so does anything
 * with dollar quotes or E'' strings, which this scanner does not try to understand.
 */
const NORMALIZABLE = /^\s*(?:select|insert|update|delete|with|values|merge)\b/i;

export function classCacheKey(sql: string): string {
  if (!NORMALIZABLE.test(sql) || sql.includes('$')) return sql;
  // Verbatim runs are appended as slices (sql.slice(from, i)), not character by character: the key is then a short
  // rope that the Map lookup flattens and hashes cheaply (this runs for every statement, cache hit or not).
  let out = '';
  let from = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql.charCodeAt(i);
    if (ch === 0x27 /* ' */) {
      const prev = i > 0 ? sql.charCodeAt(i - 1) : 0x20;
      if (isIdentChar(prev)) return sql; // E'..', B'..', U&'..': leave them to the full text
      let j = i + 1;
      let e: number;
      for (;;) {
        e = sql.indexOf("'", j);
        if (e < 0) return sql;
        if (sql.charCodeAt(e + 1) === 0x27) j = e + 2;
        else break;
      }
      out += sql.slice(from, i) + '?';
      i = from = e + 1;
      continue;
    }
    if (ch === 0x22 /* " */) {
      const e = sql.indexOf('"', i + 1);
      if (e < 0) return sql;
      i = e + 1; // kept verbatim
      continue;
    }
    if (ch === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d) return sql; // line comments: keep the text
    if (isDigit(ch) && (i === 0 || !isIdentChar(sql.charCodeAt(i - 1)))) {
      let j = i + 1;
      while (j < n && (isDigit(sql.charCodeAt(j)) || sql.charCodeAt(j) === 0x2e)) j++;
      if (j < n && isIdentChar(sql.charCodeAt(j))) return sql; // 1e5, 0x1F, 10abc: not worth the care
      out += sql.slice(from, i) + '?';
      i = from = j;
      continue;
    }
    i++;
  }
  return from === 0 ? sql : out + sql.slice(from);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f ||
    c === 0x24 ||
    c > 0x7f
  );
}
