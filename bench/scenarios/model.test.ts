// Summaries, ratios and rendering of the scenario results, and the --scenarios parser.

import { describe, expect, it } from 'vitest';

import { parseScenarios, scenarioRuns } from './index';
import {
  emptyRow,
  ratio,
  renderScenarioMarkdown,
  renderScenarioText,
  summarizeRow,
  verdictOf,
  type ScenarioResult,
  type ScenarioRound,
} from './model';

const round = (tps: number | null, error: string | null = null): ScenarioRound => ({
  tps,
  latencyMs: tps ? 32_000 / tps : null,
  error,
  processed: tps ? tps * 5 : null,
  cpuSeconds: tps ? 2 : null,
  rssBytes: 80 * 1024 ** 2,
});

describe('scenario rows', () => {
  it('takes the median of the good rounds and names the failed ones', () => {
    const row = emptyRow('pgwarden-sr', 'pgwarden');
    row.rounds = [round(9000), round(11000), round(null, 'connection refused'), round(10000)];
    summarizeRow(row);
    expect(row.tps).toBe(10000);
    expect(row.cpuUsPerTx).toBeCloseTo((2 * 1e6) / 50000);
    expect(row.rssBytes).toBe(80 * 1024 ** 2);
    expect(row.note).toBe('1 of 4 round(s) failed: connection refused');
  });

  it('says when a row never ran', () => {
    expect(summarizeRow(emptyRow('x', 'x')).note).toMatch(/not run/);
    expect(summarizeRow(emptyRow('x', 'x', 'not available: no build')).note).toBe('not available: no build');
  });

  it('computes ratios and verdicts, N/A without both numbers', () => {
    const a = summarizeRow({ ...emptyRow('sr', 'sr'), rounds: [round(9200)] });
    const b = summarizeRow({ ...emptyRow('raw', 'raw'), rounds: [round(10000)] });
    const c = emptyRow('pgpool', 'pgpool', 'not available: x');
    const r = ratio([a, b, c], 'routing cost vs raw', 'sr', 'raw', 0.9, '>= 0.90');
    expect(r.value).toBeCloseTo(0.92);
    expect(verdictOf(r)).toBe('PASS');
    expect(verdictOf({ ...r, min: 0.95 })).toBe('FAIL');
    expect(verdictOf({ ...r, min: null })).toBe('info');
    expect(verdictOf(ratio([a, b, c], 'x', 'sr', 'pgpool', 2, '>= 2'))).toBe('N/A');
  });
});

describe('rendering', () => {
  const rows = [
    summarizeRow({ ...emptyRow('pgwarden-sr', 'pgwarden SR'), rounds: [round(9200)] }),
    summarizeRow({ ...emptyRow('pgwarden-raw', 'pgwarden raw'), rounds: [round(10000)] }),
  ];
  const s: ScenarioResult = {
    id: 'routing',
    title: 'routing cost (issue #3)',
    workload: '-S simple, 32 clients',
    seconds: 5,
    rounds: 1,
    rows,
    ratios: [ratio(rows, 'routing cost vs raw', 'pgwarden-sr', 'pgwarden-raw', 0.9, '>= 0.90')],
    notes: ['a note | with a pipe'],
    wallSeconds: 14.2,
  };

  it('prints the ratio line the issue asks for', () => {
    const text = renderScenarioText(s).join('\n');
    expect(text).toContain('[PASS] routing cost vs raw = pgwarden-sr / pgwarden-raw = 0.92 (target >= 0.90)');
    expect(text).toMatch(/pgwarden-sr\s+9200\s+3\.478/);
  });

  it('writes a markdown table with escaped cells', () => {
    const md = renderScenarioMarkdown(s);
    expect(md).toContain('| contender | TPS | lat ms | CPU us/tx | RSS MB | ok rounds | note |');
    expect(md).toContain('| pgwarden-raw | 10000 | 3.200 | 40 | 80 | 1/1 |  |');
    expect(md).toContain('- a note | with a pipe');
  });
});

describe('--scenarios', () => {
  it('parses lists, none, and rejects unknown names', () => {
    expect(parseScenarios('routing,native,dashboard').ids).toEqual(['routing', 'native', 'dashboard']);
    expect(parseScenarios('dashboard, routing').ids).toEqual(['routing', 'dashboard']);
    expect(parseScenarios('none')).toEqual({ ids: [], bad: [] });
    expect(parseScenarios('routing,bogus').bad).toEqual(['bogus']);
  });

  it('counts the pgbench runs of each scenario', () => {
    expect(scenarioRuns('routing', 3, 'both')).toBe(9);
    expect(scenarioRuns('native', 3, 'both')).toBe(6);
    expect(scenarioRuns('dashboard', 3, 'both')).toBe(9);
    expect(scenarioRuns('dashboard', 3, 'http')).toBe(6);
  });
});
