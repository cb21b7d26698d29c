/**
 * The relpersistence lookup behind check_temp_table = catalog and check_unlogged_table (reference §4.4): pgpool asks
 * `SELECT count(*) FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.to_regclass('%s') AND c.relpersistence = 't'`
 * on the session's own primary connection (temp tables are only visible there). One query answers every name here.
 * Names arrive as the parser leaves them (case-folded unless quoted, `schema.name`), so each part is re-quoted for
 * to_regclass.
 */
import type { RelationLookup } from './types';

export const RELPERSISTENCE_QUERY =
  'SELECT n.name, c.relpersistence FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS n(name, regname) ' +
  'LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(n.regname)';

/** `s.Foo` → `"s"."Foo"` (the text to_regclass must receive to find exactly that relation). */
export function regclassText(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}

/** Builds a RelationLookup from "run this query on my primary connection" (the session provides it). */
export function createRelationLookup(
  run: (sql: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>,
): RelationLookup {
  return {
    async persistence(names) {
      const rows = await run(RELPERSISTENCE_QUERY, [names, names.map(regclassText)]);
      const out = new Map<string, 'p' | 'u' | 't'>();
      for (const r of rows) {
        const p = r.relpersistence;
        if (typeof r.name === 'string' && (p === 'p' || p === 'u' || p === 't')) out.set(r.name, p);
      }
      return out;
    },
  };
}
