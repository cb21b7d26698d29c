import { describe, expect, it } from 'vitest';
import { silentLogger } from '../runtime/logger';
import {
  choosePrimary,
  findPrimaryRepeatedly,
  parseConninfo,
  searchInterval,
  type ProbedNode,
} from './primary';

const node = (id: number, inRecovery: boolean | null): ProbedNode => ({
  id,
  hostname: 'localhost',
  port: 5000 + id,
  inRecovery,
});

describe('primary search rules (reference §3.3 step 5, §5)', () => {
  it('one f wins', () => {
    expect(
      choosePrimary([node(0, true), node(1, false), node(2, null)], { detachFalsePrimary: false }).primary,
    ).toBe(1);
  });
  it('no f -> -1', () => {
    expect(choosePrimary([node(0, true), node(1, null)], { detachFalsePrimary: false }).primary).toBe(-1);
  });
  it('several f and no standby -> lowest id; others false primaries only with detach_false_primary', () => {
    const probed = [node(2, false), node(0, false), node(1, false)];
    expect(choosePrimary(probed, { detachFalsePrimary: false })).toMatchObject({
      primary: 0,
      falsePrimaries: [],
    });
    expect(choosePrimary(probed, { detachFalsePrimary: true })).toMatchObject({
      primary: 0,
      falsePrimaries: [1, 2],
    });
  });
  it('several f with standbys, detach_false_primary off -> highest id', () => {
    const probed = [node(0, false), node(1, true), node(2, false)];
    expect(choosePrimary(probed, { detachFalsePrimary: false })).toMatchObject({
      primary: 2,
      falsePrimaries: [],
    });
  });
  it('several f with standbys, detach_false_primary on -> the primary every standby streams from', () => {
    const probed = [node(0, false), node(1, true), node(2, false)];
    const receivers = new Map([[1, { status: 'streaming', host: 'localhost', port: 5000 }]]);
    expect(choosePrimary(probed, { detachFalsePrimary: true, receivers })).toMatchObject({
      primary: 0,
      falsePrimaries: [2],
    });
  });
  it('detach_false_primary: Unix socket conninfo host matches localhost', () => {
    const probed = [node(0, false), node(1, true), node(2, false)];
    const receivers = new Map([[1, { status: 'streaming', host: '/tmp', port: 5002 }]]);
    expect(choosePrimary(probed, { detachFalsePrimary: true, receivers })).toMatchObject({
      primary: 2,
      falsePrimaries: [0],
    });
  });
  it('detach_false_primary: nothing detached when no primary owns every standby', () => {
    const probed = [node(0, false), node(1, true), node(2, false), node(3, true)];
    const receivers = new Map([
      [1, { status: 'streaming', host: 'localhost', port: 5000 }],
      [3, { status: 'streaming', host: 'localhost', port: 5002 }],
    ]);
    expect(choosePrimary(probed, { detachFalsePrimary: true, receivers })).toMatchObject({
      primary: 2,
      falsePrimaries: [],
    });
  });
  it('parses conninfo host/port', () => {
    expect(parseConninfo("user=postgres host=localhost port=5433 application_name='server 1'")).toEqual({
      host: 'localhost',
      port: 5433,
    });
    expect(parseConninfo('user=x')).toEqual({ host: '', port: 5432 });
  });
});

describe('findPrimaryRepeatedly with an injected query function', () => {
  const base = (answers: (round: number, id: number) => boolean | null, always = -1) => {
    let round = 0;
    const deps = {
      validNodes: () =>
        [0, 1, 2].map((id) => ({ id, hostname: 'localhost', port: 5000 + id, alwaysPrimary: id === always })),
      isInRecovery: async (id: number) => answers(round, id),
      detachFalsePrimary: false,
      logger: silentLogger,
      sleep: async () => {
        round++;
        return true;
      },
    };
    return { deps, rounds: () => round };
  };

  it('retries every 50 ms for the first 3 s, then every second', () => {
    expect(searchInterval(0)).toBe(50);
    expect(searchInterval(2999)).toBe(50);
    expect(searchInterval(3000)).toBe(1000);
  });

  it('retries until a primary appears', async () => {
    const { deps, rounds } = base((r, id) => (r >= 2 && id === 1 ? false : true));
    const d = await findPrimaryRepeatedly({ ...deps, timeoutS: 0 });
    expect(d.primary).toBe(1);
    expect(rounds()).toBe(2);
  });

  it('ALWAYS_PRIMARY short-circuits the search', async () => {
    let asked = 0;
    const { deps } = base(() => {
      asked++;
      return true;
    }, 2);
    expect((await findPrimaryRepeatedly({ ...deps, timeoutS: 1 })).primary).toBe(2);
    expect(asked).toBe(0);
  });

  it('gives up after search_primary_node_timeout', async () => {
    const { deps } = base(() => true);
    const started = Date.now();
    const d = await findPrimaryRepeatedly({
      ...deps,
      timeoutS: 0.05,
      sleep: (ms) => new Promise((r) => setTimeout(() => r(true), Math.min(ms, 10))),
    });
    expect(d.primary).toBe(-1);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
