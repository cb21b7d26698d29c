// Which pgbench cases run, and which of them are the headline cases the targets are judged on (those get
// --rounds rounds and a median; the others one round).

import type { BenchCase } from './pgbench';

export const HEADLINE = {
  /** pgbench -S, 32 clients: pgwarden vs pgpool-II and PgBouncer session; RSS; routing cost. */
  select32: { workload: 'select-only', mode: 'simple', clients: 32, connect: false },
  /** TPC-B (default script), 8 clients: pgwarden vs PgBouncer; routing cost on the write path. */
  tpcb8: { workload: 'tpcb', mode: 'simple', clients: 8, connect: false },
  /** -C (a connection per transaction), select-only, 8 clients: pgwarden vs pgpool-II. */
  connect8: { workload: 'select-only', mode: 'simple', clients: 8, connect: true },
} satisfies Record<string, BenchCase>;

export type MatrixName = 'quick' | 'default' | 'full';

const headline: BenchCase[] = Object.values(HEADLINE);

export function caseKey(c: BenchCase): string {
  return `${c.workload}/${c.mode}/c${c.clients}${c.connect ? '/C' : ''}`;
}

export function isHeadline(c: BenchCase): boolean {
  return headline.some((h) => caseKey(h) === caseKey(c));
}

export function buildMatrix(name: MatrixName): BenchCase[] {
  if (name === 'quick') {
    return [...headline, { workload: 'select-only', mode: 'prepared', clients: 32, connect: false }];
  }
  if (name === 'default') {
    return [
      ...headline,
      { workload: 'select-only', mode: 'simple', clients: 1, connect: false },
      { workload: 'select-only', mode: 'simple', clients: 8, connect: false },
      { workload: 'select-only', mode: 'extended', clients: 32, connect: false },
      { workload: 'select-only', mode: 'prepared', clients: 32, connect: false },
    ];
  }
  // full: every workload x query mode x client count, plus -C for each workload and query mode at 8 clients.
  const out: BenchCase[] = [...headline];
  for (const workload of ['select-only', 'tpcb'] as const) {
    for (const mode of ['simple', 'extended', 'prepared'] as const) {
      for (const clients of [1, 8, 32]) out.push({ workload, mode, clients, connect: false });
      out.push({ workload, mode, clients: 8, connect: true });
    }
  }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(caseKey(c)) && seen.add(caseKey(c)));
}
