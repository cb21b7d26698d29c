// Turns case results into the comparison table, the issue's targets (PASS/FAIL: a report, not a test) and the
// .json/.md files under bench/results/.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { caseKey, HEADLINE } from './matrix';
import type { BenchCase } from './pgbench';
import { renderScenarioMarkdown, renderScenarioText, type ScenarioResult } from './scenarios/model';
import type { TargetId } from './targets/target';

export interface RoundResult {
  tps: number | null;
  latencyMs: number | null;
  failed: number | null;
  error: string | null;
  /** Transactions pgbench completed, and the CPU the proxy's process tree used meanwhile. */
  processed?: number | null;
  proxyCpuSeconds?: number | null;
}

export interface CaseResult extends BenchCase {
  target: TargetId;
  status: 'ok' | 'error' | 'n/a' | 'skipped';
  /** Median over the successful rounds. */
  tps: number | null;
  /** Proxy CPU time per transaction, microseconds (median over rounds; null for direct). */
  cpuUsPerTx: number | null;
  latencyMs: number | null;
  failed: number | null;
  rounds: RoundResult[];
  /** Peak memory of the proxy's process tree during the case, bytes (null for direct). */
  rssBytes: number | null;
  pssBytes: number | null;
  processes: number | null;
  note: string | null;
}

export interface TargetInfo {
  id: TargetId;
  label: string;
  available: boolean;
  reason: string | null;
}

export interface RunMeta {
  startedAt: string;
  finishedAt: string;
  host: string;
  cpus: number;
  loadAvgAtStart: number[];
  seconds: number;
  rounds: number;
  matrix: string;
  scale: number;
  postgres: string;
  /** Git commit of the pgwarden code measured, with a note when the working tree had uncommitted changes. */
  commit: string;
  notes: string[];
}

export interface Verdict {
  target: string;
  status: 'PASS' | 'FAIL' | 'N/A';
  detail: string;
}

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The pgwarden row a target is compared with: the same clustering mode (SR proxies vs pgwarden SR, else raw). */
export function pgwardenPeer(id: TargetId): TargetId {
  return id.endsWith('-sr') ? 'pgwarden-sr' : 'pgwarden-raw';
}

function find(results: CaseResult[], id: TargetId, c: BenchCase): CaseResult | undefined {
  return results.find((r) => r.target === id && caseKey(r) === caseKey(c));
}

function tpsOf(results: CaseResult[], id: TargetId, c: BenchCase): number | null {
  const r = find(results, id, c);
  return r?.status === 'ok' ? r.tps : null;
}

function ratio(a: number | null, b: number | null): number | null {
  return a !== null && b !== null && b > 0 ? a / b : null;
}

const fmt = (x: number | null, digits = 0): string => (x === null ? '-' : x.toFixed(digits));
const mb = (x: number | null): string => (x === null ? '-' : (x / 1048576).toFixed(1));

