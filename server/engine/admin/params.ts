/**
 * Parameter values as the admin statements print them, from the config registry (one table for config loading,
 * docs and SHOW). PGPOOL SHOW spells values like pgpool.conf (booleans on/off); SHOW pool_status prints booleans
 * 0/1 (reference §2). Secrets print as `*****`. A session's PGPOOL SET value wins over the config.
 */
import { getParam, type ParamDef, type ParamValue } from '../config/registry';
import type { AdminContext } from './types';

export const MASK = '*****';

/** The effective value for this session, or undefined for an unknown / per-node parameter. */
export function paramValue(ctx: AdminContext, def: ParamDef): ParamValue | undefined {
  const override = ctx.session.overrides.get(def.name);
  if (override !== undefined) {
    if (def.kind === 'bool') return override === 'on';
    if (def.kind === 'int' || def.kind === 'real') return Number(override);
    return override;
  }
  const fromSettings = ctx.config.settings?.[def.name];
  if (fromSettings !== undefined) return fromSettings;
  const direct = (ctx.config as unknown as Record<string, unknown>)[def.name];
  return typeof direct === 'string' ||
    typeof direct === 'number' ||
    typeof direct === 'boolean' ||
    Array.isArray(direct)
    ? (direct as ParamValue)
    : undefined;
}

function joinList(def: ParamDef, v: string[]): string {
  return v.join(def.separator ?? ',');
}

export function formatShow(def: ParamDef, v: ParamValue): string {
  if (def.secret && v !== '') return MASK;
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (Array.isArray(v)) return joinList(def, v);
  return String(v);
}

export function formatStatus(def: ParamDef, v: ParamValue): string {
  if (def.secret && v !== '') return MASK;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Array.isArray(v)) return joinList(def, v);
  return String(v);
}

export function lookupParam(name: string): ParamDef | undefined {
  return getParam(name.toLowerCase());
}

const TRUE = new Set(['on', 'true', 'yes', '1', 't', 'y']);
const FALSE = new Set(['off', 'false', 'no', '0', 'f', 'n']);

/** Checks a PGPOOL SET value against the parameter's kind; returns the canonical spelling or an error text. */
export function validateValue(def: ParamDef, raw: string): { value: string } | { error: string } {
  const v = raw.trim();
  const bad = { error: `invalid value for parameter "${def.name}": "${raw}"` };
  switch (def.kind) {
    case 'bool':
      if (TRUE.has(v.toLowerCase())) return { value: 'on' };
      if (FALSE.has(v.toLowerCase())) return { value: 'off' };
      return bad;
    case 'int': {
      if (!/^-?\d+$/.test(v)) return bad;
      const n = Number(v);
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) return bad;
      return { value: String(n) };
    }
    case 'real':
      return Number.isFinite(Number(v)) && v !== '' ? { value: v } : bad;
    case 'enum': {
      const lower = v.toLowerCase();
      const canonical = def.values?.find((x) => x.toLowerCase() === lower) ?? def.legacyValues?.[lower];
      return canonical ? { value: canonical } : bad;
    }
    default:
      return { value: v };
  }
}

/** Typed overrides the router understands (SessionRouteContext.overrides) from a session's PGPOOL SET values. */
export function routeOverrides(overrides: Map<string, string>): {
  allow_sql_comments?: boolean;
  check_unlogged_table?: boolean;
} {
  const out: { allow_sql_comments?: boolean; check_unlogged_table?: boolean } = {};
  const a = overrides.get('allow_sql_comments');
  if (a !== undefined) out.allow_sql_comments = a === 'on';
  const u = overrides.get('check_unlogged_table');
  if (u !== undefined) out.check_unlogged_table = u === 'on';
  return out;
}
