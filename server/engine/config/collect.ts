/**
 * From parsed assignments to typed values, one assignment at a time (later assignment wins, as in pgpool):
 * known parameters are coerced by their registry row, array elements are filed by node index, old names go
 * through the alias table, and everything else is reported — unknown keys with the closest known name,
 * known-but-unimplemented keys with "accepted but not implemented by pgwarden yet". Nothing is silent.
 */
import { ALIASES, getAlias, type LegacyWatchdogParam } from './aliases';
import type { DiagnosticSink } from './diagnostics';
import type { Assignment } from './pgpool-conf-parser';
import { splitIndexedName } from './pgpool-conf-parser';
import { boolParam, enumParam, getParam, intParam, PARAMETERS, stringParam, suggestName } from './registry';
import type { ParamDef, ParamValue } from './registry-types';
import { coerceBool, coerceEnum, coerceInt, coerceReal, splitList, type Coerced } from './values';

export interface Entry {
  key: string;
  value: ParamValue;
  file: string;
  line: number;
}

export interface Collected {
  scalars: Map<string, Entry>;
  /** Array parameter base name → node index → entry; `health_check_*` without index lands in `scalars`. */
  arrays: Map<string, Map<number, Entry>>;
  /** replication_mode, master_slave_mode, master_slave_sub_mode. */
  modeSwitches: Map<string, Entry>;
  /** pgpool 3.x watchdog names, scalar (index -1) or indexed. */
  legacyWatchdog: Map<string, Map<number, Entry>>;
}

/** pgpool's MAX_NUM_BACKENDS / MAX_WATCHDOG_NUM / WD_MAX_IF_NUM. */
export const MAX_ARRAY_INDEX = 127;

const legacyDoc = { doc: 'pgpool 3.x name', context: 'INIT' as const, implemented: false, domain: 'legacy' };
const MODE_DEFS: Record<string, ParamDef> = {
  replication_mode: boolParam('replication_mode', false, legacyDoc),
  master_slave_mode: boolParam('master_slave_mode', false, legacyDoc),
  master_slave_sub_mode: enumParam(
    'master_slave_sub_mode',
    'slony',
    ['slony', 'stream', 'logical'],
    legacyDoc,
  ),
};
const port = (name: string) => intParam(name, 0, 1, 65535, legacyDoc);
const LEGACY_WD_DEFS: Record<string, ParamDef> = {
  wd_hostname: stringParam('wd_hostname', '', legacyDoc),
  wd_port: port('wd_port'),
  wd_heartbeat_port: port('wd_heartbeat_port'),
  other_pgpool_hostname: stringParam('other_pgpool_hostname', '', legacyDoc),
  other_pgpool_port: port('other_pgpool_port'),
  other_wd_port: port('other_wd_port'),
  heartbeat_destination: stringParam('heartbeat_destination', '', legacyDoc),
  heartbeat_destination_port: port('heartbeat_destination_port'),
};

export function coerceParam(def: ParamDef, raw: string): Coerced<ParamValue> {
  switch (def.kind) {
    case 'int':
      return coerceInt(raw, def.min ?? 0, def.max ?? 0, def.unit);
    case 'real':
      return coerceReal(raw, def.min ?? 0, def.max ?? 0);
    case 'bool':
      return coerceBool(raw);
    case 'enum':
      return coerceEnum(raw, def.values ?? [], def.legacyValues);
    case 'list':
      return { ok: true, value: splitList(raw, def.separator ?? ',') };
    case 'string':
      return { ok: true, value: raw };
  }
}

const KNOWN_NAMES = [...PARAMETERS.map((p) => p.name), ...Object.keys(ALIASES)];

function sameValue(a: ParamValue, b: ParamValue): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.join('\u0000') === b.join('\u0000') : a === b;
}

