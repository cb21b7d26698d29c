/**
 * Load-balance node choice (reference §4.4, pgpool `select_load_balancing_node`): weighted random among valid nodes by
 * `backend_weightN` (read live from the cluster state, so `pcp`/dashboard weight changes apply to the next session);
 * a node of weight 0 is chosen only when no valid node has a positive weight (then the primary/main node).
 * `database_redirect_preference_list` / `app_name_redirect_preference_list` (streaming/logical modes only):
 * `<regex>:<node>(<ratio>)`, node = id | primary | standby, ratio default 1.0; the app-name list wins over the database
 * list; the first matching entry wins. With ratio r the named node (for `standby`: a weighted choice among standbys)
 * is used with probability r, otherwise a weighted choice among the other valid nodes.
 */
import type { ClusterState } from '../state/cluster-state';
import type { Logger } from '../runtime/logger';

export interface RedirectRule {
  pattern: RegExp;
  source: string;
  target: number | 'primary' | 'standby';
  ratio: number;
}

/** Parses a redirect preference list; entries that do not parse are logged and skipped. */
export function parseRedirectList(raw: string, param: string, logger?: Logger): RedirectRule[] {
  const rules: RedirectRule[] = [];
  for (const entry of raw.split(',')) {
    const item = entry.trim();
    if (item === '') continue;
    const colon = item.lastIndexOf(':');
    const m = /^\s*(\d+|primary|standby)\s*(?:\(\s*([0-9]*\.?[0-9]+)\s*\))?\s*$/i.exec(
      colon >= 0 ? item.slice(colon + 1) : '',
    );
    if (colon <= 0 || !m) {
      logger?.warn(
        `${param}: cannot parse "${item}" (expected <regex>:<node id|primary|standby>[(<ratio>)])`,
      );
      continue;
    }
    const source = item.slice(0, colon).trim();
    let pattern: RegExp;
    try {
      // pgpool anchors the expression (it matches the whole name).
      pattern = new RegExp(`^(?:${source})$`);
    } catch {
      logger?.warn(`${param}: invalid regular expression "${source}"`);
      continue;
    }
    const word = m[1]!.toLowerCase();
    const target = word === 'primary' || word === 'standby' ? word : Number(word);
    const ratio = m[2] === undefined ? 1 : Math.min(1, Math.max(0, Number(m[2])));
    rules.push({ pattern, source, target, ratio });
  }
  return rules;
}

export function matchRedirect(rules: RedirectRule[], name: string): RedirectRule | undefined {
  return rules.find((r) => r.pattern.test(name));
}

/** Weighted draw among `ids` using their live backend_weight; undefined when no candidate has a positive weight. */
export function weightedPick(state: ClusterState, ids: number[], rng: () => number): number | undefined {
  let total = 0;
  for (const id of ids) total += Math.max(0, state.nodes[id]?.weight ?? 0);
  if (total <= 0) return undefined;
  let r = rng() * total;
  let last: number | undefined;
  for (const id of ids) {
    const w = Math.max(0, state.nodes[id]?.weight ?? 0);
    if (w <= 0) continue;
    last = id;
    if (r < w) return id;
    r -= w;
  }
  return last;
}

export interface ChooseOptions {
  database: string;
  applicationName: string;
  dbRules: RedirectRule[];
  appRules: RedirectRule[];
  rng: () => number;
}

/** The node for a new session's (or, with statement_level_load_balance, a statement's) load-balanced reads. */
export function chooseLoadBalanceNode(
  state: ClusterState,
  opts: ChooseOptions,
): { node: number; why: string } {
  const valid = state.validNodeIds();
  const fallback = state.isStreaming() ? state.effectivePrimaryId : state.mainNodeId;
  if (valid.length === 0) return { node: fallback, why: 'no valid node' };

  const rule = state.isStreaming()
    ? (matchRedirect(opts.appRules, opts.applicationName) ?? matchRedirect(opts.dbRules, opts.database))
    : undefined;
  if (rule) {
    const primary = state.primaryNodeId >= 0 && state.isValid(state.primaryNodeId) ? state.primaryNodeId : -1;
    const preferred =
      rule.target === 'primary'
        ? valid.filter((id) => id === primary)
        : rule.target === 'standby'
          ? valid.filter((id) => id !== primary)
          : valid.filter((id) => id === rule.target);
    const others = valid.filter((id) => !preferred.includes(id));
    const listName = matchRedirect(opts.appRules, opts.applicationName) === rule ? 'app_name' : 'database';
    const label = `${listName}_redirect_preference_list "${rule.source}:${String(rule.target)}(${rule.ratio})"`;
    // rng() < ratio: ratio 1.0 always takes the preferred node(s), 0.0 never does.
    const usePreferred = opts.rng() < rule.ratio;
    const pool = usePreferred ? preferred : others;
    if (pool.length > 0) {
      const picked = pool.length === 1 ? pool[0] : (weightedPick(state, pool, opts.rng) ?? pool[0]);
      if (picked !== undefined)
        return { node: picked, why: `${label}: ${usePreferred ? 'preferred' : 'other'} node ${picked}` };
    }
  }

  const picked = weightedPick(state, valid, opts.rng);
  if (picked !== undefined)
    return {
      node: picked,
      why: `weighted random: node ${picked} (lb_weight ${state.nodes[picked]?.normalizedWeight.toFixed(6)})`,
    };
  const node = state.isValid(fallback) ? fallback : (valid[0] ?? -1);
  return { node, why: `every valid node has backend_weight 0: node ${node}` };
}
