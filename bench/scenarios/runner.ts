// Runs one pgbench case on a few contenders, rounds interleaved (round 1 on every contender, then round 2...), so
// load from elsewhere on the machine hits them alike. A contender may do something around its runs (start a poller,
// open a browser page) through before()/after().

import type { PgCluster } from '../../tests/helpers/pg-cluster';
import { pgbenchArgs, runPgbench, type BenchCase } from '../pgbench';
import { startMemSampler } from '../proc';
import type { PgwardenLaunch } from '../targets/pgwarden';
import type { Target, TargetContext, TargetId } from '../targets/target';
import { emptyRow, summarizeRow, type ScenarioRow } from './model';

/** Seconds of the unmeasured run each target gets before the first round. */
export const WARM_UP_SECONDS = 2;

export interface Contender {
  id: string;
  label: string;
  target: Target;
  /** Before each of its runs, after the tables were reset. */
  before?(): Promise<void>;
  /** After each of its runs; a returned string is added to the row's note (e.g. the poller's counts). */
  after?(): Promise<string | null>;
}

/** What run.ts hands every scenario. */
export interface ScenarioEnv {
  ctx: TargetContext;
  launch: PgwardenLaunch;
  seconds: number;
  rounds: number;
  scale: number;
  signal: AbortSignal;
  /** Epoch ms after which no run may start. */
  deadline: number;
  log(msg: string): void;
  /** A running target of the main (streaming, primary + standby) cluster: reused, or started now. */
  target(id: TargetId): Promise<Target>;
  /** Registers a target started by a scenario, stopped with the others at the end. */
  adopt(t: Target): void;
  /** Registers a cluster created by a scenario, destroyed at the end (also on Ctrl-C). */
  adoptCluster(c: PgCluster): void;
  /** Vacuums/truncates the main cluster's pgbench tables and waits for the standby. */
  resetMain(): Promise<void>;
}

export async function runInterleaved(
  env: ScenarioEnv,
  c: BenchCase,
  contenders: (Contender | ScenarioRow)[],
  reset: () => Promise<void>,
  afterRun?: (who: Contender, round: number) => Promise<string | null>,
): Promise<ScenarioRow[]> {
  const rows = contenders.map((x) => ('target' in x ? emptyRow(x.id, x.label) : x));
  const notes = rows.map(() => new Set<string>());
  const perRun = (env.seconds + 2) * 1000;
  // Warm-up: a fresh proxy's first run would pay for its backend connections (a PostgreSQL fork each) and V8's JIT,
  // while a target the matrix already used would not. 2 s of the same case on every target once, not measured.
  const warmed = new Set<Target>();
  for (const who of contenders) {
    if (!('target' in who) || warmed.has(who.target) || who.target.failure() || env.signal.aborted) continue;
    warmed.add(who.target);
    await reset();
    const args = pgbenchArgs(c, { host: who.target.host, port: who.target.port, seconds: WARM_UP_SECONDS });
    const r = await runPgbench(args, WARM_UP_SECONDS * 1000 + 60_000, env.signal);
    env.log(
      `${who.target.id} warm-up: ${r.tps?.toFixed(0) ?? '-'} TPS${r.error ? `  ERROR ${r.error}` : ''}`,
    );
  }
  for (let round = 0; round < env.rounds; round++) {
    for (const [i, who] of contenders.entries()) {
      if (!('target' in who)) continue;
      if (env.signal.aborted || Date.now() + perRun > env.deadline) continue;
      const row = rows[i]!;
      const failure = who.target.failure();
      if (failure) {
        row.rounds.push({
          tps: null,
          latencyMs: null,
          error: failure,
          processed: null,
          cpuSeconds: null,
          rssBytes: null,
        });
        continue;
      }
      await reset();
      await who.before?.();
      const pids = who.target.pids();
      const sampler = pids.length ? startMemSampler(() => who.target.pids(), who.target.memExclude) : null;
      const args = pgbenchArgs(c, { host: who.target.host, port: who.target.port, seconds: env.seconds });
      const r = await runPgbench(args, env.seconds * 1000 + 60_000, env.signal);
      const mem = sampler?.stop() ?? null;
      const note = await who.after?.();
      const check = await afterRun?.(who, round);
      for (const n of [note, check]) if (n) notes[i]!.add(n);
      row.rounds.push({
        tps: r.tps,
        latencyMs: r.latencyMs,
        error: r.error,
        processed: r.processed,
        cpuSeconds: mem?.cpuSeconds ?? null,
        rssBytes: mem?.rss ?? null,
      });
      const tail = r.error ? `  ERROR ${r.error}` : '';
      env.log(
        `${who.id} round ${round + 1}: ${r.tps?.toFixed(0) ?? '-'} TPS, ${r.latencyMs ?? '-'} ms${tail}`,
      );
    }
  }
  rows.forEach((row, i) => {
    if (notes[i]!.size) row.note = [row.note, ...notes[i]!].filter(Boolean).join('; ');
    summarizeRow(row);
  });
  return rows;
}

/** Starts a target, or returns the row that says why it could not start. */
export async function tryStart(
  env: ScenarioEnv,
  id: string,
  start: () => Promise<Target>,
): Promise<Target | ScenarioRow> {
  try {
    env.log(`starting ${id}`);
    return await start();
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
    env.log(`${id} not available: ${msg}`);
    return emptyRow(id, id, `not available: ${msg.length > 300 ? `${msg.slice(0, 300)}...` : msg}`);
  }
}
