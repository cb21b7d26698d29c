/**
 * Statement → class, following pgpool 4.3 `send_to_where` (reference §4.4 "SR/logical routing") from PostgreSQL's own
 * parse tree. The result is context-free (no session, no database) so it can be cached by statement text; function
 * volatility and relation persistence are resolved later per database (classifier.ts).
 */
import { collectTreeFacts, isObject, nameFromList, rangeVarName } from './ast-facts';
import type { StatementClass, StatementFacts } from './types';

type Json = Record<string, unknown>;
type Counter = StatementClass['counter'];

/** PostgreSQL lock modes (lockdefs.h): RowExclusiveLock = 3 is the first that conflicts with a standby's reads. */
const ROW_EXCLUSIVE_LOCK = 3;

const DDL_PREFIX =
  /^(Create|Alter|Drop|Rename|Comment|Grant|Revoke|Define|Index|View|Truncate|Reindex|Cluster|Rule|CompositeType|SecLabel|Import)/;
const FUNCTION_DDL = new Set(['CreateFunctionStmt', 'AlterFunctionStmt']);

function make(
  kind: StatementClass['kind'],
  counter: Counter,
  why: string,
  extra: {
    txEffect?: StatementClass['txEffect'];
    tables?: string[];
    functions?: string[];
    facts?: StatementFacts;
  } = {},
): StatementClass {
  return {
    kind,
    counter,
    txEffect: extra.txEffect ?? 'none',
    tables: extra.tables ?? [],
    functions: extra.functions ?? [],
    why,
    ...(extra.facts ? { facts: extra.facts } : {}),
  };
}

/** A write that routing sends to the primary and that marks the transaction as writing. */
function dataWrite(counter: Counter, why: string, node: unknown, written: string[]): StatementClass {
  const f = collectTreeFacts(node);
  return make('write', counter, why, {
    tables: f.tables,
    functions: f.functions,
    facts: { marksWrite: true, writtenTables: written, systemCatalog: f.systemCatalog },
  });
}

function constValue(node: unknown): string | number | boolean | undefined {
  if (!isObject(node)) return undefined;
  const c = isObject(node.A_Const) ? node.A_Const : node;
  if (isObject(c.sval) && typeof c.sval.sval === 'string') return c.sval.sval;
  if (isObject(c.ival)) return typeof c.ival.ival === 'number' ? c.ival.ival : 0;
  if (isObject(c.boolval)) return c.boolval.boolval === true;
  if (isObject(c.String) && typeof c.String.sval === 'string') return c.String.sval;
  if (isObject(c.Boolean)) return c.Boolean.boolval === true;
  return undefined;
}

function isFalse(v: string | number | boolean | undefined): boolean {
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'boolean') return !v;
  return v !== undefined && ['off', 'f', 'false', 'no', 'n', '0'].includes(v.toLowerCase());
}

function defElems(list: unknown): Json[] {
  if (!Array.isArray(list)) return [];
  return list.filter((d): d is { DefElem: Json } => isObject(d) && isObject(d.DefElem)).map((d) => d.DefElem);
}

/** BEGIN/SET TRANSACTION options: `transaction_isolation = serializable`. */
function optionsSerializable(list: unknown): boolean {
  return defElems(list).some(
    (d) =>
      d.defname === 'transaction_isolation' && String(constValue(d.arg)).toLowerCase() === 'serializable',
  );
}

function optionsReadWrite(list: unknown): boolean {
  return defElems(list).some((d) => d.defname === 'transaction_read_only' && isFalse(constValue(d.arg)));
}

function classifyTransaction(t: Json): StatementClass {
  const kind = String(t.kind);
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START': {
      // BEGIN ... READ WRITE is still sent to both (pgpool sends it to standbys too, they accept READ WRITE BEGIN).
      const facts: StatementFacts = optionsSerializable(t.options) ? { setsSerializable: true } : {};
      return make('session', 'other', 'transaction start: primary and load-balance node', {
        txEffect: 'begin',
        facts,
      });
    }
    case 'TRANS_STMT_COMMIT':
      return make('session', 'other', 'COMMIT: all session nodes', { txEffect: 'commit' });
    case 'TRANS_STMT_ROLLBACK':
      return make('session', 'other', 'ROLLBACK: all session nodes', { txEffect: 'rollback' });
    case 'TRANS_STMT_SAVEPOINT':
    case 'TRANS_STMT_RELEASE':
    case 'TRANS_STMT_ROLLBACK_TO':
      return make('session', 'other', 'savepoint command: all session nodes');
    case 'TRANS_STMT_PREPARE':
      return make('write', 'other', '2PC PREPARE TRANSACTION: primary', { txEffect: 'prepare' });
    default:
      return make('write', 'other', `2PC ${kind.replace('TRANS_STMT_', '').replace('_', ' ')}: primary`);
  }
}

