// Issue #3: what statement routing costs. pgbench -S, 32 clients, simple protocol, on the main cluster (primary +
// streaming standby): pgwarden in streaming_replication mode (parses and routes every statement, balances reads over
// both nodes) vs pgwarden in raw mode (primary only, no routing) vs pgpool-II in streaming_replication mode.

import { HEADLINE } from '../matrix';
import type { TargetId } from '../targets/target';
import { ratio, type ScenarioResult, type ScenarioRow } from './model';
import { runInterleaved, tryStart, type Contender, type ScenarioEnv } from './runner';

const IDS: TargetId[] = ['pgwarden-sr', 'pgwarden-raw', 'pgpool-sr'];

export async function routingScenario(env: ScenarioEnv): Promise<ScenarioResult> {
  const t0 = Date.now();
  const contenders: (Contender | ScenarioRow)[] = [];
  for (const id of IDS) {
    const t = await tryStart(env, id, () => env.target(id));
    contenders.push('rounds' in t ? t : { id, label: t.label, target: t });
  }
  const rows = await runInterleaved(env, HEADLINE.select32, contenders, () => env.resetMain());
  return {
    id: 'routing',
    title: 'routing cost (issue #3)',
    workload: '-S simple, 32 clients',
    seconds: env.seconds,
    rounds: env.rounds,
    rows,
    ratios: [
      ratio(rows, 'routing cost vs raw', 'pgwarden-sr', 'pgwarden-raw', 0.9, '>= 0.90: routing costs <= 10%'),
      ratio(rows, 'pgwarden vs pgpool-II (SR)', 'pgwarden-sr', 'pgpool-sr', 2.0, '>= 2.0'),
    ],
    notes: [
      'SR balances reads over the primary and the standby, both on the same CPUs as pgbench: the standby adds no ' +
        'capacity here, so "routing cost vs raw" includes the cost of a second busy server, not only the parser.',
    ],
    wallSeconds: (Date.now() - t0) / 1000,
  };
}
