import { describe, expect, it } from 'vitest';
import { silentLogger } from '../runtime/logger';
import { ENGINE_ACTOR } from '../state/types';
import { chooseLoadBalanceNode, parseRedirectList } from './load-balance';
import { createRouter } from './router';
import { testBackend, testConfig, testState } from './test-config';
import { seededRng } from './test-rng';

function draws(weights: number[], n: number, seed = 42): number[] {
  const config = testConfig({ backends: weights.map((w, i) => testBackend(i, w)) });
  const state = testState(config);
  const router = createRouter({ config, state, rng: seededRng(seed), logger: silentLogger });
  const counts = weights.map(() => 0);
  for (let i = 0; i < n; i++)
    counts[router.chooseLoadBalanceNode({ database: 'db', applicationName: 'app' })]!++;
  return counts;
}

describe('weighted load-balance choice (reference §4.4 backend_weight)', () => {
  it('30,000 draws land within 1 point of the normalised weights', () => {
    const weights = [1, 2, 3];
    const n = 30_000;
    const counts = draws(weights, n);
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => expect(Math.abs((counts[i]! / n) * 100 - (w / total) * 100)).toBeLessThan(1));
  });

  it('weight 0 is never chosen while another valid node has weight', () => {
    expect(draws([0, 1, 1], 5000)[0]).toBe(0);
    expect(draws([1, 0, 0], 1000)).toEqual([1000, 0, 0]);
  });

  it('all weights 0: the primary', () => {
    expect(draws([0, 0, 0], 100)).toEqual([100, 0, 0]);
  });

  it('down nodes are never chosen; weights are read live (setWeight)', () => {
    const config = testConfig();
    const state = testState(config);
    const router = createRouter({ config, state, rng: seededRng(1), logger: silentLogger });
    state.setStatus(1, 'down', null);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++)
      seen.add(router.chooseLoadBalanceNode({ database: 'd', applicationName: '' }));
    expect(seen).toEqual(new Set([0, 2]));
    state.setWeight(0, 0, ENGINE_ACTOR);
    for (let i = 0; i < 200; i++)
      expect(router.chooseLoadBalanceNode({ database: 'd', applicationName: '' })).toBe(2);
  });
});

describe('redirect preference lists (regression 008)', () => {
  const list =
    'postgres:primary,test:1,mydb[5-9]:2,test2:standby,test3:primary(0.0),test4:standby(0.0),test5:primary(1.0)';

  it('parses entries, targets and ratios', () => {
    const rules = parseRedirectList(list, 'database_redirect_preference_list');
    expect(rules.map((r) => [r.source, r.target, r.ratio])).toEqual([
      ['postgres', 'primary', 1],
      ['test', 1, 1],
      ['mydb[5-9]', 2, 1],
      ['test2', 'standby', 1],
      ['test3', 'primary', 0],
      ['test4', 'standby', 0],
      ['test5', 'primary', 1],
    ]);
    expect(parseRedirectList('bad, x:nowhere', 'p')).toEqual([]);
  });

  const config = testConfig({ database_redirect_preference_list: list });
  const state = testState(config);
  const dbRules = parseRedirectList(list, 'database_redirect_preference_list');
  const pick = (
    database: string,
    applicationName = 'psql',
    appRules = parseRedirectList('', 'x'),
    seed = 7,
  ) => {
    const rng = seededRng(seed);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++)
      seen.add(chooseLoadBalanceNode(state, { database, applicationName, dbRules, appRules, rng }).node);
    return [...seen].sort();
  };

  it.each([
    ['postgres', [0]],
    ['test', [1]],
    ['mydb5', [2]],
    ['mydb9', [2]],
    ['mydb55', [0, 1, 2]], // anchored: no match → ordinary weighted choice
    ['test2', [1, 2]],
    ['test3', [1, 2]],
    ['test4', [0]],
    ['test5', [0]],
    ['other', [0, 1, 2]],
  ])('database %s → nodes %j', (db, nodes) => expect(pick(db)).toEqual(nodes));

  it('app_name list wins over the database list', () => {
    const appRules = parseRedirectList('psql:2,batch.*:standby', 'app_name_redirect_preference_list');
    expect(pick('postgres', 'psql', appRules)).toEqual([2]);
    expect(pick('postgres', 'batch_loader', appRules)).toEqual([1, 2]);
    expect(pick('postgres', 'other', appRules)).toEqual([0]);
  });

  it('ratio 0.3: the named node about 30% of the time, otherwise the others', () => {
    const rules = parseRedirectList('db:1(0.3)', 'database_redirect_preference_list');
    const rng = seededRng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20_000; i++)
      counts[
        chooseLoadBalanceNode(state, {
          database: 'db',
          applicationName: '',
          dbRules: rules,
          appRules: [],
          rng,
        }).node
      ]!++;
    expect(counts[1]! / 20_000).toBeGreaterThan(0.28);
    expect(counts[1]! / 20_000).toBeLessThan(0.32);
    expect(Math.abs(counts[0]! - counts[2]!) / 20_000).toBeLessThan(0.02);
  });

  it('a redirect to a down node falls back to the weighted choice', () => {
    const s2 = testState(config);
    s2.setStatus(1, 'down', null);
    const rng = seededRng(5);
    for (let i = 0; i < 100; i++)
      expect(
        chooseLoadBalanceNode(s2, { database: 'test', applicationName: '', dbRules, appRules: [], rng }).node,
      ).not.toBe(1);
  });

  it('redirect lists are ignored in native replication (SL mode only)', () => {
    const c = testConfig({ backend_clustering_mode: 'native_replication' });
    const s = testState(c);
    const seen = new Set<number>();
    const rng = seededRng(9);
    for (let i = 0; i < 300; i++)
      seen.add(
        chooseLoadBalanceNode(s, { database: 'test', applicationName: '', dbRules, appRules: [], rng }).node,
      );
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});