export function collect(assignments: Assignment[], sink: DiagnosticSink): Collected {
  const out: Collected = {
    scalars: new Map(),
    arrays: new Map(),
    modeSwitches: new Map(),
    legacyWatchdog: new Map(),
  };

  const typed = (def: ParamDef, a: Assignment): Entry | null => {
    const r = coerceParam(def, a.value);
    if (!r.ok) {
      sink.error(a.file, a.line, a.key, r.reason);
      return null;
    }
    return { key: a.key, value: r.value, file: a.file, line: a.line };
  };
  const notImplemented = (def: ParamDef, e: Entry): void => {
    if (!def.implemented && !sameValue(e.value, def.default)) {
      sink.warn(e.file, e.line, e.key, 'accepted but not implemented by pgwarden yet');
    }
  };
  const putArray = (base: string, index: number, e: Entry): void => {
    const m = out.arrays.get(base) ?? new Map<number, Entry>();
    m.set(index, e);
    out.arrays.set(base, m);
  };

  for (const a of assignments) {
    const def = getParam(a.key);
    if (def && (!def.array || def.array === 'health_check')) {
      const e = typed(def, a);
      if (!e) continue;
      out.scalars.set(def.name, e);
      notImplemented(def, e);
      continue;
    }
    const alias = getAlias(a.key);
    if (alias) {
      handleAlias(a, alias, -1);
      continue;
    }
    if (def?.array) {
      sink.error(a.file, a.line, a.key, `needs a node number suffix (${a.key}0, ${a.key}1, ...)`);
      continue;
    }
    const split = splitIndexedName(a.key);
    const arrayDef = split ? getParam(split.base) : undefined;
    if (split && arrayDef?.array) {
      if (split.index > MAX_ARRAY_INDEX) {
        sink.error(
          a.file,
          a.line,
          a.key,
          `node number ${split.index} is out of range (0..${MAX_ARRAY_INDEX})`,
        );
        continue;
      }
      const e = typed(arrayDef, a);
      if (!e) continue;
      putArray(arrayDef.name, split.index, e);
      notImplemented(arrayDef, e);
      continue;
    }
    const indexedAlias = split ? getAlias(split.base) : undefined;
    if (split && indexedAlias?.kind === 'legacy-watchdog' && indexedAlias.indexed) {
      handleAlias(a, indexedAlias, split.index);
      continue;
    }
    const hint = suggestName(split && getParam(split.base) ? split.base : a.key, KNOWN_NAMES);
    sink.warn(
      a.file,
      a.line,
      a.key,
      `unrecognized configuration parameter, ignored${hint ? `; did you mean '${hint}'?` : ''}`,
    );
  }
  return out;

  function handleAlias(a: Assignment, alias: NonNullable<ReturnType<typeof getAlias>>, index: number): void {
    switch (alias.kind) {
      case 'rename': {
        const target = getParam(alias.to)!;
        sink.warn(
          a.file,
          a.line,
          a.key,
          `deprecated name (renamed ${alias.to} in pgpool-II ${alias.since}); applied to ${alias.to}`,
        );
        const e = typed(target, a);
        if (!e) return;
        out.scalars.set(target.name, e);
        notImplemented(target, e);
        return;
      }
      case 'mode': {
        const e = typed(MODE_DEFS[a.key]!, a);
        if (e) out.modeSwitches.set(a.key, e);
        return;
      }
      case 'legacy-watchdog':
        return legacyWatchdog(a, alias, index);
      case 'obsolete':
        sink.warn(a.file, a.line, a.key, `obsolete parameter, ignored: ${alias.note}`);
        return;
    }
  }

  function legacyWatchdog(a: Assignment, alias: LegacyWatchdogParam, index: number): void {
    const base = index >= 0 ? splitIndexedName(a.key)!.base : a.key;
    const e = typed(LEGACY_WD_DEFS[base]!, a);
    if (!e) return;
    sink.warn(a.file, a.line, a.key, `pgpool-II 3.x watchdog parameter (4.x: ${alias.modern}); converted`);
    const m = out.legacyWatchdog.get(base) ?? new Map<number, Entry>();
    m.set(index, e);
    out.legacyWatchdog.set(base, m);
  }
}
