/**
 * The parameter registry's vocabulary: one row per pgpool.conf parameter (plus pgwarden's own), from which the
 * loader validates values, the README reference is generated, `PGPOOL SHOW` lists descriptions, and unknown keys
 * get a suggestion. Builders keep each domain file to one line per parameter.
 */
import { z } from 'zod';
import type { ParamUnit } from './values';

export type ParamKind = 'bool' | 'int' | 'real' | 'string' | 'enum' | 'list';
/** pgpool's CFGCXT_*: INIT needs a restart, RELOAD is re-read on SIGHUP, SESSION may also be set by PGPOOL SET. */
export type ParamContext = 'INIT' | 'RELOAD' | 'SESSION';
/** Per-node parameter families: `backend_*N`, `health_check_*N` (with a global default), watchdog and heartbeat. */
export type ArrayGroup = 'backend' | 'health_check' | 'watchdog' | 'heartbeat';
export type ParamValue = boolean | number | string | string[];

export interface ParamDef {
  name: string;
  kind: ParamKind;
  default: ParamValue;
  unit?: ParamUnit;
  min?: number;
  max?: number;
  /** Enum spellings (canonical). */
  values?: readonly string[];
  /** Old enum spellings still accepted (`check_temp_table = on` means catalog). */
  legacyValues?: Record<string, string>;
  /** List separator inside the string value. */
  separator?: ',' | ';' | '|';
  doc: string;
  context: ParamContext;
  /** false: pgwarden accepts and validates it but does not act on it yet (a warning says so). */
  implemented: boolean;
  /** Domain heading in the generated reference. */
  domain: string;
  array?: ArrayGroup;
  /** Parameter exists only in pgwarden (documented as an extension). */
  pgwarden?: boolean;
  /** Value is a secret: never printed by SHOW or the docs. */
  secret?: boolean;
  /** zod schema of the typed value (after unit conversion), used for overrides and the final config check. */
  schema: z.ZodType<ParamValue>;
}

type Common = Pick<ParamDef, 'doc' | 'context' | 'implemented' | 'domain'> &
  Partial<Pick<ParamDef, 'array' | 'pgwarden' | 'secret' | 'unit' | 'legacyValues'>>;

export const INT_MAX = 2147483647;

function meta<T extends z.ZodType<ParamValue>>(schema: T, name: string, doc: string): T {
  return schema.meta({ id: `pgwarden.param.${name}`, description: doc }) as T;
}

export function intParam(name: string, def: number, min: number, max: number, c: Common): ParamDef {
  const schema = meta(z.number().int().min(min).max(max), name, c.doc);
  return { name, kind: 'int', default: def, min, max, schema, ...c };
}

export function realParam(name: string, def: number, min: number, max: number, c: Common): ParamDef {
  const schema = meta(z.number().min(min).max(max), name, c.doc);
  return { name, kind: 'real', default: def, min, max, schema, ...c };
}

export function boolParam(name: string, def: boolean, c: Common): ParamDef {
  return { name, kind: 'bool', default: def, schema: meta(z.boolean(), name, c.doc), ...c };
}

export function stringParam(name: string, def: string, c: Common): ParamDef {
  return { name, kind: 'string', default: def, schema: meta(z.string(), name, c.doc), ...c };
}

export function enumParam(
  name: string,
  def: string,
  values: readonly [string, ...string[]],
  c: Common,
): ParamDef {
  return { name, kind: 'enum', default: def, values, schema: meta(z.enum(values), name, c.doc), ...c };
}

export function listParam(name: string, def: string[], separator: ',' | ';' | '|', c: Common): ParamDef {
  return {
    name,
    kind: 'list',
    default: def,
    separator,
    schema: meta(z.array(z.string()), name, c.doc),
    ...c,
  };
}
