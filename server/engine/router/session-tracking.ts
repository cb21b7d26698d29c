/**
 * What the router remembers per client session, beyond the session's own transaction flags:
 *  - SQL-level PREPARE names and where their query went, so EXECUTE / DEALLOCATE inherit it (pgpool sends them where
 *    the PREPARE went; reference §4.4 "EXECUTE/DEALLOCATE (then inherit PREPARE's target)", regression 071);
 *  - `check_temp_table = trace`: names created with CREATE TEMP TABLE in this session, forgotten on DROP/DISCARD;
 *  - `disable_load_balance_on_write = dml_adaptive`: tables written in the current explicit transaction, expanded with
 *    `dml_adaptive_object_relationship_list` (regression 032).
 * One object per client session (createSessionTracking), passed in SessionRouteContext.tracking; route() updates it.
 */

export interface SessionTracking {
  /** PREPARE name → the prepared statement was load-balanceable. */
  prepared: Map<string, { loadBalanceable: boolean }>;
  /** check_temp_table=trace: temporary tables created by this session (names as written, lower-cased if unquoted). */
  tempTables: Set<string>;
  /** dml_adaptive: tables (and functions `f()`) written in the current explicit transaction ('*' = unknown: all). */
  txWrittenObjects: Set<string>;
  /** check_temp_table=catalog answers for this session: relation name → is a temporary table. */
  catalogTemp: Map<string, boolean>;
  /**
   * check_temp_table=catalog: false until the session runs something that can create a temporary table (DDL, a
   * write, DO/CALL, a writing function); while false no temporary-table lookup is made.
   */
  mayHaveTemp: boolean;
}

export function createSessionTracking(): SessionTracking {
  return {
    prepared: new Map(),
    tempTables: new Set(),
    txWrittenObjects: new Set(),
    catalogTemp: new Map(),
    mayHaveTemp: false,
  };
}

/** Relation name without schema: CREATE TEMP TABLE cannot be schema-qualified except with pg_temp. */
export function bareName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/**
 * `dml_adaptive_object_relationship_list = 'table:dependent,func():table'`: when the left object is written, the
 * right one is considered written too (e.g. a trigger on `t1` writes `t2`; `f()` writes `t3`).
 */
export function parseRelationshipList(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const item of raw.split(',')) {
    const [left, right] = item.split(':').map((s) => s.trim().toLowerCase());
    if (!left || !right) continue;
    const list = out.get(left) ?? [];
    list.push(right);
    out.set(left, list);
  }
  return out;
}

/** Adds `objects` and everything they imply (transitively) to the transaction's written set. */
export function noteWritten(
  tracking: SessionTracking,
  objects: string[],
  relations: Map<string, string[]>,
): void {
  const queue = objects.map((o) => o.toLowerCase());
  while (queue.length > 0) {
    const o = queue.pop()!;
    for (const key of [o, bareName(o)]) {
      if (tracking.txWrittenObjects.has(key)) continue;
      tracking.txWrittenObjects.add(key);
      for (const dep of relations.get(key) ?? []) queue.push(dep);
    }
  }
}

export function wroteAny(tracking: SessionTracking, tables: string[]): boolean {
  if (tracking.txWrittenObjects.has('*')) return true;
  return tables.some(
    (t) =>
      tracking.txWrittenObjects.has(t.toLowerCase()) ||
      tracking.txWrittenObjects.has(bareName(t).toLowerCase()),
  );
}
