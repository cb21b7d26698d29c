import { describe, expect, it } from 'vitest';
import { silentLogger } from '../runtime/logger';
import { ENGINE_ACTOR } from '../state/types';
import { countStatement } from './counters';
import { RECOVER_FRACTION, refreshEligibility } from './eligibility';
import { createRouter } from './router';
import { testConfig, testState } from './test-config';
import { seededRng } from './test-rng';
import type { SessionRouteContext, StatementClass } from './types';

const ctx: SessionRouteContext = {
  database: 'db',
  user: 'u',
  applicationName: 'psql',
  inTransaction: false,
  txWrote: false,
  sessionWrote: false,
  txFailed: false,
  serializable: false,
  loadBalanceNode: 1,
};

async function setup(prefer: boolean, byTime = 0) {
  const config = testConfig({
    delay_threshold: 1000,
    delay_threshold_by_time: byTime,
    prefer_lower_delay_standby: prefer,
  });
  const state = testState(config);
  const router = createRouter({ config, state, rng: seededRng(2), logger: silentLogger });
  await router.ready;
  const read = () =>
    router.route(router.classify('SELECT * FROM t') as StatementClass, ctx, 'SELECT * FROM t');
  return { config, state, read };
}

describe('replication delay (reference §5, regression 033) with hysteresis', () => {
  it('a lagging LB standby sends reads to the primary, or the least-delayed standby with prefer_lower_delay_standby', async () => {
    const off = await setup(false);
    off.state.nodes[1]!.replicationDelayBytes = 1001;
    off.state.nodes[2]!.replicationDelayBytes = 10;
    expect(off.read()).toMatchObject({ targets: [0] });
    expect(off.read().why).toMatch('lagging 1001 bytes');
    const on = await setup(true);
    on.state.nodes[1]!.replicationDelayBytes = 1001;
    on.state.nodes[2]!.replicationDelayBytes = 10;
    expect(on.read()).toMatchObject({ targets: [2], newLoadBalanceNode: 2 });
    on.state.nodes[2]!.replicationDelayBytes = 5000;
    expect(on.read().targets).toEqual([0]);
  });

  it('exactly at the threshold is not lagging (pgpool compares delay > threshold)', async () => {
    const s = await setup(false);
    s.state.nodes[1]!.replicationDelayBytes = 1000;
    expect(s.read().targets).toEqual([1]);
  });

  it(`a lagging node is eligible again only below ${RECOVER_FRACTION * 100}% of the threshold`, async () => {
    const { state, config, read } = await setup(false);
    const n1 = state.nodes[1]!;
    const step = (bytes: number) => {
      n1.replicationDelayBytes = bytes;
      refreshEligibility(state, config);
      return { eligible: n1.loadBalanceEligible, target: read().targets[0] };
    };
    expect(step(500)).toEqual({ eligible: true, target: 1 });
    expect(step(1500)).toEqual({ eligible: false, target: 0 });
    expect(n1.notLoadBalancedReason).toMatch(/^lagging 1500 bytes/);
    expect(step(990)).toEqual({ eligible: false, target: 0 }); // below threshold, above 80%: still lagging
    expect(step(850)).toEqual({ eligible: false, target: 0 });
    expect(step(799)).toEqual({ eligible: true, target: 1 });
    expect(step(990)).toEqual({ eligible: true, target: 1 }); // rising again: only above the threshold
    expect(step(1001)).toEqual({ eligible: false, target: 0 });
  });

  it('delay_threshold_by_time (pgwarden extension) uses replay seconds with the same hysteresis', async () => {
    const { state, config, read } = await setup(false, 10);
    const n1 = state.nodes[1]!;
    n1.replicationDelaySeconds = 11;
    refreshEligibility(state, config);
    expect(n1.notLoadBalancedReason).toMatch('11 s behind');
    n1.replicationDelaySeconds = 9;
    refreshEligibility(state, config);
    expect(read().targets).toEqual([0]);
    n1.replicationDelaySeconds = 7;
    expect(refreshEligibility(state, config)).toEqual([1]);
    expect(read().targets).toEqual([1]);
  });

  it('refreshEligibility reports down and weight-0 nodes; the primary never lags', async () => {
    const { state, config } = await setup(false);
    state.nodes[0]!.replicationDelayBytes = 99999;
    state.setStatus(2, 'down', null);
    state.setWeight(1, 0, ENGINE_ACTOR);
    expect(refreshEligibility(state, config)).toEqual([1, 2]);
    expect(state.nodes.map((n) => [n.loadBalanceEligible, n.notLoadBalancedReason])).toEqual([
      [true, null],
      [false, 'backend_weight is 0'],
      [false, 'node is down'],
    ]);
  });
});

describe('countStatement', () => {
  it('increments the node counter of the class bucket', () => {
    const state = testState(testConfig());
    countStatement(state, 1, { counter: 'select' });
    countStatement(state, 1, { counter: 'select' });
    countStatement(state, 0, { counter: 'ddl' });
    countStatement(state, 9, { counter: 'insert' });
    expect(state.nodes[1]!.counters.select).toBe(2);
    expect(state.nodes[0]!.counters.ddl).toBe(1);
    expect(state.nodes[0]!.counters.insert).toBe(0);
  });
});