/** pgpool `send_to_where` VariableSetStmt branch. */
function classifySet(v: Json): StatementClass {
  const name = typeof v.name === 'string' ? v.name : '';
  const args: unknown[] = Array.isArray(v.args) ? v.args : [];
  if (v.kind === 'VAR_SET_VALUE' && name === 'transaction_read_only') {
    if (args.some((a) => isFalse(constValue(a))))
      return make('write', 'other', 'SET transaction_read_only = off: primary');
    return make('session', 'other', 'SET: all session nodes');
  }
  const serializableValue =
    v.kind === 'VAR_SET_VALUE' &&
    (name === 'transaction_isolation' || name === 'default_transaction_isolation') &&
    args.some((a) => String(constValue(a)).toLowerCase() === 'serializable');
  if (serializableValue || (v.kind === 'VAR_SET_MULTI' && optionsSerializable(args))) {
    return make('write', 'other', 'SET ... SERIALIZABLE: primary', { facts: { setsSerializable: true } });
  }
  if (
    v.kind === 'VAR_SET_MULTI' &&
    (name === 'TRANSACTION' || name === 'SESSION CHARACTERISTICS') &&
    optionsReadWrite(args)
  ) {
    return make('write', 'other', 'SET TRANSACTION READ WRITE: primary');
  }
  return make(
    'session',
    'other',
    v.kind === 'VAR_SET_VALUE' || v.kind === 'VAR_SET_MULTI'
      ? 'SET: all session nodes'
      : 'RESET: all session nodes',
  );
}

function explainAnalyze(e: Json): boolean {
  return defElems(e.options).some(
    (d) => d.defname === 'analyze' && (d.arg === undefined || !isFalse(constValue(d.arg))),
  );
}

function classifySelect(stmt: Json, node: unknown, label: string): StatementClass {
  const f = collectTreeFacts(node);
  const base = { tables: f.tables, functions: f.functions };
  if (isObject(stmt.intoClause)) {
    const rel = isObject(stmt.intoClause.rel) ? stmt.intoClause.rel : undefined;
    const into = rel ? rangeVarName(rel) : '';
    const facts: StatementFacts = {
      marksWrite: true,
      writtenTables: into ? [into] : [],
      systemCatalog: f.systemCatalog,
    };
    // SELECT ... INTO TEMP creates a temporary table (check_temp_table = trace).
    if (rel?.relpersistence === 't' && into) facts.createsTempTables = [into];
    return make('write', 'select', `${label} INTO: primary`, { ...base, facts });
  }
  if (f.lockingClause) {
    return make('write', 'select', `${label} ... FOR UPDATE/SHARE: primary`, {
      ...base,
      facts: { marksWrite: true, writtenTables: f.tables, systemCatalog: f.systemCatalog },
    });
  }
  if (f.nestedWrite) {
    return make('write', 'select', 'data-modifying CTE: primary', {
      ...base,
      facts: { marksWrite: true, writtenTables: f.tables, systemCatalog: f.systemCatalog },
    });
  }
  return make('read', 'select', `${label}: load-balanceable`, {
    ...base,
    facts: { selectStmt: true, systemCatalog: f.systemCatalog },
  });
}

