/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (for tests): HELP/TYPE comments, metric names,
 * label sets with escapes, values (incl. NaN, +Inf), optional timestamps; checks that samples follow their TYPE
 * line, histogram buckets are cumulative and end with le="+Inf" equal to _count.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface PromFamily {
  name: string;
  type: string;
  help: string;
  samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  let current: PromFamily | null = null;
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new Error('the exposition must end with a newline');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // other comments are allowed
      const [, kind, name, rest = ''] = m;
      if (!NAME.test(name!)) throw new Error(`${where}: bad metric name ${name}`);
      let f = families.get(name!);
      if (!f) {
        f = { name: name!, type: 'untyped', help: '', samples: [] };
        families.set(name!, f);
      } else if (f.samples.length > 0) throw new Error(`${where}: ${kind} after samples of ${name}`);
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest))
          throw new Error(`${where}: bad type ${rest}`);
        f.type = rest;
      } else f.help = rest;
      current = f;
      return;
    }
    const s = parseSample(line, where);
    const base = current && belongs(s.name, current) ? current : null;
    if (!base) throw new Error(`${where}: sample ${s.name} outside its family`);
    base.samples.push(s);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function belongs(sample: string, f: PromFamily): boolean {
  if (sample === f.name) return f.type !== 'histogram';
  if (f.type === 'histogram')
    return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`].includes(sample);
  return false;
}

function parseSample(line: string, where: string): PromSample {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
  const name = line.slice(0, i);
  if (!NAME.test(name)) throw new Error(`${where}: bad sample name`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) throw new Error(`${where}: bad label`);
      const key = line.slice(i, eq);
      if (!LABEL.test(key)) throw new Error(`${where}: bad label name ${key}`);
      if (line[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
      let j = eq + 2;
      let v = '';
      for (;;) {
        const c = line[j];
        if (c === undefined) throw new Error(`${where}: unterminated label value`);
        if (c === '\\') {
          const n = line[j + 1];
          v += n === 'n' ? '\n' : n;
          j += 2;
        } else if (c === '"') break;
        else {
          v += c;
          j++;
        }
      }
      if (key in labels) throw new Error(`${where}: duplicate label ${key}`);
      labels[key] = v;
      i = j + 1;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`${where}: expected , or }`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
  const [rawValue, ts, extra] = line.slice(i + 1).split(' ');
  if (extra !== undefined || (ts !== undefined && !/^-?\d+$/.test(ts)))
    throw new Error(`${where}: bad timestamp`);
  const value =
    rawValue === 'NaN'
      ? NaN
      : rawValue === '+Inf'
        ? Infinity
        : rawValue === '-Inf'
          ? -Infinity
          : Number(rawValue);
  if (rawValue === undefined || rawValue === '' || (Number.isNaN(value) && rawValue !== 'NaN'))
    throw new Error(`${where}: bad value ${rawValue}`);
  return { name, labels, value };
}

function checkHistogram(f: PromFamily): void {
  const series = new Map<string, PromSample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name === `${f.name}_count`);
    if (!count || !samples.some((s) => s.name === `${f.name}_sum`))
      throw new Error(`${f.name}${key}: histogram without _sum/_count`);
    let prev = -Infinity;
    let last = -1;
    for (const b of buckets) {
      const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
      if (!(le > prev)) throw new Error(`${f.name}${key}: buckets not in increasing le order`);
      if (b.value < last) throw new Error(`${f.name}${key}: buckets not cumulative`);
      prev = le;
      last = b.value;
    }
    if (prev !== Infinity) throw new Error(`${f.name}${key}: no le="+Inf" bucket`);
    if (last !== count.value)
      throw new Error(`${f.name}${key}: +Inf bucket ${last} != _count ${count.value}`);
  }
}

/** Sum of a family's samples (of `sample`, default the family name) whose labels include `match`. */
export function promSum(
  families: Map<string, PromFamily>,
  family: string,
  match: Record<string, string> = {},
  sample = family,
): number {
  const f = families.get(family);
  if (!f) throw new Error(`no metric family ${family}`);
  return f.samples
    .filter((s) => s.name === sample && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
