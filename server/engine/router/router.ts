/**
 * createRouter: the Router the proxy session calls (types.ts). classify → route per statement; chooseLoadBalanceNode
 * once per session (and per read with statement_level_load_balance). The parser's WASM module loads in the background;
 * `ready` resolves when it is loaded, and a classify that needs the parser before then returns a Promise.
 */
import type { PgwardenConfig } from '../config/types';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import { createClassifier, isParserLoaded, loadParser, type Classifier } from './classifier';
import { compilePatterns } from './functions';
import { chooseLoadBalanceNode, parseRedirectList } from './load-balance';
import { route } from './route';
import { parseRelationshipList } from './session-tracking';
import type {
  ClassifyContext,
  FunctionVolatility,
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
}

export interface PgwardenRouter extends Router {
  /** Resolves once the parser is loaded (the engine awaits it before accepting clients). */
  ready: Promise<void>;
  classifier: Classifier;
}

export function createRouter(opts: RouterOptions): PgwardenRouter {
  const { config, state, logger } = opts;
  const rng = opts.rng ?? Math.random;
  const classifier = createClassifier({
    config,
    logger,
    ...(opts.volatility ? { volatility: opts.volatility } : {}),
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
  // Raw mode never parses (classifier.ts): do not load the parser's WASM module at all (memory, start-up time).
  const rawMode = config.backend_clustering_mode === 'raw';
  let parserLoaded = rawMode || isParserLoaded();
  const ready = rawMode
    ? Promise.resolve()
    : loadParser().then(() => {
        parserLoaded = true;
      });

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
