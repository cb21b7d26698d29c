// Every public table's ordered contents on one node, for "the nodes hold identical data" assertions.
import type { PgNode } from './pg-cluster';

/** Table name → `count:md5` of its rows ordered by all columns (the row value), on one node. */
export async function tableChecksums(node: PgNode): Promise<Record<string, string>> {
  const tables = await node.query<{ t: string }>(
    `SELECT quote_ident(c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const r = await node.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x), '')) AS h FROM ${t} x`,
    );
    out[t] = `${r[0]!.n}:${r[0]!.h}`;
  }
  return out;
}