export function evaluateTargets(results: CaseResult[], targets: TargetInfo[]): Verdict[] {
  const why = (id: TargetId): string => {
    const t = targets.find((x) => x.id === id);
    return !t
      ? `${id} not selected`
      : !t.available
        ? `${id} not available (reason above)`
        : `${id}: no result`;
  };
  const cmp = (label: string, c: BenchCase, a: TargetId, b: TargetId, min: number): Verdict => {
    const ta = tpsOf(results, a, c);
    const tb = tpsOf(results, b, c);
    const r = ratio(ta, tb);
    if (r === null) return { target: label, status: 'N/A', detail: ta === null ? why(a) : why(b) };
    const detail = `${a} ${fmt(ta)} TPS / ${b} ${fmt(tb)} TPS = ${r.toFixed(2)}x (need >= ${min.toFixed(1)}x)`;
    return { target: label, status: r >= min ? 'PASS' : 'FAIL', detail };
  };
  const rss = (id: TargetId): Verdict => {
    const label = `${id} RSS at 32 clients <= 120 MB`;
    const r = find(results, id, HEADLINE.select32);
    if (r?.rssBytes == null) return { target: label, status: 'N/A', detail: why(id) };
    const detail = `peak VmRSS ${mb(r.rssBytes)} MB (PSS ${mb(r.pssBytes)} MB) during -S at 32 clients`;
    return { target: label, status: r.rssBytes <= 120 * 1048576 ? 'PASS' : 'FAIL', detail };
  };
  return [
    cmp(
      '-S 32 clients: pgwarden >= 2.0x pgpool-II (SR vs SR)',
      HEADLINE.select32,
      'pgwarden-sr',
      'pgpool-sr',
      2,
    ),
    cmp(
      '-S 32 clients: pgwarden >= 2.0x pgpool-II (raw vs raw)',
      HEADLINE.select32,
      'pgwarden-raw',
      'pgpool-raw',
      2,
    ),
    cmp(
      '-S 32 clients: pgwarden >= 1.0x PgBouncer session',
      HEADLINE.select32,
      'pgwarden-raw',
      'pgbouncer-session',
      1,
    ),
    cmp(
      '-C (8 clients, -S): pgwarden >= 2x pgpool-II (SR vs SR)',
      HEADLINE.connect8,
      'pgwarden-sr',
      'pgpool-sr',
      2,
    ),
    cmp(
      '-C (8 clients, -S): pgwarden >= 2x pgpool-II (raw vs raw)',
      HEADLINE.connect8,
      'pgwarden-raw',
      'pgpool-raw',
      2,
    ),
    cmp(
      'TPC-B 8 clients: pgwarden >= 0.9x PgBouncer session',
      HEADLINE.tpcb8,
      'pgwarden-raw',
      'pgbouncer-session',
      0.9,
    ),
    rss('pgwarden-raw'),
    rss('pgwarden-sr'),
    cmp(
      'Routing cost <= 10% (-S 32 clients, SR vs raw)',
      HEADLINE.select32,
      'pgwarden-sr',
      'pgwarden-raw',
      0.9,
    ),
    cmp(
      'Routing cost <= 10% (TPC-B 8 clients, SR vs raw)',
      HEADLINE.tpcb8,
      'pgwarden-sr',
      'pgwarden-raw',
      0.9,
    ),
  ];
}

const HEAD = [
  'target',
  'workload',
  'mode',
  'clients',
  'TPS',
  'lat ms',
  'vs direct',
  'vs pgwarden',
  'RSS MB',
  'PSS MB',
  'CPU us/tx',
];

/** Table rows, and the notes of failed / n/a / skipped cases as numbered footnotes ("error [2]"). */
export function tableRows(results: CaseResult[]): { rows: string[][]; notes: string[] } {
  const notes: string[] = [];
  const footnote = (note: string): number => {
    const i = notes.indexOf(note);
    return i >= 0 ? i + 1 : notes.push(note);
  };
  const rows = results.map((r) => {
    const c: BenchCase = r;
    const ok = r.status === 'ok';
    const vsDirect = ok ? ratio(r.tps, tpsOf(results, 'direct', c)) : null;
    const vsPgwarden = ok ? ratio(r.tps, tpsOf(results, pgwardenPeer(r.target), c)) : null;
    const rounds = r.rounds.length > 1 ? ` (median of ${r.rounds.filter((x) => x.tps !== null).length})` : '';
    return [
      r.target,
      r.workload + (r.connect ? ' -C' : ''),
      r.mode,
      String(r.clients),
      (ok ? fmt(r.tps) + rounds : r.status) + (r.note ? ` [${footnote(r.note)}]` : ''),
      ok ? fmt(r.latencyMs, 3) : '-',
      fmt(vsDirect, 2),
      fmt(vsPgwarden, 2),
      mb(r.rssBytes),
      mb(r.pssBytes),
      fmt(r.cpuUsPerTx),
    ];
  });
  return { rows, notes };
}

