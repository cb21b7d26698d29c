// Results of the scenario runs (bench/scenarios/*.ts): a few contenders measured on one pgbench case in the same run,
// rounds interleaved, and the ratios an issue asks for. Pure: summarised and rendered here, unit-tested in
// model.test.ts.

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export type ScenarioId = 'routing' | 'native' | 'dashboard';
export const ALL_SCENARIOS: ScenarioId[] = ['routing', 'native', 'dashboard'];

export interface ScenarioRound {
  tps: number | null;
  latencyMs: number | null;
  error: string | null;
  processed: number | null;
  /** CPU seconds of the contender's process tree during the run (null: not sampled). */
  cpuSeconds: number | null;
  /** Peak RSS of the contender's process tree during the run. */
  rssBytes: number | null;
}

export interface ScenarioRow {
  id: string;
  label: string;
  rounds: ScenarioRound[];
  /** Median over the rounds without error. */
  tps: number | null;
  latencyMs: number | null;
  cpuUsPerTx: number | null;
  rssBytes: number | null;
  /** Why the row has no number, or what to know about it (unavailable, failed rounds, poller figures...). */
  note: string | null;
}

export interface ScenarioRatio {
  /** e.g. "routing cost vs raw". */
  name: string;
  numerator: string;
  denominator: string;
  value: number | null;
  /** Minimum value that meets the target, e.g. 0.9; null = informational. */
  min: number | null;
  target: string;
}

export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  /** pgbench case, e.g. "-S simple, 32 clients". */
  workload: string;
  seconds: number;
  rounds: number;
  rows: ScenarioRow[];
  ratios: ScenarioRatio[];
  notes: string[];
  /** Wall time of the scenario including its setup, seconds. */
  wallSeconds: number;
}

export function emptyRow(id: string, label: string, note: string | null = null): ScenarioRow {
  return { id, label, rounds: [], tps: null, latencyMs: null, cpuUsPerTx: null, rssBytes: null, note };
}

/** Fills the medians of a row from its rounds; failed rounds are named in the note. */
export function summarizeRow(row: ScenarioRow): ScenarioRow {
  const ok = row.rounds.filter((r) => r.tps !== null && r.error === null);
  row.tps = ok.length ? median(ok.map((r) => r.tps!)) : null;
  row.latencyMs = ok.length ? median(ok.map((r) => r.latencyMs ?? 0)) : null;
  const perTx = ok.filter((r) => r.cpuSeconds !== null && r.processed);
  row.cpuUsPerTx = perTx.length ? median(perTx.map((r) => (r.cpuSeconds! * 1e6) / r.processed!)) : null;
  const rss = row.rounds.map((r) => r.rssBytes).filter((x): x is number => x !== null);
  row.rssBytes = rss.length ? Math.max(...rss) : null;
  const failed = row.rounds.filter((r) => r.error !== null || r.tps === null);
  if (failed.length) {
    const why = `${failed.length} of ${row.rounds.length} round(s) failed: ${failed[0]!.error ?? 'no TPS'}`;
    row.note = row.note ? `${row.note}; ${why}` : why;
  }
  if (!row.rounds.length && !row.note) row.note = 'not run (budget exhausted or interrupted)';
  return row;
}

export function ratio(
  rows: ScenarioRow[],
  name: string,
  numerator: string,
  denominator: string,
  min: number | null,
  target: string,
): ScenarioRatio {
  const a = rows.find((r) => r.id === numerator)?.tps ?? null;
  const b = rows.find((r) => r.id === denominator)?.tps ?? null;
  return { name, numerator, denominator, value: a !== null && b ? a / b : null, min, target };
}

export function verdictOf(r: ScenarioRatio): 'PASS' | 'FAIL' | 'N/A' | 'info' {
  if (r.value === null) return 'N/A';
  if (r.min === null) return 'info';
  return r.value >= r.min ? 'PASS' : 'FAIL';
}

const fmt = (x: number | null, digits = 0): string => (x === null ? '-' : x.toFixed(digits));
const mb = (b: number | null): string => (b === null ? '-' : (b / 1024 ** 2).toFixed(0));

function rowCells(r: ScenarioRow): string[] {
  return [
    r.id,
    fmt(r.tps),
    fmt(r.latencyMs, 3),
    fmt(r.cpuUsPerTx),
    mb(r.rssBytes),
    `${r.rounds.filter((x) => x.error === null && x.tps !== null).length}/${r.rounds.length}`,
    r.note ?? '',
  ];
}

const HEADER = ['contender', 'TPS', 'lat ms', 'CPU us/tx', 'RSS MB', 'ok rounds', 'note'];

function ratioLine(r: ScenarioRatio): string {
  const v = r.value === null ? 'N/A' : r.value.toFixed(2);
  return `[${verdictOf(r)}] ${r.name} = ${r.numerator} / ${r.denominator} = ${v} (target ${r.target})`;
}

function heading(s: ScenarioResult): string {
  return (
    `${s.title}: pgbench ${s.workload}, -T ${s.seconds} s, median of ${s.rounds} round(s), ` +
    `rounds interleaved across contenders; ${Math.round(s.wallSeconds)} s wall time`
  );
}

export function renderScenarioText(s: ScenarioResult): string[] {
  const rows = [HEADER, ...s.rows.map(rowCells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return [
    `Scenario ${s.id}: ${heading(s)}`,
    ...s.rows.map((r) => `  ${r.id}: ${r.label}`),
    ...rows.map(
      (r) =>
        '  ' +
        r
          .map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
          .join('  ')
          .trimEnd(),
    ),
    ...s.ratios.map((r) => `  ${ratioLine(r)}`),
    ...s.notes.map((n) => `  note: ${n}`),
  ];
}

export function renderScenarioMarkdown(s: ScenarioResult): string[] {
  const md = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    `### Scenario ${s.id}`,
    '',
    heading(s) + '.',
    '',
    ...s.rows.map((r) => `- \`${r.id}\`: ${r.label}`),
    '',
    md(HEADER),
    md(HEADER.map((_, i) => (i === 0 || i === 6 ? '---' : '---:'))),
    ...s.rows.map((r) => md(rowCells(r))),
    '',
    ...s.ratios.map((r) => `- **${ratioLine(r)}**`),
    ...s.notes.map((n) => `- ${n}`),
    '',
  ];
}
