// The scenarios other issues ask bench/ for, run after the matrix in the same `npm run bench`:
//   routing    issue #3: pgwarden SR vs pgwarden raw vs pgpool-II SR, -S 32 clients ("routing cost vs raw")
//   native     issue #6: pgwarden vs pgpool-II in native replication mode on 3 independent nodes, TPC-B 8 clients
//   dashboard  issue #7: pgwarden with its dashboard open and polling vs without, -S 32 clients

import { dashboardScenario, type DashboardClient } from './dashboard';
import { ALL_SCENARIOS, type ScenarioId, type ScenarioResult } from './model';
import { nativeScenario } from './native';
import { routingScenario } from './routing';
import type { ScenarioEnv } from './runner';

export { ALL_SCENARIOS, type ScenarioId, type ScenarioResult };
export type { DashboardClient, ScenarioEnv };

/** "routing,native" -> ids; "none" or "" -> []; unknown names are returned in `bad`. */
export function parseScenarios(list: string): { ids: ScenarioId[]; bad: string[] } {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'none');
  const ids = ALL_SCENARIOS.filter((id) => names.includes(id));
  return { ids, bad: names.filter((n) => !(ALL_SCENARIOS as string[]).includes(n)) };
}

/** pgbench runs a scenario makes (for the duration estimate): contenders x rounds (warm-ups not counted). */
export function scenarioRuns(id: ScenarioId, rounds: number, client: DashboardClient): number {
  if (id === 'routing') return 3 * rounds;
  if (id === 'native') return 2 * rounds;
  return (client === 'both' ? 3 : 2) * rounds;
}

export async function runScenarios(
  env: ScenarioEnv,
  ids: ScenarioId[],
  client: DashboardClient,
): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const id of ids) {
    if (env.signal.aborted) break;
    env.log(`scenario ${id}`);
    try {
      if (id === 'routing') out.push(await routingScenario(env));
      else if (id === 'native') out.push(await nativeScenario(env));
      else out.push(await dashboardScenario(env, client));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      env.log(`scenario ${id} failed: ${msg}`);
      out.push({
        id,
        title: id,
        workload: '-',
        seconds: env.seconds,
        rounds: env.rounds,
        rows: [],
        ratios: [],
        notes: [`scenario failed: ${msg.slice(0, 500)}`],
        wallSeconds: 0,
      });
    }
  }
  return out;
}
