/**
 * Walks a libpg-query (PostgreSQL 18 parser) JSON tree and collects what routing needs: relations referenced, functions
 * called, row-locking clauses and data-modifying statements nested in a query (pgpool `pool_has_function_call`,
 * `pool_has_system_catalog`, `pool_has_insertinto_or_locking_clause`, reference §4.4). The JSON omits default values
 * (false, 0, empty lists), so every field read here is optional.
 */

/** One node of the parser's JSON: `{ NodeType: { ...fields } }` or a plain field object. */
type Json = Record<string, unknown>;

export interface TreeFacts {
  /** Relation names as written (`schema.name` when qualified), CTE names excluded, in order of first appearance. */
  tables: string[];
  /** Function names as written (`schema.name` when qualified). */
  functions: string[];
  /** FOR UPDATE / FOR SHARE / FOR NO KEY UPDATE / FOR KEY SHARE anywhere in the tree. */
  lockingClause: boolean;
  /** INSERT/UPDATE/DELETE/MERGE nested in the tree (data-modifying CTE). */
  nestedWrite: boolean;
  /** A pg_catalog-qualified or pg_*-named relation (pgpool "system catalog referenced"). */
  systemCatalog: boolean;
}

const WRITE_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `[{String:{sval:'a'}},{String:{sval:'b'}}]` → 'a.b' (the name as written, already case-folded by the parser). */
export function nameFromList(list: unknown): string {
  if (!Array.isArray(list)) return '';
  const parts: string[] = [];
  for (const item of list) {
    if (isObject(item) && isObject(item.String) && typeof item.String.sval === 'string')
      parts.push(item.String.sval);
  }
  return parts.join('.');
}

export function rangeVarName(rv: Json): string {
  const rel = typeof rv.relname === 'string' ? rv.relname : '';
  return typeof rv.schemaname === 'string' && rv.schemaname !== '' ? `${rv.schemaname}.${rel}` : rel;
}

/** pg_catalog.x, or an unqualified/qualified relation whose name starts with pg_ (pg_class, pg_stat_activity...). */
export function isSystemCatalogName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower.startsWith('pg_catalog.')) return true;
  const rel = lower.includes('.') ? lower.slice(lower.lastIndexOf('.') + 1) : lower;
  return rel.startsWith('pg_');
}

export function collectTreeFacts(root: unknown): TreeFacts {
  const tables: string[] = [];
  const functions: string[] = [];
  const cteNames = new Set<string>();
  const facts: TreeFacts = {
    tables,
    functions,
    lockingClause: false,
    nestedWrite: false,
    systemCatalog: false,
  };
  let depth = 0;

  const visit = (node: unknown, parentKey: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, parentKey);
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (!isObject(value) && !Array.isArray(value)) continue;
      if (key === 'RangeVar' && isObject(value)) {
        const name = rangeVarName(value);
        if (name && !tables.includes(name)) tables.push(name);
      } else if (key === 'FuncCall' && isObject(value)) {
        const name = nameFromList(value.funcname);
        if (name && !functions.includes(name)) functions.push(name);
      } else if (key === 'CommonTableExpr' && isObject(value) && typeof value.ctename === 'string') {
        cteNames.add(value.ctename);
      } else if (key === 'LockingClause') {
        facts.lockingClause = true;
      } else if (depth > 0 && WRITE_NODES.has(key)) {
        facts.nestedWrite = true;
      }
      depth++;
      visit(value, key);
      depth--;
    }
  };
  visit(root, '');
  // A CTE name shadows a relation of the same name only when unqualified.
  facts.tables = tables.filter((t) => !cteNames.has(t));
  facts.systemCatalog = facts.tables.some(isSystemCatalogName);
  return facts;
}
