/**
 * createRouter: the Router the proxy session calls (types.ts). classify → route per statement; chooseLoadBalanceNode
 * once per session (and per read with statement_level_load_balance). The parser's WASM module loads in the background;
 * `ready` resolves when it is loaded, and a classify that needs the parser before then returns a Promise.
 */
import type { PgwardenConfig } from '../config/types';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import { createClassifier, isParserLoaded, loadParser, type Classifier } from './classifier';
import {
  createCatalogRelationLookup,
  createCatalogSource,
  loadBuiltinVolatility,
  type CatalogSource,
} from './catalog-source';
import { compilePatterns, createPgProcVolatility } from './functions';
import { chooseLoadBalanceNode, parseRedirectList } from './load-balance';
import { route } from './route';
import { parseRelationshipList } from './session-tracking';
import type {
  ClassifyContext,
  FunctionVolatility,
  RelationLookup,
  Router,
  SessionRouteContext,
  StatementClass,
} from './types';

export interface RouterOptions {
  config: PgwardenConfig;
  state: ClusterState;
  /** pg_proc volatility (createPgProcVolatility); without it a built-in list of writing functions is used. */
  volatility?: FunctionVolatility;
  /** Uniform [0, 1) random source; injectable for tests. */
  rng?: () => number;
  logger: Logger;
  /** Statement-class LRU size (default 10,000 statement texts). */
  cacheSize?: number;
  /**
   * The engine's catalogue access (reference §4.4): pg_proc volatility when both function lists are empty,
   * check_unlogged_table and check_temp_table = catalog, through the router's own connections to the primary as
   * sr_check_user (`password`: pool_passwd lookup for an empty sr_check_password). pg_catalog function volatility is
   * loaded once before `ready` (at most `builtinsTimeoutMs`, default 5 s) and again after every failover / reload, when
   * all catalogue answers are forgotten. Without it: the built-in list of writing functions, no relation lookups.
   */
  catalog?: { password?: (user: string) => string | undefined; builtinsTimeoutMs?: number };
}

export interface PgwardenRouter extends Router {
  /** Resolves once the parser is loaded (the engine awaits it before accepting clients). */
  ready: Promise<void>;
  classifier: Classifier;
}

export function createRouter(opts: RouterOptions): PgwardenRouter {
  const { config, state, logger } = opts;
  const rng = opts.rng ?? Math.random;
  // Raw mode never parses (classifier.ts): do not load the parser's WASM module at all (memory, start-up time).
  const rawMode = config.backend_clustering_mode === 'raw';
  const source: CatalogSource | null =
    opts.catalog && !rawMode
      ? createCatalogSource({ config: () => config, state, password: opts.catalog.password, logger })
      : null;
  const volatility =
    opts.volatility ?? (source ? createPgProcVolatility((database) => source.connect(database)) : undefined);
  const lookups = new Map<string, RelationLookup>();
  const relationsFor = source
    ? (database: string): RelationLookup => {
        let l = lookups.get(database);
        if (!l) lookups.set(database, (l = createCatalogRelationLookup(source, database)));
        return l;
      }
    : undefined;
  const classifier = createClassifier({
    config,
    logger,
    ...(volatility ? { volatility } : {}),
    ...(relationsFor ? { relationsFor } : {}),
    ...(opts.cacheSize ? { cacheSize: opts.cacheSize } : {}),
  });
  const dbRules = parseRedirectList(
    config.database_redirect_preference_list,
    'database_redirect_preference_list',
    logger,
  );
  const appRules = parseRedirectList(
    config.app_name_redirect_preference_list,
    'app_name_redirect_preference_list',
    logger,
  );
  // Native replication load balances everything (reference §4.4): the pattern list applies to SL mode only.
  const primaryPatterns = compilePatterns(
    config.primary_routing_query_pattern_list,
    'primary_routing_query_pattern_list',
    logger,
  );
  const relationships = parseRelationshipList(config.dml_adaptive_object_relationship_list);
  let parserLoaded = rawMode || isParserLoaded();
  const parserReady = rawMode
    ? Promise.resolve()
    : loadParser().then(() => {
        parserLoaded = true;
      });

  // pg_catalog volatility once (not per statement): the builtins are the same in every database.
  const policyNeedsCatalog =
    config.read_only_function_list.every((p) => p.trim() === '') &&
    config.write_function_list.every((p) => p.trim() === '');
  let builtinsGeneration = 0;
  const loadBuiltins = (): Promise<void> => {
    if (!source || !policyNeedsCatalog) return Promise.resolve();
    const gen = ++builtinsGeneration;
    const database = config.sr_check_database || 'postgres';
    const load = loadBuiltinVolatility(source, database).then(
      (m) => {
        if (gen !== builtinsGeneration) return;
        classifier.setBuiltins(m);
        logger.debug(`pg_catalog function volatility loaded (${m.size} names)`);
      },
      (e: unknown) => {
        if (gen !== builtinsGeneration) return;
        classifier.setBuiltins(null);
        logger.warn(
          'could not load pg_catalog function volatility: every function is looked up per database',
          {
            error: String(e),
          },
        );
      },
    );
    const limit = opts.catalog?.builtinsTimeoutMs ?? 5000;
    return Promise.race([load, new Promise<void>((r) => setTimeout(r, limit).unref())]);
  };
  const ready = Promise.all([parserReady, loadBuiltins()]).then(() => undefined);
  if (source) {
    const unsubscribe = state.subscribe((e) => {
      if (e.kind === 'engine_stopping') {
        unsubscribe();
        builtinsGeneration++;
        void source.reset();
        return;
      }
      // A new primary (or new settings): answers may differ; ask again.
      if (e.kind === 'primary_changed' || e.kind === 'failover_finished' || e.kind === 'config_reloaded') {
        classifier.invalidateAll();
        classifier.setBuiltins(null);
        void source.reset().then(() => loadBuiltins());
      }
    });
  }

  const choose = (ctx: Pick<SessionRouteContext, 'database' | 'applicationName'>) => {
    const c = chooseLoadBalanceNode(state, {
      database: ctx.database,
      applicationName: ctx.applicationName,
      dbRules,
      appRules,
      rng,
    });
    logger.debug(`selecting load balance node: ${c.why}`, {
      database: ctx.database,
      application_name: ctx.applicationName,
    });
    return c;
  };

  const classify = (sql: string, ctx?: ClassifyContext): StatementClass | Promise<StatementClass> =>
    parserLoaded ? classifier.classify(sql, ctx) : ready.then(() => classifier.classify(sql, ctx));

  return {
    ready,
    classifier,
    classify,
    chooseLoadBalanceNode: (ctx) => choose(ctx).node,
    route: (cls, ctx, sql) =>
      route(cls, ctx, sql, {
        state,
        config,
        primaryPatterns,
        relationships,
        choose,
        invalidate: (db, what) => classifier.invalidate(db, what),
      }),
  };
}
