/**
 * Turning raw pgpool.conf text into typed values, with pgpool's (PostgreSQL GUC) rules: booleans accept
 * on/off/true/false/yes/no/1/0 and unique prefixes, case-insensitively; integers accept `0x` hex and a unit suffix
 * converted to the parameter's base unit (`5min` for a seconds parameter is 300); enums are case-insensitive.
 * Each function returns the value or the reason, so the caller can print `file:line: key: invalid value ...`.
 */
export type Coerced<T> = { ok: true; value: T } | { ok: false; reason: string };

export type ParamUnit = 'ms' | 's' | 'min' | 'B' | 'kB';

const ok = <T>(value: T): Coerced<T> => ({ ok: true, value });
const fail = <T>(reason: string): Coerced<T> => ({ ok: false, reason });

const BOOL_WORDS: [string, boolean][] = [
  ['on', true],
  ['off', false],
  ['true', true],
  ['false', false],
  ['yes', true],
  ['no', false],
];

export function parseBool(raw: string): boolean | null {
  const s = raw.trim().toLowerCase();
  if (s === '1') return true;
  if (s === '0') return false;
  if (s.length === 0) return null;
  const hits = BOOL_WORDS.filter(([w]) => w.startsWith(s));
  if (hits.length === 0) return null;
  const first = hits[0]![1];
  // "o" is both on and off: ambiguous; "t" only matches true.
  return hits.every(([, v]) => v === first) ? first : null;
}

export function coerceBool(raw: string): Coerced<boolean> {
  const v = parseBool(raw);
  return v === null
    ? fail(`invalid value '${raw}': expected a boolean (on/off, true/false, yes/no, 1/0)`)
    : ok(v);
}

const TIME_MS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const MEMORY_B: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const UNIT_IN_BASE: Record<ParamUnit, { table: Record<string, number>; factor: number }> = {
  ms: { table: TIME_MS, factor: 1 },
  s: { table: TIME_MS, factor: 1000 },
  min: { table: TIME_MS, factor: 60_000 },
  B: { table: MEMORY_B, factor: 1 },
  kB: { table: MEMORY_B, factor: 1024 },
};

export function unitHint(unit: ParamUnit): string {
  const names = Object.keys(UNIT_IN_BASE[unit].table);
  return `valid units for this parameter are ${names.map((n) => `"${n}"`).join(', ')}`;
}

export function describeInt(min: number, max: number, unit?: ParamUnit): string {
  const base = `expected an integer between ${min} and ${max}`;
  return unit ? `${base} (in ${unit}; ${unitHint(unit)})` : base;
}

/** Integer with optional unit suffix, converted to `unit`, then range-checked. */
export function coerceInt(raw: string, min: number, max: number, unit?: ParamUnit): Coerced<number> {
  const expected = describeInt(min, max, unit);
  const m = /^\s*([+-]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]*)\s*$/.exec(
    raw,
  );
  if (!m) return fail(`invalid value '${raw}': ${expected}`);
  const numText = m[1]!;
  const suffix = m[2]!;
  // strtol(base 0) like PostgreSQL's parse_int: 0x.. is hex, a leading 0 is octal (log_file_mode = 0600).
  let n = /^[+-]?0[xX]/.test(numText)
    ? Number.parseInt(numText, 16)
    : /^[+-]?0[0-7]+$/.test(numText)
      ? Number.parseInt(numText, 8)
      : Number(numText);
  if (!Number.isFinite(n)) return fail(`invalid value '${raw}': ${expected}`);
  if (suffix) {
    if (!unit) return fail(`invalid value '${raw}': ${expected} (this parameter takes no unit)`);
    const spec = UNIT_IN_BASE[unit];
    const mult = spec.table[suffix];
    if (mult === undefined) return fail(`invalid value '${raw}': ${unitHint(unit)}`);
    n = Math.round((n * mult) / spec.factor);
  } else if (!Number.isInteger(n)) {
    return fail(`invalid value '${raw}': ${expected}`);
  }
  if (n < min || n > max) return fail(`invalid value '${raw}': ${expected}`);
  return ok(n);
}

export function coerceReal(raw: string, min: number, max: number): Coerced<number> {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    return fail(`invalid value '${raw}': expected a number between ${min} and ${max}`);
  }
  return ok(n);
}

/** Enum values are matched case-insensitively; the canonical spelling is returned. */
export function coerceEnum(
  raw: string,
  values: readonly string[],
  legacy: Record<string, string> = {},
): Coerced<string> {
  const s = raw.trim().toLowerCase();
  const hit = values.find((v) => v.toLowerCase() === s) ?? legacy[s];
  return hit === undefined ? fail(`invalid value '${raw}': expected one of ${values.join(', ')}`) : ok(hit);
}

/** Comma, semicolon or bar lists inside one string; items trimmed, empty items dropped (pgpool does the same). */
export function splitList(raw: string, separator: string): string[] {
  return raw
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