function textTable(rows: string[][]): string {
  const all = [HEAD, ...rows];
  const w = HEAD.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i >= 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ');
  return [line(HEAD), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function mdTable(rows: string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i >= 3 ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function targetsText(targets: TargetInfo[]): string[] {
  return targets.map((t) => `${t.id}: ${t.available ? t.label : `not available: ${t.reason}`}`);
}

export function renderText(
  meta: RunMeta,
  results: CaseResult[],
  targets: TargetInfo[],
  scenarios: ScenarioResult[] = [],
): string {
  const verdicts = evaluateTargets(results, targets);
  const table = tableRows(results);
  return [
    `pgwarden bench: ${meta.matrix} matrix, -T ${meta.seconds} s, ${meta.rounds} round(s) on headline cases, ` +
      `scale ${meta.scale}, ${meta.cpus} CPUs, load ${meta.loadAvgAtStart.map((x) => x.toFixed(2)).join(' ')}, ` +
      `pgwarden ${meta.commit}`,
    ...(results.length
      ? [
          ...targetsText(targets).map((l) => `  ${l}`),
          '',
          textTable(table.rows),
          ...table.notes.map((n, i) => `  [${i + 1}] ${n}`),
          '',
          'Targets (a report, not a test; "vs pgwarden" = this TPS / pgwarden TPS in the same clustering mode):',
          ...verdicts.map((v) => `  [${v.status}] ${v.target}: ${v.detail}`),
        ]
      : ['(matrix not run: --no-matrix)']),
    ...scenarios.flatMap((sc) => ['', ...renderScenarioText(sc)]),
    ...meta.notes.map((n) => `note: ${n}`),
  ].join('\n');
}

export function renderMarkdown(
  meta: RunMeta,
  results: CaseResult[],
  targets: TargetInfo[],
  scenarios: ScenarioResult[] = [],
): string {
  const verdicts = evaluateTargets(results, targets);
  const table = tableRows(results);
  return [
    `# pgwarden bench: ${meta.startedAt} on ${meta.host}`,
    '',
    `${meta.matrix} matrix, pgbench -T ${meta.seconds} s, median of ${meta.rounds} round(s) on headline cases, ` +
      `pgwarden ${meta.commit}, scale ${meta.scale}, ${meta.cpus} CPUs (load average at start ${meta.loadAvgAtStart.map((x) => x.toFixed(2)).join(' ')}), ${meta.postgres}.`,
    '',
    ...(results.length
      ? [
          ...targetsText(targets).map((l) => `- ${l}`),
          '',
          mdTable(table.rows),
          '',
          ...table.notes.map((n, i) => `${i + 1}. ${n}`),
          '',
          '"vs direct" = TPS / direct TPS; "vs pgwarden" = TPS / pgwarden TPS in the same clustering mode (SR rows vs',
          'pgwarden-sr, others vs pgwarden-raw). RSS/PSS: peak over the proxy process tree during the case. CPU us/tx:',
          'CPU time of the proxy process tree per transaction (lower = more efficient; what matters on 2 shared cores).',
          '',
          '## Targets',
          '',
          ...verdicts.map((v) => `- **${v.status}** ${v.target}: ${v.detail}`),
          '',
        ]
      : ['Matrix not run (`--no-matrix`).', '']),
    ...(scenarios.length ? ['## Scenarios', '', ...scenarios.flatMap(renderScenarioMarkdown)] : []),
    ...meta.notes.map((n) => `> ${n}`),
    '',
  ].join('\n');
}

/** Writes <date>-<host>.json and .md (a time suffix when that name exists); returns the paths. */
export function writeResults(
  dir: string,
  meta: RunMeta,
  results: CaseResult[],
  targets: TargetInfo[],
  scenarios: ScenarioResult[] = [],
): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const date = meta.startedAt.slice(0, 10);
  let base = path.join(dir, `${date}-${meta.host}`);
  if (existsSync(`${base}.json`)) base += `-${meta.startedAt.slice(11, 16).replace(':', '')}`;
  const verdicts = evaluateTargets(results, targets);
  writeFileSync(
    `${base}.json`,
    JSON.stringify({ meta, targets, results, verdicts, scenarios }, null, 2) + '\n',
  );
  writeFileSync(`${base}.md`, renderMarkdown(meta, results, targets, scenarios));
  return { json: `${base}.json`, md: `${base}.md` };
}