/** The class of one top-level statement node (`{ SelectStmt: {...} }`). */
export function classifyStatement(node: Json): StatementClass {
  const type = Object.keys(node)[0] ?? '';
  const s = node[type];
  const stmt: Json = isObject(s) ? s : {};
  switch (type) {
    case 'SelectStmt':
      return classifySelect(stmt, node, Array.isArray(stmt.valuesLists) ? 'VALUES' : 'SELECT');
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt': {
      const target = isObject(stmt.relation) ? rangeVarName(stmt.relation) : '';
      const verb = type.replace('Stmt', '').toUpperCase();
      const counter: Counter = type === 'MergeStmt' ? 'other' : (verb.toLowerCase() as Counter);
      return dataWrite(counter, `${verb}: primary`, node, target ? [target] : []);
    }
    case 'CopyStmt': {
      if (stmt.is_from === true) {
        const target = isObject(stmt.relation) ? rangeVarName(stmt.relation) : '';
        return dataWrite('other', 'COPY FROM: primary', node, target ? [target] : []);
      }
      const inner = isObject(stmt.query) ? stmt.query : undefined;
      if (inner && !isObject(inner.SelectStmt))
        return dataWrite('other', 'COPY (data-modifying query) TO: primary', node, []);
      if (inner) {
        const c = classifySelect(
          isObject(inner.SelectStmt) ? inner.SelectStmt : {},
          node,
          'COPY (SELECT) TO',
        );
        return { ...c, counter: 'other', facts: { ...c.facts, selectStmt: false } };
      }
      const f = collectTreeFacts(node);
      return make('read', 'other', 'COPY TO: load-balanceable', {
        tables: f.tables,
        facts: { systemCatalog: f.systemCatalog },
      });
    }
    case 'ExplainStmt': {
      const inner = isObject(stmt.query) ? stmt.query : {};
      if (!explainAnalyze(stmt)) {
        const f = collectTreeFacts(node);
        return make('read', 'other', 'EXPLAIN: load-balanceable', {
          tables: f.tables,
          facts: { systemCatalog: f.systemCatalog },
        });
      }
      const c = classifyStatement(inner);
      const why =
        c.kind === 'read'
          ? 'EXPLAIN ANALYZE of a read: load-balanceable'
          : `EXPLAIN ANALYZE executes it: ${c.why}`;
      return { ...c, counter: 'other', why, facts: { ...c.facts, selectStmt: false } };
    }
    case 'VariableShowStmt':
      return make('read', 'other', 'SHOW: load-balanceable');
    case 'TransactionStmt':
      return classifyTransaction(stmt);
    case 'VariableSetStmt':
      return classifySet(stmt);
    case 'DiscardStmt':
      return make('session', 'other', 'DISCARD: all session nodes', {
        facts: {
          discard: (typeof stmt.target === 'string' ? stmt.target : '').replace('DISCARD_', '').toLowerCase(),
        },
      });
    case 'LockStmt': {
      const mode = typeof stmt.mode === 'number' ? stmt.mode : 8;
      const f = collectTreeFacts(node);
      if (mode >= ROW_EXCLUSIVE_LOCK) {
        return make('write', 'other', 'LOCK >= ROW EXCLUSIVE: primary', {
          tables: f.tables,
          facts: { marksWrite: true },
        });
      }
      return make('session', 'other', 'LOCK < ROW EXCLUSIVE: all session nodes', { tables: f.tables });
    }
    case 'PrepareStmt': {
      // pgpool recurses on the prepared query; EXECUTE later inherits this target (session-tracking.ts).
      const c = classifyStatement(isObject(stmt.query) ? stmt.query : {});
      const name = typeof stmt.name === 'string' ? stmt.name : '';
      return {
        ...c,
        counter: 'other',
        why: `PREPARE ${name}: ${c.why}`,
        facts: { ...c.facts, prepareName: name, marksWrite: false },
      };
    }
    case 'ExecuteStmt':
      return make('write', 'other', 'EXECUTE: primary unless the PREPARE was load-balanceable', {
        facts: { executeName: typeof stmt.name === 'string' ? stmt.name : '' },
      });
    case 'DeallocateStmt':
      return make('write', 'other', 'DEALLOCATE: primary unless the PREPARE was load-balanceable', {
        facts: { deallocateName: stmt.isall === true ? '*' : typeof stmt.name === 'string' ? stmt.name : '' },
      });
    default:
      return classifyOther(type, stmt, node);
  }
}

/** DDL and everything pgpool sends to the primary by default (LISTEN/NOTIFY/VACUUM/DO/CALL/DECLARE/FETCH...). */
function classifyOther(type: string, stmt: Json, node: Json): StatementClass {
  const f = collectTreeFacts(node);
  const label = type.replace(/Stmt$/, '');
  if (DDL_PREFIX.test(type)) {
    const facts: StatementFacts = { marksWrite: true };
    if (type === 'CreateStmt' && isObject(stmt.relation)) {
      const name = rangeVarName(stmt.relation);
      facts.writtenTables = [name];
      if (stmt.relation.relpersistence === 't') facts.createsTempTables = [name];
    }
    if (type === 'CreateTableAsStmt' && isObject(stmt.into) && isObject(stmt.into.rel)) {
      const name = rangeVarName(stmt.into.rel);
      facts.writtenTables = [name];
      if (stmt.into.rel.relpersistence === 't') facts.createsTempTables = [name];
    }
    if (type === 'DropStmt') {
      facts.dropsTables = dropNames(stmt);
      if (stmt.removeType === 'OBJECT_FUNCTION' || stmt.removeType === 'OBJECT_PROCEDURE')
        facts.changesFunctions = true;
    }
    if (type === 'TruncateStmt') facts.writtenTables = f.tables;
    if (FUNCTION_DDL.has(type)) facts.changesFunctions = true;
    return make('write', 'ddl', `DDL (${label}): primary`, {
      tables: f.tables,
      functions: f.functions,
      facts,
    });
  }
  const marksWrite = type === 'DoStmt' || type === 'CallStmt';
  return make('write', 'other', `${label}: primary`, {
    tables: f.tables,
    functions: f.functions,
    facts: marksWrite ? { marksWrite } : {},
  });
}

function dropNames(stmt: Json): string[] {
  if (stmt.removeType !== 'OBJECT_TABLE' || !Array.isArray(stmt.objects)) return [];
  return stmt.objects
    .map((o) => (isObject(o) && isObject(o.List) ? nameFromList(o.List.items) : ''))
    .filter((n) => n !== '');
}
