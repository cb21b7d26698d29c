/**
 * The one parameter table: every pgpool 4.3 parameter pgwarden knows (implemented or not) and pgwarden's own.
 * Used to validate values, to generate the README reference (scripts/gen-config-docs.ts), to list parameters in
 * PGPOOL SHOW / SHOW pool_status, and to suggest the closest name for a typo.
 */
import { backendParams, healthCheckParams } from './params/backends';
import { authParams, connectionParams, poolParams } from './params/connections';
import { failoverParams, recoveryParams } from './params/failover';
import { loggingParams, pgwardenParams, queryCacheParams } from './params/logging';
import { routingParams, streamingCheckParams } from './params/routing';
import { watchdogParams } from './params/watchdog';
import type { ParamDef, ParamValue } from './registry-types';
import { describeInt } from './values';

export * from './registry-types';

export const PARAMETERS: readonly ParamDef[] = [
  ...connectionParams,
  ...authParams,
  ...poolParams,
  ...backendParams,
  ...healthCheckParams,
  ...routingParams,
  ...streamingCheckParams,
  ...failoverParams,
  ...recoveryParams,
  ...watchdogParams,
  ...loggingParams,
  ...queryCacheParams,
  ...pgwardenParams,
];

const BY_NAME = new Map(PARAMETERS.map((p) => [p.name, p]));

export function getParam(name: string): ParamDef | undefined {
  return BY_NAME.get(name);
}

/** Value as pgpool.conf would spell it (for docs and SHOW): units kept in the base unit, lists re-joined. */
export function formatParamValue(def: ParamDef, value: ParamValue): string {
  if (def.secret && value !== '') return '********';
  if (Array.isArray(value)) return value.join(def.separator === ',' ? ',' : (def.separator ?? ','));
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (def.name === 'log_file_mode' && typeof value === 'number') return `0${value.toString(8)}`;
  return String(value);
}

/** One-phrase description of the accepted values, as used in error messages and docs. */
export function describeDomain(def: ParamDef): string {
  switch (def.kind) {
    case 'int':
      return describeInt(def.min ?? 0, def.max ?? 0, def.unit);
    case 'real':
      return `a number between ${def.min} and ${def.max}`;
    case 'bool':
      return 'a boolean';
    case 'enum':
      return `one of ${(def.values ?? []).join(', ')}`;
    case 'list':
      return `a '${def.separator}'-separated list`;
    case 'string':
      return 'a string';
  }
}

/** Classic edit distance (insert, delete, substitute), for "did you mean" suggestions. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Closest known name, or null when nothing is close enough to be a plausible typo. */
export function suggestName(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = levenshtein(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return best !== null && bestDistance <= limit ? best : null;
}
